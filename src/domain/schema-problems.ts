// Ajv's findings as field problems in our words (DESIGN 2.2: every 4xx names the field, and the allowed values
// or the limit where there is one). Shared by the HTTP layer (request schemas) and the domain's own schemas
// (supplier updates), so both say the same thing the same way.
import type { FieldProblem } from './errors.ts';
import { CURRENCY_CODE_PROBLEM } from './money.ts';
import { quoted } from './plain-text.ts';
import { parseTimestamp } from './timestamps.ts';

export interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  /** With ajv's `verbose`: the failing subschema (for its `x-message`). */
  parentSchema?: Record<string, unknown>;
  /** With ajv's `verbose`: the failing value (quoted in a format's message). */
  data?: unknown;
}

/**
 * Our words for a value that fails a `format`, by format name (the formats http/validation.ts registers): the value
 * quoted, the form expected. A format not listed here needs an `x-message` (`uncoveredRules` checks at start-up).
 */
const FORMAT_PROBLEMS: Partial<Record<string, (value: string) => string>> = {
  date: (value) => `${quoted(value)} is not a calendar date (YYYY-MM-DD)`,
  // The one timestamp parser says what is wrong with it (no time zone needed to know a value cannot be read).
  'date-time': (value) => {
    const result = parseTimestamp(value, { zone: 'UTC' });
    return result.ok ? 'must be an RFC 3339 date-time or a date' : result.reason;
  },
  email: (value) => `${quoted(value)} is not an email address (name@example.com)`,
  'currency-code': () => CURRENCY_CODE_PROBLEM,
};

/** Keys whose values are data, not subschemas (as domain/plain-text.ts's copy walks them). */
const DATA_KEYS = new Set(['enum', 'const', 'default', 'examples', 'example', 'required', 'x-message']);

/**
 * The places in a JSON schema (`/properties/start_date`) whose failure would reach a user in Ajv's words or as a
 * regex: a `pattern` without an `x-message`, or a `format` that is neither worded in FORMAT_PROBLEMS nor has an
 * `x-message`. Request schemas must have none (http/validation.ts refuses them at start-up).
 */
export function uncoveredRules(schema: unknown, at = ''): string[] {
  if (schema === null || typeof schema !== 'object') return [];
  if (Array.isArray(schema)) return schema.flatMap((item, i) => uncoveredRules(item, `${at}/${i}`));
  const node = schema as Record<string, unknown>;
  const worded = typeof node['x-message'] === 'string';
  const found: string[] = [];
  if (typeof node.pattern === 'string' && !worded) found.push(`${at || '/'}: pattern ${node.pattern} has no x-message`);
  if (typeof node.format === 'string' && !worded && !Object.hasOwn(FORMAT_PROBLEMS, node.format) && node.format !== 'binary') {
    found.push(`${at || '/'}: format ${node.format} has no x-message`);
  }
  for (const [key, value] of Object.entries(node)) if (!DATA_KEYS.has(key)) found.push(...uncoveredRules(value, `${at}/${key}`));
  return found;
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function typeWords(type: unknown): string {
  const types = (Array.isArray(type) ? type : [type]).map(String).map((t) => (t === 'null' ? 'null' : article(t === 'integer' ? 'whole number' : t)));
  return types.join(' or ');
}

/** One Ajv issue → `{field, message}`; `where` is `body`, `query`, `params`, or a path such as `updates[3]`. */
export function problemFromAjv(issue: AjvIssue, where: string): FieldProblem {
  let path = issue.instancePath.split('/').filter(Boolean)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`)).join('');
  const p = issue.params;
  const custom = issue.parentSchema?.['x-message'];
  let message: string;
  switch (issue.keyword) {
    case 'additionalProperties':
      path += `.${String(p.additionalProperty)}`;
      message = 'is not a known field';
      break;
    case 'required':
      path += `.${String(p.missingProperty)}`;
      message = 'is required';
      break;
    case 'enum':
      message = `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'const':
      message = `must be ${JSON.stringify(p.allowedValue)}`;
      break;
    case 'type':
      message = `must be ${typeWords(p.type)}`;
      break;
    case 'minLength':
      message = Number(p.limit) === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
      break;
    case 'maxLength':
      message = `must be at most ${String(p.limit)} characters`;
      break;
    case 'minItems':
      message = `must have at least ${String(p.limit)} item${Number(p.limit) === 1 ? '' : 's'}`;
      break;
    case 'maxItems':
      message = `must have at most ${String(p.limit)} items`;
      break;
    case 'minimum': case 'exclusiveMinimum':
      message = `must be ${issue.keyword === 'minimum' ? 'at least' : 'more than'} ${String(p.limit)}`;
      break;
    case 'maximum': case 'exclusiveMaximum':
      message = `must be ${issue.keyword === 'maximum' ? 'at most' : 'less than'} ${String(p.limit)}`;
      break;
    case 'minProperties': {
      // An update that must change something (`{}` is refused): the fields it may hold, not Ajv's "properties".
      const fields = Object.keys((issue.parentSchema?.properties ?? {}) as object);
      message = Number(p.limit) === 1
        ? `must hold at least one field${fields.length > 0 ? ` (${fields.join(', ')})` : ''}`
        : `must hold at least ${String(p.limit)} fields`;
      break;
    }
    case 'maxProperties':
      message = `must hold at most ${String(p.limit)} fields`;
      break;
    case 'multipleOf':
      message = `must be a multiple of ${String(p.multipleOf)}`;
      break;
    case 'pattern':
      // Never the regex itself: a request schema's pattern always has an x-message (uncoveredRules).
      message = typeof custom === 'string' ? custom : 'is not in the expected form';
      break;
    case 'format': {
      const worded = FORMAT_PROBLEMS[String(p.format)];
      message = typeof custom === 'string' ? custom
        : worded && typeof issue.data === 'string' ? worded(issue.data) : `must be ${article(String(p.format))}`;
      break;
    }
    case 'x-text': case 'x-integer': case 'x-exact':
      // Our own checks (domain/plain-text.ts, http/validation.ts, domain/json-numbers.ts) word their findings themselves.
      message = issue.message ?? 'is invalid';
      break;
    default:
      message = typeof custom === 'string' ? custom : issue.message ?? 'is invalid';
  }
  return { field: `${where}${path}`, message };
}

/**
 * Every issue as a problem, one per field: a union's failed branches (`anyOf`) collapse into one message, and a
 * union of constants (TypeBox's Union of Literals) names every allowed value, not only the first branch's.
 */
export function problemsFromAjv(issues: readonly AjvIssue[], where: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  const constants = new Map<string, unknown[]>();
  for (const issue of issues) {
    if (issue.keyword !== 'const') continue;
    const values = constants.get(issue.instancePath) ?? [];
    values.push(issue.params.allowedValue);
    constants.set(issue.instancePath, values);
  }
  for (const issue of issues) {
    if (issue.keyword === 'anyOf' || issue.keyword === 'oneOf' || issue.keyword === 'if') continue;
    const allowed = issue.keyword === 'const' ? constants.get(issue.instancePath) ?? [] : [];
    const problem = allowed.length > 1
      ? problemFromAjv({ ...issue, keyword: 'enum', params: { allowedValues: allowed } }, where)
      : problemFromAjv(issue, where);
    if (seen.has(problem.field)) continue;
    seen.add(problem.field);
    problems.push(problem);
  }
  return problems;
}
