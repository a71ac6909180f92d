// Places in the console's lists (DESIGN 7: a page is found by seeking a position, never by counting or skipping
// rows). A list's Next and Previous links carry `after` or `before`, the sort key of the row the page continues
// from (`<instant>~<id>~<signature>`), and `page`, the page number the pager shows. Pages are found by the place
// alone; the page number is a label that travels beside it. So that the label is never made up (`?after=…&page=9`
// on what is the second page, or a place kept while the filters were changed by hand), the signature (HMAC-SHA256
// under the service's secret, domain/signing.ts) covers the list, its filters, the direction, the place and the
// page number: an edited link is a 400 naming the parameter and what to do, as every bad query is (params.ts).
import { shortSignature, verifyShortSignature } from '../domain/signing.ts';
import type { PageQuery } from './params.ts';

/** A row's place in a list: its sort instant as stored and its id. */
export interface ListPlace {
  at: string;
  id: string;
}

export interface PlaceRequest {
  /** The page after this place (Next), or before it (Previous); neither: the first page. */
  after?: ListPlace;
  before?: ListPlace;
  /** The page number to show (1 without a place). */
  page: number;
}

type Direction = 'after' | 'before';

const PURPOSE = 'console-list-place';
const PLACE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2}))~([A-Za-z0-9_-]{1,100})~([A-Za-z0-9_-]{22})$/;

/** The list's filters as they are signed: the query's filter parameters that are set, in a fixed order. */
export function listScope(filters: Record<string, string>): string {
  return new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== '').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))).toString();
}

const payload = (list: string, scope: string, direction: Direction, place: ListPlace, page: number) =>
  [list, scope, direction, place.at, place.id, String(page)].join('\n');

/** The query parameters of a link to page `page`, the page `direction` of `place` in `list` with filters `scope`. */
export function placeParameters(secret: string, list: string, scope: string, direction: Direction, place: ListPlace, page: number): Record<string, string> {
  const signature = shortSignature(secret, PURPOSE, payload(list, scope, direction, place, page));
  return { [direction]: `${place.at}~${place.id}~${signature}`, page: String(page) };
}

/**
 * Reads `after`, `before` and `page` (the list's links, unchanged) into `params`' problems or a request. `query`
 * is the raw query (whether `page` was given at all); `scope` the list's filters as read (listScope).
 */
export function readPlace(params: PageQuery, query: unknown, secret: string, list: string, scope: string): PlaceRequest {
  const page = params.page();
  const read = (field: Direction): (ListPlace & { signature: string }) | undefined => {
    const text = params.text(field, 300);
    if (text === undefined) return undefined;
    const match = PLACE.exec(text);
    if (match) return { at: match[1], id: match[2], signature: match[3] };
    params.add(field, 'is not a place in this list: use the links of the list\'s pages unchanged');
    return undefined;
  };
  const after = read('after');
  const before = read('before');
  if (after !== undefined && before !== undefined) params.add('before', 'cannot come with after: give one of them');
  const placed = after ?? before;
  const field: Direction = after !== undefined ? 'after' : 'before';
  if (!params.has('page') && !params.has('after') && !params.has('before')) {
    const pageGiven = typeof (query as Record<string, unknown> | null)?.page === 'string';
    if (placed === undefined && page > 1) {
      params.add('page', 'pages after the first are opened with the Next page link (it carries their place in the list)');
    } else if (placed !== undefined && page === 1) {
      // With no page number given, the place itself is what was changed by hand: name it, not the missing number.
      if (pageGiven) params.add('page', 'must be 2 or more with after or before');
      else params.add(field, 'comes with the page number the list\'s links carry: use those links unchanged');
    } else if (placed !== undefined && !verifyShortSignature(secret, PURPOSE, payload(list, scope, field, placed, page), placed.signature)) {
      params.add(field, `was made for another page number or other filters than these (page ${page}): use the list's links ` +
        'unchanged, or start again from the first page');
    }
  }
  const plain = (place: typeof placed) => (place === undefined ? undefined : { at: place.at, id: place.id });
  return { page, after: plain(after), before: plain(before) };
}
