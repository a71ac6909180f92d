// A reader that has already checked an update with parseSupplierUpdate (the CSV reader does, to name columns in
// its reasons) leaves the result here, so the pipeline does not parse and fingerprint the same update twice.
import { parseSupplierUpdate, type FieldProblem, type ParsedUpdate } from '../domain/supplier-updates.ts';

const parsedUpdates = new WeakMap<object, ParsedUpdate>();

/** Parses `update` (a wire-shape supplier update) and remembers the result for parseEntryUpdate. */
export function parseAndRemember(update: Record<string, unknown>, path: string, problems: FieldProblem[]): ParsedUpdate | undefined {
  const parsed = parseSupplierUpdate(update, path, problems, { fromDocument: true });
  if (parsed) parsedUpdates.set(update, parsed);
  return parsed;
}

/** The remembered parse of this very object, else parseSupplierUpdate's (same result, same problems). */
export function parseEntryUpdate(update: Record<string, unknown>, path: string, problems: FieldProblem[]): ParsedUpdate | undefined {
  return parsedUpdates.get(update) ?? parseSupplierUpdate(update, path, problems, { fromDocument: true });
}
