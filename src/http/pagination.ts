// Cursor paging for the list endpoints, ShipStation style: `page_size` 1–500, `links.first/last/prev/next`
// as `{href}` or null. The cursor is a signed token carrying the filters, the page size and the page, so
// following a link keeps the filters and a cursor that was altered is refused.
import { signToken, verifyToken } from '../domain/signing.ts';
import { ApiError, validationFailed } from './errors.ts';

export interface PageState<F> {
  filters: F;
  page_size: number;
  page: number;
}

export type Link = { href: string } | null;

export interface PageLinks {
  first: Link;
  last: Link;
  prev: Link;
  next: Link;
}

/**
 * The page a list request asks for: its cursor's state when it sends one (a cursor carries the filters, so none
 * may come beside it: 400 naming query.cursor), else page 1 of the request's filters as `normalise` makes them
 * (it may throw a 400 naming a bad filter). `page_size` defaults to 50.
 */
export function requestedListPage<F extends object>(
  secret: string, purpose: string, query: F & { cursor?: string; page_size?: number }, normalise: (filters: F) => F,
): PageState<F> {
  const { cursor, page_size: pageSize = 50, ...filters } = query;
  if (cursor === undefined) return { filters: normalise(filters as F), page_size: pageSize, page: 1 };
  if (Object.keys(filters).length > 0) {
    throw validationFailed([{ field: 'query.cursor', message: 'already carries the filters: send it without other filters' }]);
  }
  return readCursor<F>(secret, purpose, cursor);
}

export function readCursor<F>(secret: string, purpose: string, cursor: string): PageState<F> {
  const state = verifyToken<PageState<F>>(secret, purpose, cursor);
  if (!state || !Number.isInteger(state.page) || state.page < 1 || !Number.isInteger(state.page_size)) {
    throw new ApiError(400, 'validation_failed', 'The cursor is not valid: use links from a previous response unchanged.',
      [{ field: 'query.cursor', message: 'is not a cursor this API issued' }]);
  }
  return state;
}

export function pageLinks<F>(
  baseUrl: string, secret: string, purpose: string, state: PageState<F>, pages: number,
): PageLinks {
  const link = (page: number): Link =>
    ({ href: `${baseUrl}?cursor=${signToken(secret, purpose, { ...state, page })}` });
  const last = Math.max(1, pages);
  return {
    first: link(1),
    last: link(last),
    prev: state.page > 1 ? link(Math.min(state.page - 1, last)) : null,
    next: state.page < pages ? link(state.page + 1) : null,
  };
}
