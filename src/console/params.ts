// Reading a console page's query string (DESIGN 2.2: bad input is a 400 naming the field, never silently ignored).
// Every page names the parameters it takes and reads each value by one of the rules here; a parameter it does not
// take, one given twice, text with control characters, a value that is not one of the page's values: each is
// a problem naming the parameter, and the page answers the console's 400 page listing them all. A stale bookmark
// or a hand-edited link so says what is wrong instead of quietly showing page 1, everything, or nothing.
import { isCalendarDate } from '../domain/dates.ts';
import { InvalidInputError, type FieldProblem } from '../domain/errors.ts';
import { textProblem, visible } from '../domain/plain-text.ts';

/** Highest page number a console page accepts (its pager never gets near it). */
export const MAX_PAGE = 999_999;

export class PageQuery {
  private readonly problems: FieldProblem[] = [];
  private readonly query: Record<string, unknown>;

  /** `allowed`: the parameters this page takes; any other is a problem. */
  constructor(query: unknown, private readonly allowed: readonly string[]) {
    this.query = (query ?? {}) as Record<string, unknown>;
    for (const name of Object.keys(this.query)) {
      if (allowed.includes(name)) continue;
      const takes = allowed.length === 0 ? 'it takes none' : `it takes ${allowed.join(', ')}`;
      this.problems.push({ field: visible(name, 60), message: `is not a parameter of this page (${takes})` });
    }
  }

  /**
   * The parameter's text, trimmed; undefined when it is absent or blank (a form's "any" choice sends it empty).
   * At most `maxLength` characters, plain text (domain/plain-text.ts), and given once.
   */
  text(field: string, maxLength = 200): string | undefined {
    const value = this.query[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      this.add(field, 'was given more than once: give one value');
      return undefined;
    }
    const trimmed = value.trim();
    if (trimmed === '') return undefined;
    const problem = textProblem(trimmed);
    if (problem !== null) {
      this.add(field, problem);
      return undefined;
    }
    if (trimmed.length > maxLength) {
      this.add(field, `is too long: at most ${maxLength} characters`);
      return undefined;
    }
    return trimmed;
  }

  /** One of `values` (quoted back in the problem, with what they are: "a status"), or undefined when absent. */
  oneOf<T extends string>(field: string, values: readonly T[], what: string): T | undefined {
    const value = this.text(field);
    if (value === undefined) return undefined;
    if ((values as readonly string[]).includes(value)) return value as T;
    this.add(field, `"${visible(value, 60)}" is not ${what} (one of ${values.join(', ')})`);
    return undefined;
  }

  /** A calendar date `YYYY-MM-DD` (what a date field sends), or undefined when absent. */
  date(field: string): string | undefined {
    const value = this.text(field);
    if (value === undefined) return undefined;
    if (isCalendarDate(value)) return value;
    this.add(field, `"${visible(value, 60)}" is not a date (YYYY-MM-DD)`);
    return undefined;
  }

  /** A page number from 1 (default 1); a wrong one is a problem, and 1 is returned. */
  page(field = 'page'): number {
    const value = this.text(field);
    if (value === undefined) return 1;
    if (/^[1-9][0-9]*$/.test(value) && Number(value) <= MAX_PAGE) return Number(value);
    this.add(field, `must be a whole number from 1 to ${MAX_PAGE}`);
    return 1;
  }

  /** A problem the page found itself (a value that is well-formed but names nothing, two that disagree). */
  add(field: string, message: string): void {
    if (!this.problems.some((p) => p.field === field && p.message === message)) this.problems.push({ field, message });
  }

  has(field: string): boolean {
    return this.problems.some((p) => p.field === field);
  }

  /** Throws the 400 (InvalidInputError → the console's error page) listing every problem found, if any. */
  done(): void {
    if (this.problems.length > 0) throw new InvalidInputError(this.problems);
  }
}

/** Checks a page that takes no parameters (or only the ones given). */
export function checkQuery(query: unknown, allowed: readonly string[] = []): void {
  new PageQuery(query, allowed).done();
}
