// Look-ups by PO number that arrive together, answered together.
//
// Under load, dozens of by-po requests are parsed in the same turn of the event loop. Answered one by one, each is
// looked up and written to its socket in its own callback: every response is its own write that wakes the
// client on its own, and on PostgreSQL its own round trip (a socket write, a query the server binds and runs, a
// read). This gathers the look-ups of one turn and runs one statement per retailer and version for up to
// BULK_PO_NUMBERS_MAX numbers (the bulk statement of by-po-numbers), then answers every request of the turn, so
// their responses are written back to back. Measured with `npm run bench` on 2 cores (by-po, 50 connections, paired
// runs): SQLite with 1,000,000 POs 89 → 49 µs of CPU per request (29% → 51% of bare Fastify); PostgreSQL ~105 →
// 45–55 µs. A request alone still costs one single-number query, and waits one turn at most (setImmediate).
//
// Each answer comes from one statement, so it is as consistent as before: a single query's snapshot. Scoping is
// unchanged: numbers are only ever batched with others of the same retailer.

/** What a batch runs: one number, or several distinct ones (≤ `max`) → each number's records (absent: none). */
export interface BatchQueries {
  one(retailerId: string, poNumber: string): Promise<string[]>;
  many(retailerId: string, poNumbers: readonly string[]): Promise<Map<string, string[]>>;
  max: number;
}

interface Waiting {
  resolve: (records: string[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers `lookup(retailer, number)` calls made in one turn of the event loop (until setImmediate) and runs them as
 * one query per retailer (chunks of `queries.max` distinct numbers). Resolves each call with the records of its
 * number ([] when none) or rejects it with the error of its chunk's query.
 */
export class LookupBatcher {
  private pending = new Map<string, Map<string, Waiting[]>>();
  private scheduled = false;

  constructor(private readonly queries: BatchQueries) {}

  lookup(retailerId: string, poNumber: string): Promise<string[]> {
    return new Promise((resolve, reject) => {
      let numbers = this.pending.get(retailerId);
      if (!numbers) this.pending.set(retailerId, numbers = new Map());
      const waiting = numbers.get(poNumber);
      if (waiting) waiting.push({ resolve, reject });
      else numbers.set(poNumber, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    for (const [retailerId, numbers] of batch) {
      const all = [...numbers.keys()];
      for (let start = 0; start < all.length; start += this.queries.max) void this.run(retailerId, all.slice(start, start + this.queries.max), numbers);
    }
  }

  private async run(retailerId: string, chunk: string[], waiting: Map<string, Waiting[]>): Promise<void> {
    try {
      const found = chunk.length === 1
        ? new Map([[chunk[0], await this.queries.one(retailerId, chunk[0])]])
        : await this.queries.many(retailerId, chunk);
      for (const number of chunk) for (const w of waiting.get(number)!) w.resolve(found.get(number) ?? []);
    } catch (error) {
      for (const number of chunk) for (const w of waiting.get(number)!) w.reject(error);
    }
  }
}
