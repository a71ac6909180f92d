// Look-ups by PO number that arrive together, answered by one query (PostgreSQL).
//
// On PostgreSQL every by-po request is a round trip: a write to the socket (the kernel's loopback or network work
// is charged to the writing process), a query the server parses its parameters for, plans from its cache and
// runs, and a read. Under load, dozens of by-po requests are parsed in the same turn of the event loop; this
// gathers the look-ups of one turn and sends one statement per retailer and version for up to
// BULK_PO_NUMBERS_MAX numbers (the bulk statement of by-po-numbers), then hands each request its own records. One
// request alone still costs one query (the single-number statement), and waits one turn at most.
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
