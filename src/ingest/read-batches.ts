// A stored document's entries as the pipeline applies them: read from the bytes, each entry's update parsed and
// fingerprinted (the same parse as POST /api/v2/supplier_updates), and grouped into batches. Small documents are
// read in the calling thread. A large one is read in a worker thread (read-worker.ts) while the calling thread
// applies the batches already read: reading and parsing a 10 MB 856 costs about as much CPU as a fifth of
// applying it, and on a machine with two cores the two overlap instead of adding up (DESIGN 7: a 10 MB 856 in
// ≤ 10 s). The worker stays at most two batches ahead, so memory stays bounded by the batch size, not the file.
import { Worker } from 'node:worker_threads';
import type { FieldProblem } from '../domain/supplier-updates.ts';
import type { BatchEntry, DocumentFormat } from '../store/supplier-documents.ts';
import { readCsv } from './csv/reader.ts';
import { parseEntryUpdate } from './parsed-updates.ts';
import { UnreadableDocumentError, type DocumentEntry } from './types.ts';
import { describePlace, faultOfField } from './x12/faults.ts';
import { carrierOfScac, readX12, renderAcknowledgement, type InterchangeRecord, type RejectedSets } from './x12/index.ts';

/** Documents from this size on are read in a worker thread (below it, starting one costs more than it saves). */
export const WORKER_THRESHOLD_BYTES = 1024 * 1024;

/** What a document needs to be read. `from`: entries before it were applied by an earlier attempt (skipped, not parsed). */
export interface ReadRequest {
  format: DocumentFormat;
  bytes: Uint8Array;
  supplierName: string | null;
  from: number;
  batchSize: number;
}

/** The 997 parts finishDocument needs (X12; null for CSV): how many control numbers, and the text for the first. */
export interface AcknowledgementParts {
  interchanges: number;
  /** The 997 text, interchange i numbered first + i, answering `rejected` sets R; `now` (default: the present) dates it. */
  render: (first: number, rejected: RejectedSets, now?: Date) => string;
}

export interface DocumentBatches {
  /** Batches of batchSize entries in file order (more to finish an X12 set, which is never split). Throws UnreadableDocumentError where reading broke off, after
   *  yielding what was read before it. */
  batches: AsyncIterable<BatchEntry[]>;
  /** After `batches` is exhausted: the document's 997 parts (null for CSV). */
  acknowledgement(): AcknowledgementParts | null;
  /** Stops reading (a worker is terminated); safe to call more than once. */
  close(): Promise<void>;
}

/** One entry as the pipeline applies it: its update parsed, or the reason it cannot be applied. */
export function toBatchEntry(entry: DocumentEntry): BatchEntry {
  const base = { source: entry.source, type: entry.type, po_number: entry.po_number, set: entry.set ?? null, origin: entry.origin ?? null };
  if (entry.update === null) {
    return { ...base, parsed: null, reason: entry.reason ?? 'The entry could not be read.', fault: entry.fault ?? null };
  }
  const problems: FieldProblem[] = [];
  const parsed = parseEntryUpdate(entry.update, entry.source, problems);
  if (!parsed) {
    // X12: the first problem's field names the element it came from (CUR02, TDS01), for the 997.
    const fault = problems.length > 0 ? faultOfField(entry.origin, problems[0].field) : null;
    // Named by the element it came from when there is one (`CUR02 "ZZZ": must be …`), else by the update field.
    const reason = fault ? `${describePlace(fault)}: ${problems[0].message}` : problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    return { ...base, parsed: null, reason, fault };
  }
  return { ...base, parsed, reason: null, fault: null };
}

function acknowledgementOf(answered: readonly InterchangeRecord[]): AcknowledgementParts {
  return { interchanges: answered.length, render: (first, rejected, now) => renderAcknowledgement(answered, first, now, rejected) };
}

/**
 * Reads in this thread: the entries as batches, and (X12) the interchanges the 997 answers once they are read.
 * `onAnswered` gets those interchanges when the entries are exhausted.
 */
export async function* readBatchesHere(request: ReadRequest, onAnswered: (answered: InterchangeRecord[]) => void = () => {}):
  AsyncGenerator<BatchEntry[]> {
  const x12 = request.format === 'x12' ? readX12(request.bytes, { supplierName: request.supplierName }) : null;
  const entries = x12 ? x12.entries() : readCsv(request.bytes, { supplierName: request.supplierName, scacCarrier: carrierOfScac });
  let index = 0;
  let batch: BatchEntry[] = [];
  try {
    for await (const entry of entries) {
      // Entries before the resume position were applied (and their results kept) by an earlier attempt.
      if (index++ < request.from) continue;
      const next = toBatchEntry(entry);
      // A batch ends between X12 sets, never inside one (a set is applied all or none, and a resumed apply starts
      // at a batch's first entry): it runs over batchSize to finish a set.
      if (batch.length >= request.batchSize && (next.set === null || next.set !== batch[batch.length - 1].set)) {
        yield batch;
        batch = [];
      }
      batch.push(next);
    }
  } catch (error) {
    // What was read before the break is applied all the same; the document then says where reading stopped.
    if (error instanceof UnreadableDocumentError && batch.length > 0) yield batch;
    throw error;
  }
  if (batch.length > 0) yield batch;
  if (x12) onAnswered(x12.answeredInterchanges());
}

/** Messages from the worker (read-worker.ts), about the request it is reading. */
export type FromWorker =
  | { kind: 'batch'; entries: BatchEntry[] }
  | { kind: 'end'; answered: InterchangeRecord[] | null }
  | { kind: 'unreadable'; message: string; line: number | null; column: number | null }
  | { kind: 'error'; message: string; stack: string | undefined };

/** Messages to the worker: a document to read (one at a time), and `more`: read one batch further ahead. */
export type ToWorker = { kind: 'read'; request: ReadRequest; readAhead: number } | { kind: 'more' };

/** Batches a worker has read ahead of the one being applied. */
const READ_AHEAD = 2;
/** How long a worker that finished a document waits for the next one before it ends. */
const IDLE_MS = 60_000;

/**
 * Starting a worker costs about a second of CPU (its own module graph through tsx's loader), so one that has
 * read a document waits a while for the next instead of ending. Idle workers never keep the process alive.
 */
const idle: { worker: Worker; timer: NodeJS.Timeout }[] = [];

function takeWorker(): Worker {
  const kept = idle.pop();
  if (kept) {
    clearTimeout(kept.timer);
    kept.worker.ref();
    return kept.worker;
  }
  return new Worker(new URL('./read-worker.js', import.meta.url));
}

/** Idle workers kept at most: documents read at the same time each had one; one waiting is enough. */
const MAX_IDLE = 1;

function keepWorker(worker: Worker): void {
  worker.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
  if (idle.length >= MAX_IDLE) {
    void worker.terminate();
    return;
  }
  worker.unref();
  const entry = { worker, timer: setTimeout(() => {
    idle.splice(idle.indexOf(entry), 1);
    void worker.terminate();
  }, IDLE_MS).unref() };
  worker.once('exit', () => {
    const at = idle.indexOf(entry);
    if (at >= 0) idle.splice(at, 1);
  });
  idle.push(entry);
}

/** A structured clone turns a Buffer into a plain Uint8Array; an invoice's document bytes are Buffers again here. */
function revive(entries: BatchEntry[]): BatchEntry[] {
  for (const entry of entries) {
    const update = entry.parsed?.update;
    if (update?.type === 'invoice' && update.document && !Buffer.isBuffer(update.document.bytes)) {
      const bytes = update.document.bytes as Uint8Array;
      update.document.bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  }
  return entries;
}

function readBatchesInWorker(request: ReadRequest): DocumentBatches {
  const worker = takeWorker();
  const queue: FromWorker[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  let exited = false;
  let done = false;
  let answered: InterchangeRecord[] | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  worker.on('message', (message: FromWorker) => {
    queue.push(message);
    notify();
  });
  worker.on('error', (error) => {
    failure = error;
    notify();
  });
  worker.on('exit', () => {
    exited = true;
    notify();
  });
  // The worker gets its own copy of the bytes (moved, not copied again).
  const bytes = new Uint8Array(request.bytes);
  worker.postMessage({ kind: 'read', request: { ...request, bytes }, readAhead: READ_AHEAD } satisfies ToWorker, [bytes.buffer]);

  const next = async (): Promise<FromWorker> => {
    for (;;) {
      const message = queue.shift();
      if (message) return message;
      if (failure) throw failure;
      if (exited) throw new Error('the document reader stopped before the end of the document');
      await new Promise<void>((resolve) => { wake = resolve; });
    }
  };
  // A worker that told the whole story (end, unreadable, error) is free for the next document; one stopped
  // half-way may still be reading, so it is ended.
  const close = async () => {
    if (exited) return;
    if (done) {
      keepWorker(worker);
      exited = true;
    } else {
      await worker.terminate();
    }
  };

  return {
    batches: (async function* () {
      try {
        for (;;) {
          const message = await next();
          if (message.kind === 'batch') {
            worker.postMessage({ kind: 'more' } satisfies ToWorker);
            yield revive(message.entries);
            continue;
          }
          done = true;
          if (message.kind === 'end') {
            answered = message.answered;
            return;
          }
          if (message.kind === 'unreadable') throw new UnreadableDocumentError(message.message, message.line, message.column);
          throw Object.assign(new Error(message.message), { stack: message.stack });
        }
      } finally {
        await close();
      }
    })(),
    acknowledgement: () => (answered ? acknowledgementOf(answered) : null),
    close,
  };
}

/**
 * A document's batches: read in a worker thread when `inWorker` (default: the document is WORKER_THRESHOLD_BYTES
 * or larger), else here. Both give the same batches, the same errors at the same place, and the same 997.
 */
export function readBatches(request: ReadRequest, inWorker = request.bytes.byteLength >= WORKER_THRESHOLD_BYTES): DocumentBatches {
  if (inWorker) return readBatchesInWorker(request);
  let answered: InterchangeRecord[] | null = null;
  const batches = readBatchesHere(request, (read) => { answered = read; });
  return {
    batches,
    acknowledgement: () => (answered ? acknowledgementOf(answered) : null),
    close: async () => { await batches.return(undefined); },
  };
}
