// Pure parts of the sandboxes' misbehaviour: the rate limiter and the injected faults. No I/O, no clock:
// callers pass the time in.

/**
 * A token bucket: `capacity` tokens, refilled continuously at `perMinute` tokens a minute; a request takes
 * one token or is refused with the whole seconds to wait until one is there (the `Retry-After` value).
 * Over any long stretch it lets through `perMinute` requests a minute, plus at most one bucketful of burst.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number | null = null;

  constructor(readonly perMinute: number, readonly capacity: number = perMinute) {
    if (!(perMinute > 0)) throw new RangeError('perMinute must be > 0');
    if (!(capacity >= 1)) throw new RangeError('capacity must be ≥ 1');
    this.tokens = capacity;
  }

  private refill(nowMs: number): void {
    if (this.updatedAt !== null && nowMs > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + ((nowMs - this.updatedAt) * this.perMinute) / 60_000);
    }
    if (this.updatedAt === null || nowMs > this.updatedAt) this.updatedAt = nowMs;
  }

  /** Takes a token: `{ok: true, remaining}`, or `{ok: false, retryAfterSeconds}` (≥ 1). */
  take(nowMs: number): { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number } {
    this.refill(nowMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true, remaining: Math.floor(this.tokens) };
    }
    const waitMs = ((1 - this.tokens) * 60_000) / this.perMinute;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000 - 1e-9)) };
  }

  /** Whole seconds until the bucket is full again. */
  secondsUntilFull(nowMs: number): number {
    this.refill(nowMs);
    return Math.ceil((((this.capacity - this.tokens) * 60_000) / this.perMinute) / 1000 - 1e-9);
  }
}

export const FAULT_KINDS = ['429', '500', 'timeout', 'truncated'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultRates = Partial<Record<FaultKind, number>>;

/**
 * `429:0.05,500:0.02,timeout:0.01,truncated:0.01` → rates. Each probability is in [0, 1] and together they
 * are at most 1 (a request gets at most one fault). Throws a RangeError naming the bad part.
 */
export function parseFaults(spec: string): FaultRates {
  const rates: FaultRates = {};
  const text = spec.trim();
  if (text === '') return rates;
  for (const part of text.split(',')) {
    const match = /^\s*([a-z0-9]+)\s*:\s*([0-9]*\.?[0-9]+)\s*$/i.exec(part);
    if (!match) throw new RangeError(`"${part}" is not kind:probability (e.g. 500:0.02)`);
    const kind = match[1].toLowerCase() as FaultKind;
    if (!FAULT_KINDS.includes(kind)) throw new RangeError(`unknown fault "${match[1]}" (known: ${FAULT_KINDS.join(', ')})`);
    const p = Number(match[2]);
    if (!(p >= 0 && p <= 1)) throw new RangeError(`probability of ${kind} must be between 0 and 1, got ${match[2]}`);
    if (rates[kind] !== undefined) throw new RangeError(`fault ${kind} is given twice`);
    rates[kind] = p;
  }
  checkFaultRates(rates);
  return rates;
}

export function checkFaultRates(rates: FaultRates): void {
  let total = 0;
  for (const [kind, p] of Object.entries(rates)) {
    if (!FAULT_KINDS.includes(kind as FaultKind)) throw new RangeError(`unknown fault "${kind}"`);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`probability of ${kind} must be between 0 and 1`);
    total += p;
  }
  if (total > 1 + 1e-9) throw new RangeError(`fault probabilities add up to ${total}, more than 1`);
}

/** Which fault (if any) a request gets, for a draw r in [0, 1): the kinds take consecutive slices of [0, 1). */
export function chooseFault(rates: FaultRates, r: number): FaultKind | null {
  let edge = 0;
  for (const kind of FAULT_KINDS) {
    edge += rates[kind] ?? 0;
    if (r < edge) return kind;
  }
  return null;
}

/** The first half of a body (at least one character short of whole), as a connection cut mid-body leaves it. */
export function truncateBody(body: string): string {
  return body.slice(0, Math.max(0, Math.min(body.length - 1, Math.floor(body.length / 2))));
}
