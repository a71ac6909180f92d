// Reading X12 supplier documents (DESIGN 3, "Supplier documents"): 855, 856 and 810 transaction sets → supplier
// updates in the JSON API's wire shape, and the 997 answering them. Two passes over the bytes we already hold:
// readEnvelope checks the envelope and every set's syntax (keeping one small record per set), then entries()
// tokenizes again and maps one transaction set at a time, so a large file is never held as parsed objects.
import { documentText } from '../text.ts';
import type { DocumentEntry, DocumentUpdateType } from '../types.ts';
import { acknowledgedGroups, interchange997, type RejectedSets } from './acknowledgement.ts';
import { readEnvelope, type GroupRecord, type InterchangeRecord } from './envelope.ts';
import { map810 } from './map-810.ts';
import { map855 } from './map-855.ts';
import { map856 } from './map-856.ts';
import { problemsOf } from './faults.ts';
import { rejectedEntry, type MapContext } from './mapping.ts';
import { SET_ERROR, addContentFaults, type SetCheck } from './syntax.ts';
import { el, tokenize, type Segment } from './tokenizer.ts';

export { carrierOfScac } from './carriers.ts';
export type { InterchangeRecord } from './envelope.ts';
export type { RejectedSets } from './acknowledgement.ts';

export interface X12Reading {
  /** Entries in file order, streamed per transaction set (never the whole file as parsed objects). Throws
   *  UnreadableDocumentError (with line/column) BEFORE yielding anything when the file cannot be read at all:
   *  no ISA header, a broken envelope (ISA/IEA, GS/GE mismatch or missing trailers). */
  entries(): AsyncGenerator<DocumentEntry>;
  /** After entries() is exhausted: how many 997 interchanges acknowledgement() writes (one per interchange read). */
  readonly interchangeCount: number;
  /** The 997 text answering every group and set read, by syntax only (once entries() is exhausted, a set refused for
   *  its syntax also has the faults of its content: contentFaults) (the pipeline's 997, renderAcknowledgement with the
   *  sets refused while mapped or applied, answers those R too); interchange i uses control number firstControlNumber + i
   *  (ISA13, and GS06/ST02 as you see fit). Sender and receiver are swapped from the received ISA/GS. */
  acknowledgement(firstControlNumber: number, now?: Date): string;
  /** What acknowledgement() answers, as plain data (it can be posted to another thread): render with
   *  renderAcknowledgement(answered, firstControlNumber). */
  answeredInterchanges(): InterchangeRecord[];
}

/**
 * The 997 text for interchanges a reading answers (X12Reading.answeredInterchanges): as X12Reading.acknowledgement,
 * with the sets `rejected` for their content when mapped or applied answered R too.
 */
export function renderAcknowledgement(answered: readonly InterchangeRecord[], firstControlNumber: number, now: Date = new Date(),
  rejected?: RejectedSets): string {
  return answered.map((interchange, i) => interchange997(interchange, firstControlNumber + i, now, rejected)).join('');
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
 * A set refused for its syntax is mapped all the same, for the faults of its content (an IT102 of "-3" beside a
 * BIG01 that is no date): its reason and its 997 then tell every fault, so the supplier corrects them in one resend.
 * Not when its segments cannot be trusted to be the ones sent (SE01 miscounts them, or no SE ends the set: a
 * segment may have run into the next), nor its 856 levels (an HL refused), nor for a set type we do not map. A
 * segment the syntax check already named is not named again (what the mapper finds there follows from that fault). A mapper that trips on what the syntax
 * check already refused (no BIG, no TDS) adds nothing.
 */
function contentFaults(set: SetCheck, segments: readonly Segment[], ctx: MapContext): void {
  const mapper = MAPPERS[set.type];
  if (!mapper || set.glued || set.setErrors.includes(SET_ERROR.segmentCountMismatch) || set.setErrors.includes(SET_ERROR.trailerMissing)) return;
  // An 856 whose HL tree is refused: which level is under which is not known, so neither is what each level lacks.
  if (set.segmentErrors.some((error) => error.id === 'HL')) return;
  let entries: DocumentEntry[];
  try {
    entries = mapper(segments, ctx);
  } catch {
    return;
  }
  addContentFaults(set, entries.flatMap((entry) => (entry.update !== null ? [] : problemsOf(entry))));
}

/** Numbers every set in file order (SetCheck.ordinal, from 0): the `set` of its entries, which the 997 answers. */
function numberSets(interchanges: InterchangeRecord[]): InterchangeRecord[] {
  let ordinal = 0;
  for (const interchange of interchanges) for (const group of interchange.groups) for (const set of group.sets) set.ordinal = ordinal++;
  return interchanges;
}

/**
 * Reads an X12 file (UTF-8 or ASCII bytes; a BOM is ignored). Nothing is parsed until entries() or
 * acknowledgement() is called; both share one envelope pass.
 *
 * The source of an entry is `ST <ST02> (<ST01>)`, followed by `, GS <GS06>` when the file has several functional
 * groups and `, ISA <ISA13>` when it has several interchanges. A set rejected by the 997 (AK5 R) or in a rejected
 * group (AK9 R) yields one entry with `update: null` and the reason; a well-formed set may still yield a
 * rejected entry when it cannot become an update (no tracking number, SN102 "-3", …), with the element at fault
 * (`fault`). Entries of a well-formed set carry its ordinal (`set`): the pipeline applies them all or none and
 * answers the set R in the 997 when it refuses one. The sets of an interchange with ISA15 T (test) or I
 * (information) are read and acknowledged as usual, but each entry is rejected "test interchange (ISA15 = T):
 * checked and acknowledged, not applied" (not a refusal of the set: the 997 still accepts a well-formed one).
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
  const read = () => (envelope ??= numberSets(readEnvelope(text)));
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
        const entries = mapSet(place);
        const wellFormed = place.group.reason === null && place.set.reason === null;
        const usage = (place.interchange.isa[15] ?? '').trim();
        // A test (T) or information (I) interchange is how a trading partner tries its maps: read, checked and
        // answered by the 997 as any other, but never applied to production POs. A set its mapper refused is
        // answered R as in production (that is what the partner is testing); a sound one is accepted, and each of
        // its entries says it was not applied (entries of their own, so that this is not taken as a refusal).
        if (wellFormed && usage !== 'P' && entries.every((entry) => entry.update !== null)) {
          const reason = `${USAGE_WORDS[usage] ?? 'test'} interchange (ISA15 = ${usage}): checked and acknowledged, not applied`;
          const ctx: MapContext = { source: sourceOf(place), supplierName: null };
          return entries.map((entry) => rejectedEntry(ctx, entry.type, entry.po_number, reason));
        }
        // Each entry of a well-formed set names its set: it is applied all or none, and answered R in the 997 when
        // refused (store/supplier-documents.ts). A set the 997 already rejects (syntax) is one entry, on its own.
        if (wellFormed) for (const entry of entries) entry.set = place.set.ordinal;
        return entries;
      };
      const mapSet = (place: SetPlace): DocumentEntry[] => {
        const segments = current!;
        current = null;
        const ctx: MapContext = { source: sourceOf(place), supplierName: options.supplierName?.trim() || null };
        if (place.group.reason === null && place.set.reason !== null) contentFaults(place.set, segments, ctx);
        const reason = place.group.reason ?? place.set.reason;
        if (reason !== null) {
          const [id, n] = PO_ELEMENT[place.set.type] ?? ['', 0];
          const holder = segments.find((s) => s.elements[0] === id);
          // Worded as a set refused for its content is (store/supplier-document-sets.ts refusedSetReason), one fault or
          // several: `ST 0001 (855) rejected: …`.
          return [rejectedEntry(ctx, UPDATE_TYPE[place.set.type] ?? null, holder ? el(holder, n) || null : null, `${ctx.source} rejected: ${reason}`)];
        }
        return MAPPERS[place.set.type](segments, ctx);
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
