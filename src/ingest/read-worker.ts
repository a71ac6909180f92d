// The worker thread of read-batches.ts: reads the documents it is sent, one at a time, and posts each one's
// batches, at most `readAhead` ahead of what the parent has taken (each `more` from the parent allows one more),
// then `end` with the interchanges the 997 answers. An unreadable file posts `unreadable` after the batches read
// before the break; anything else posts `error`. Between documents it waits (the parent ends it when idle).
import { parentPort } from 'node:worker_threads';
import { readBatchesHere, type FromWorker, type ReadRequest, type ToWorker } from './read-batches.ts';
import { UnreadableDocumentError } from './types.ts';
import type { InterchangeRecord } from './x12/index.ts';

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
let credit = 0;
let wake: (() => void) | null = null;
const requests: { request: ReadRequest; readAhead: number }[] = [];

port.on('message', (message: ToWorker) => {
  if (message.kind === 'more') credit++;
  else requests.push({ request: message.request, readAhead: message.readAhead });
  wake?.();
  wake = null;
});

const waitForMessage = () => new Promise<void>((resolve) => { wake = resolve; });

async function read(request: ReadRequest, readAhead: number): Promise<void> {
  credit = readAhead;
  let answered: InterchangeRecord[] | null = null;
  try {
    for await (const batch of readBatchesHere(request, (read) => { answered = read; })) {
      while (credit === 0) await waitForMessage();
      credit--;
      post({ kind: 'batch', entries: batch });
    }
    post({ kind: 'end', answered });
  } catch (error) {
    if (error instanceof UnreadableDocumentError) {
      post({ kind: 'unreadable', message: error.message, line: error.line, column: error.column });
    } else {
      const failure = error instanceof Error ? error : new Error(String(error));
      post({ kind: 'error', message: failure.message, stack: failure.stack });
    }
  }
}

for (;;) {
  const next = requests.shift();
  if (next) await read(next.request, next.readAhead);
  else await waitForMessage();
}
