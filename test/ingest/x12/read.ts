// Shared by the X12 reader tests: fixtures, reading every entry, and checking updates against the JSON API's parser.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parseSupplierUpdate, type FieldProblem } from '../../../src/domain/supplier-updates.ts';
import type { DocumentEntry } from '../../../src/ingest/types.ts';
import { readX12, type ReadX12Options, type X12Reading } from '../../../src/ingest/x12/index.ts';

export const fixture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/x12/${name}`, import.meta.url));

export async function readAll(bytes: Uint8Array | string, options?: ReadX12Options): Promise<{ entries: DocumentEntry[]; reading: X12Reading }> {
  const reading = readX12(typeof bytes === 'string' ? Buffer.from(bytes) : bytes, options);
  const entries: DocumentEntry[] = [];
  for await (const entry of reading.entries()) entries.push(entry);
  return { entries, reading };
}

/** The update of each accepted entry, after checking the pipeline takes it as it is (as a document's update: an
 *  invoice may carry the lines it bills, which the JSON API does not take). */
export function acceptedUpdates(entries: DocumentEntry[]): Record<string, unknown>[] {
  return entries.filter((e) => e.update !== null).map((entry, i) => {
    const problems: FieldProblem[] = [];
    parseSupplierUpdate(entry.update, `updates[${i}]`, problems, { fromDocument: true });
    expect(problems).toEqual([]);
    return entry.update!;
  });
}

/** A 997 (or any X12 text) as element arrays, one per segment, with its delimiters taken from its ISA. */
export function segmentsOf(x12: string): string[][] {
  const element = x12[3];
  const terminator = x12[105];
  return x12.split(terminator).map((s) => s.trim()).filter((s) => s !== '').map((s) => s.split(element));
}
