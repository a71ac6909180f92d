// Reading X12 supplier documents (DESIGN 3, "Supplier documents"): 855, 856 and 810 transaction sets → supplier
// updates in the JSON API's wire shape, and the 997 answering them. Two passes over the bytes we already hold:
// readEnvelope checks the envelope and every set's syntax (keeping one small record per set), then entries()
// tokenizes again and maps one transaction set at a time, so a large file is never held as parsed objects.
import { documentText } from '../text.ts';
import type { DocumentEntry, DocumentUpdateType } from '../types.ts';
import { acknowledgedGroups, interchange997 } from './acknowledgement.ts';
import { readEnvelope, type GroupRecord, type InterchangeRecord } from './envelope.ts';
import { map810 } from './map-810.ts';
import { map855 } from './map-855.ts';
import { map856 } from './map-856.ts';
import { rejectedEntry, type MapContext } from './mapping.ts';
import type { SetCheck } from './syntax.ts';
import { el, tokenize, type Segment } from './tokenizer.ts';

export { carrierOfScac } from './carriers.ts';
export type { InterchangeRecord } from './envelope.ts';

export interface X12Reading {
  /** Entries in file order, streamed per transaction set (never the whole file as parsed objects). Throws
   *  UnreadableDocumentError (with line/column) BEFORE yielding anything when the file cannot be read at all:
   *  no ISA header, a broken envelope (ISA/IEA, GS/GE mismatch or missing trailers). */
  entries(): AsyncGenerator<DocumentEntry>;
  /** After entries() is exhausted: how many 997 interchanges acknowledgement() writes (one per interchange read). */
  readonly interchangeCount: number;
  /** The 997 text answering every group and set read; interchange i uses control number firstControlNumber + i
   *  (ISA13, and GS06/ST02 as you see fit). Sender and receiver are swapped from the received ISA/GS. */
  acknowledgement(firstControlNumber: number, now?: Date): string;
  /** What acknowledgement() answers, as plain data (it can be posted to another thread): render with
   *  renderAcknowledgement(answered, firstControlNumber). */
  answeredInterchanges(): InterchangeRecord[];
}

/** The 997 text for interchanges a reading answers (X12Reading.answeredInterchanges): as X12Reading.acknowledgement. */
export function renderAcknowledgement(answered: readonly InterchangeRecord[], firstControlNumber: number, now: Date = new Date()): string {
  return answered.map((interchange, i) => interchange997(interchange, firstControlNumber + i, now)).join('');
}

export interface ReadX12Options {
  /** The supplier's name for sets that name none in N1 (SU, SE or VN): the caller's `?supplier_name=`. */
  supplierName?: string | null;
}

const UPDATE_TYPE: Record<string, DocumentUpdateType> = { 855: 'order', 856: 'shipment', 810: 'invoice' };
const MAPPERS: Record<string, (segments: readonly Segment[], ctx: MapContext) => DocumentEntry[]> = {
  855: map855, 856: map856, 810: map810,
};
/** ISA15 usage indicators other than P (production), in words. */
const USAGE_WORDS: Record<string, string> = { T: 'test', I: 'information' };
/** Where each set type carries its PO number: segment id and element. */
const PO_ELEMENT: Record<string, [string, number]> = { 855: ['BAK', 3], 856: ['PRF', 1], 810: ['BIG', 4] };

interface SetPlace { interchange: InterchangeRecord; group: GroupRecord; set: SetCheck }

/**
 * Reads an X12 file (UTF-8 or ASCII bytes; a BOM is ignored). Nothing is parsed until entries() or
 * acknowledgement() is called; both share one envelope pass.
 *
 * The source of an entry is `ST <ST02> (<ST01>)`, followed by `, GS <GS06>` when the file has several functional
 * groups and `, ISA <ISA13>` when it has several interchanges. A set rejected by the 997 (AK5 R) or in a rejected
 * group (AK9 R) yields one entry with `update: null` and the reason; a set the 997 accepts may still yield a
 * rejected entry when it cannot become an update (no supplier name, no tracking number, …). The sets of an
 * interchange with ISA15 T (test) or I (information) are read and acknowledged, but each entry is rejected
 * "test interchange (ISA15 = T): checked and acknowledged, not applied".
 *
 * The 997 answers every group but those holding only received acknowledgements (997/999 sets get no AK2: an
 * acknowledgement is never acknowledged, acknowledgement.ts acknowledgedGroups), so
 * interchangeCount counts the interchanges holding another group. On a file that cannot be read at all,
 * interchangeCount and acknowledgement() throw the same UnreadableDocumentError as entries().
 */
export function readX12(bytes: Uint8Array, options: ReadX12Options = {}): X12Reading {
  // Not valid UTF-8: Windows-1252, as for CSV (ingest/text.ts), so no byte silently becomes U+FFFD.
  const text = documentText(bytes);
  let envelope: InterchangeRecord[] | null = null;
  const read = () => (envelope ??= readEnvelope(text));
  // An interchange of nothing but acknowledgements (or no group at all) gets no 997.
  const answered = () => read().filter((interchange) => acknowledgedGroups(interchange).length > 0);

  return {
    async *entries() {
      const interchanges = read();
      const places: SetPlace[] = interchanges.flatMap((interchange) =>
        interchange.groups.flatMap((group) => group.sets.map((set) => ({ interchange, group, set }))));
      const severalGroups = interchanges.reduce((n, i) => n + i.groups.length, 0) > 1;
      const severalInterchanges = interchanges.length > 1;
      const sourceOf = ({ interchange, group, set }: SetPlace) => `ST ${set.control} (${set.type})` +
        (severalGroups ? `, GS ${(group.gs[6] ?? '').trim()}` : '') + (severalInterchanges ? `, ISA ${(interchange.isa[13] ?? '').trim()}` : '');

      let index = 0;
      let current: Segment[] | null = null;
      const finish = (): DocumentEntry[] => {
        const place = places[index++];
        const segments = current!;
        current = null;
        const ctx: MapContext = { source: sourceOf(place), supplierName: options.supplierName?.trim() || null };
        const reason = place.group.reason ?? place.set.reason;
        if (reason !== null) {
          const [id, n] = PO_ELEMENT[place.set.type] ?? ['', 0];
          const holder = segments.find((s) => s.elements[0] === id);
          return [rejectedEntry(ctx, UPDATE_TYPE[place.set.type] ?? null, holder ? el(holder, n) || null : null, reason)];
        }
        const entries = MAPPERS[place.set.type](segments, ctx);
        const usage = (place.interchange.isa[15] ?? '').trim();
        if (usage === 'P') return entries;
        // A test (T) or information (I) interchange is how a trading partner tries its maps: read, checked and
        // answered by the 997 as any other, but never applied to production POs. What the mapper rejected keeps its reason.
        return entries.map((entry) => (entry.update === null ? entry
          : rejectedEntry(ctx, entry.type, entry.po_number, `${USAGE_WORDS[usage] ?? 'test'} interchange (ISA15 = ${usage}): checked and acknowledged, not applied`)));
      };

      for (const segment of tokenize(text)) {
        const id = segment.elements[0].trim();
        if (current !== null && id !== 'ST' && id !== 'SE' && id !== 'GE' && id !== 'IEA') {
          current.push(segment);
          continue;
        }
        if (current !== null) yield* finish();
        if (id === 'ST') current = [];
      }
    },

    get interchangeCount() {
      return answered().length;
    },

    acknowledgement(firstControlNumber: number, now: Date = new Date()) {
      return renderAcknowledgement(answered(), firstControlNumber, now);
    },

    answeredInterchanges() {
      return answered();
    },
  };
}
