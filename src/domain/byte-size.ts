// A size limit in words a person reads (a 413's message, the console's upload form): the exact bytes always, and
// below them the size in KB or MB (binary: 1 MB = 1024 × 1024 bytes) when the limit is that large.

/** `1000 bytes`, `1.5 KB`, `1.5 MB`, `10 MB`: one decimal at most, never a size rounded down to 0. */
export function byteSize(bytes: number): string {
  const units: [number, string][] = [[1024 * 1024, 'MB'], [1024, 'KB']];
  for (const [size, name] of units) {
    if (bytes >= size) return `${Math.round((bytes / size) * 10) / 10} ${name}`;
  }
  return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
}

/** A limit as `1,000 bytes` or `1,572,864 bytes (1.5 MB)`: exact, with the readable size when it differs. */
export function byteLimit(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} ${bytes === 1 ? 'byte' : 'bytes'}`;
  return bytes < 1024 ? exact : `${exact} (${byteSize(bytes)})`;
}
