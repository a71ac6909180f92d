// Cursor paging for the list endpoints, ShipStation style: `page_size` 1–500, `links.first/last/prev/next`
// as `{href}` or null. The cursor is a signed token carrying the filters, the page size and the page, so
// following a link keeps the filters and a cursor that was altered is refused.
import { signToken, verifyToken } from '../domain/signing.ts';
import { ApiError } from './errors.ts';

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
