// The one seeded source of numbers for generated data: the seeder, the sandboxes, generated X12 files and test
// data all draw from it, so one seed gives the same data everywhere. Pure: no I/O, no clock.

/** A source of numbers in [0, 1), as Math.random. */
export type Rng = () => number;

/** mulberry32 over `seed` (a 32-bit integer): small, fast and good enough for test data, not for secrets. */
export function prng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
