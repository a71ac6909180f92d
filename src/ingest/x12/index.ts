// PLACEHOLDER until the X12 reader (worktree docs-x12) lands on main: the interface the pipeline codes against.
// Every X12 file is unreadable here. Deleted when merging the real reader.
import { UnreadableDocumentError, type DocumentEntry } from '../types.ts';

export interface X12Reading {
  entries(): AsyncGenerator<DocumentEntry>;
  readonly interchangeCount: number;
  acknowledgement(firstControlNumber: number, now?: Date): string;
}

export function readX12(_bytes: Uint8Array): X12Reading {
  return {
    // eslint-disable-next-line require-yield
    async *entries() {
      throw new UnreadableDocumentError('X12 reading is not available yet.');
    },
    interchangeCount: 0,
    acknowledgement: () => '',
  };
}

export function carrierOfScac(_scac: string): string | null {
  return null;
}
