// Rules for sync connections (DESIGN section 4), shared by the connections API and `ordersync connections`:
// default base URLs, the credentials each kind needs, schedule bounds, base URL checks and the redaction of
// credentials from text that leaves the process (run errors). Messages name fields, never credential values.
import type { FieldProblem } from './errors.ts';
import { CONNECTION_KINDS, type ConnectionKind, type Credentials } from '../sync/types.ts';

export { CONNECTION_KINDS, type ConnectionKind };

export const DEFAULT_BASE_URLS: Record<ConnectionKind, string> = {
  shipstation: 'https://api.shipstation.com',
  stocky: 'https://stocky.shopifyapps.com',
};

/** The credential fields each kind needs (all required, no others allowed). */
export const CREDENTIAL_FIELDS: Record<ConnectionKind, readonly string[]> = {
  shipstation: ['api_key'],
  stocky: ['store_name', 'api_key'],
};

export const SCHEDULE_MINUTES = { min: 1, max: 1440, default: 15 } as const;

/** Credential values are sent as HTTP header values: visible ASCII, no spaces or line breaks. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;
/** A Shopify store's host name, e.g. `golf-shop.myshopify.com`. */
const STORE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$/;
const MAX_CREDENTIAL_LENGTH = 500;

export function isConnectionKind(value: string): value is ConnectionKind {
  return (CONNECTION_KINDS as readonly string[]).includes(value);
}

/**
 * Problems with `credentials` for a connection of `kind`: each required field present and well-formed, no
 * field the kind does not use. An empty list means they can be stored.
 */
export function credentialProblems(kind: ConnectionKind, credentials: Record<string, unknown>, field = 'body.credentials'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const wanted = CREDENTIAL_FIELDS[kind];
  for (const name of wanted) {
    const value = credentials[name];
    const where = `${field}.${name}`;
    if (value === undefined) problems.push({ field: where, message: `is required for a ${kind} connection` });
    else if (typeof value !== 'string') problems.push({ field: where, message: 'must be a string' });
    else if (value.length === 0 || value.length > MAX_CREDENTIAL_LENGTH) {
      problems.push({ field: where, message: `must be 1–${MAX_CREDENTIAL_LENGTH} characters` });
    } else if (name === 'store_name' && !STORE_NAME.test(value)) {
      problems.push({ field: where, message: 'must be the store\'s host name, e.g. golf-shop.myshopify.com' });
    } else if (!HEADER_SAFE.test(value)) {
      problems.push({ field: where, message: 'must be visible ASCII characters without spaces' });
    }
  }
  for (const name of Object.keys(credentials)) {
    if (!wanted.includes(name)) problems.push({ field: `${field}.${name}`, message: `is not used by a ${kind} connection` });
  }
  return problems;
}

/** The credentials with only the fields the kind uses, once credentialProblems found none. */
export function toCredentials(kind: ConnectionKind, credentials: Record<string, unknown>): Credentials {
  return Object.fromEntries(CREDENTIAL_FIELDS[kind].map((name) => [name, credentials[name]])) as unknown as Credentials;
}

/**
 * An upstream base URL as stored: http(s), no user name or password (credentials go in `credentials`),
 * no query or fragment, without a trailing slash. Returns a problem instead when it is not one.
 */
export function normaliseBaseUrl(raw: string, field = 'body.base_url'): { url: string } | { problem: FieldProblem } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: { field, message: 'must be an absolute http(s) URL' } };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: { field, message: 'must be an http or https URL' } };
  if (url.username || url.password) {
    return { problem: { field, message: 'must not contain a user name or password: send those in credentials' } };
  }
  if (url.search || url.hash || raw.includes('?') || raw.includes('#')) {
    return { problem: { field, message: 'must not have a query string or fragment' } };
  }
  return { url: url.toString().replace(/\/+$/, '') };
}

export function scheduleProblem(minutes: number, field = 'body.schedule_minutes'): FieldProblem | null {
  return Number.isInteger(minutes) && minutes >= SCHEDULE_MINUTES.min && minutes <= SCHEDULE_MINUTES.max
    ? null
    : { field, message: `must be a whole number of minutes from ${SCHEDULE_MINUTES.min} to ${SCHEDULE_MINUTES.max}` };
}

/** `from` plus the schedule, as stored (ISO 8601 UTC). */
export function nextRunAt(from: Date, scheduleMinutes: number): string {
  return new Date(from.getTime() + scheduleMinutes * 60_000).toISOString();
}

/**
 * `text` with every credential value replaced by `[redacted]`: run errors come from upstream responses and
 * HTTP client messages, and are stored and returned by the API, so a key echoed in one must not travel on.
 */
export function redactCredentials(text: string, credentials: Credentials | Record<string, unknown>): string {
  let out = text;
  const values = Object.values(credentials).filter((v): v is string => typeof v === 'string' && v.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const value of values) out = out.split(value).join('[redacted]');
  return out;
}
