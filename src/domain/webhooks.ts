// Webhook delivery rules (DESIGN 4b), pure: the retry schedule, when an endpoint is disabled, which addresses a
// delivery may connect to, and the form of endpoint secrets (random, like domain/ids.ts).
import { randomBytes } from 'node:crypto';
import ipaddr from 'ipaddr.js';

/** 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h until about 3 days have passed since the first attempt (DESIGN 4b). */
export const DEFAULT_RETRY_DELAYS_SECONDS: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 36000, 36000, 36000, 36000, 36000];

/** A new endpoint secret (DESIGN 4b): `whsec_` + base64 of 32 random bytes, the form Standard Webhooks verifiers take. */
export function newEndpointSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** An endpoint whose every attempt failed for this long is disabled (DESIGN 4b). */
export const FAILING_DISABLE_AFTER_MS = 3 * 24 * 60 * 60 * 1000;

/** Any 2xx within this is success (DESIGN 4b). */
export const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * `WEBHOOK_RETRY_DELAYS`: comma-separated seconds (non-negative numbers) replacing the schedule, e.g. `1,1,2`
 * (three retries). Returns the delays, or a message for the variable's error.
 */
export function parseRetryDelays(text: string): number[] | string {
  const parts = text.split(',').map((part) => part.trim());
  const delays = parts.map(Number);
  if (parts.some((part) => part === '') || delays.some((d) => !Number.isFinite(d) || d < 0)) {
    return `expected comma-separated seconds such as "5,300,1800", got "${text}"`;
  }
  return delays;
}

/** Delay in ms before the next attempt after `attemptsMade` failed attempts, or null: the delivery has failed for good. */
export function retryDelayMs(delaysSeconds: readonly number[], attemptsMade: number): number | null {
  const delay = delaysSeconds[attemptsMade - 1];
  return delay === undefined ? null : Math.round(delay * 1000);
}

/** What one attempt's outcome does to its delivery and endpoint. */
export type AttemptVerdict =
  | { kind: 'succeeded' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'failed' }
  | { kind: 'gone' };

/** The verdict on an attempt that got `status` (null: no response: refused, timed out, network error). */
export function judgeAttempt(status: number | null, delaysSeconds: readonly number[], attemptsMade: number): AttemptVerdict {
  if (status !== null && status >= 200 && status < 300) return { kind: 'succeeded' };
  if (status === 410) return { kind: 'gone' };
  const delayMs = retryDelayMs(delaysSeconds, attemptsMade);
  return delayMs === null ? { kind: 'failed' } : { kind: 'retry', delayMs };
}

/** An endpoint failing since this instant (ISO UTC) or earlier is to be disabled at `now` (FAILING_DISABLE_AFTER_MS). */
export function failingCutoff(now: Date): string {
  return new Date(now.getTime() - FAILING_DISABLE_AFTER_MS).toISOString();
}

/** Cloud metadata services outside link-local: refused whatever the setting. */
const METADATA_ADDRESSES = new Set(['fd00:ec2::254', '100.100.100.200']);
/**
 * An allow-list of ipaddr.js range names (anything not named here is refused always: link-local, unspecified,
 * multicast, broadcast, reserved, documentation, discard, site-local, ...). Public unicast passes; private
 * networks and this machine pass only with WEBHOOKS_ALLOW_PRIVATE_URLS (DESIGN 4b).
 */
const PRIVATE_RANGES = new Set(['private', 'loopback', 'carrierGradeNat', 'uniqueLocal']);
/**
 * IPv6 ranges that carry an IPv4 address and reach it through a translator or relay (RFC 6145 IPv4-translated,
 * RFC 6052/8215 NAT64, RFC 3056 6to4, RFC 4380 Teredo): never public for us, so they need
 * WEBHOOKS_ALLOW_PRIVATE_URLS, and the IPv4 address they carry must pass as well.
 */
const TRANSLATED_RANGES = new Set(['rfc6145', 'rfc6052', '6to4', 'teredo']);

/**
 * Parses an IPv4 or IPv6 literal, or null. A dotted IPv4 tail of an IPv6 literal is rewritten as two hex groups
 * first: ipaddr.js 2.5 reads "::127.0.0.1" as "::ffff:127.0.0.1", which would hide the IPv4-compatible form.
 */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  let text = address;
  const dotted = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(%.*)?$/.exec(address);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(2, 6).map(Number);
    if ([a, b, c, d].some((n) => n > 255)) return null;
    text = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}${dotted[6] ?? ''}`;
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  return ipaddr.IPv6.isValid(text) ? ipaddr.IPv6.parse(text) : null;
}

const ipv4At = (bytes: number[], at: number) => new ipaddr.IPv4(bytes.slice(at, at + 4));

/**
 * The range of an IPv6 address as ipaddr.js names it, except that ::/96 beyond :: and ::1 is 'ipv4Compatible'
 * (deprecated by RFC 4291 2.5.5.1; ipaddr.js calls it 'unicast').
 */
function ipv6Range(address: ipaddr.IPv6): string {
  const range = address.range();
  if (range !== 'unicast') return range;
  return address.parts.slice(0, 6).every((part) => part === 0) ? 'ipv4Compatible' : range;
}

/**
 * The IPv4 addresses an IPv6 address of `range` carries, by the layout of its RFC: the last 32 bits of the
 * IPv4-mapped, -compatible and -translated forms and of NAT64 (the /96 layout of RFC 6052, the only one of the
 * well-known prefix; a local-use 64:ff9b:1::/48 deployment with a shorter prefix is the operator's own network and
 * needs WEBHOOKS_ALLOW_PRIVATE_URLS anyway); bits 16-47 of 6to4; Teredo's server (bits 32-63) and its client
 * (the last 32 bits, inverted).
 */
function carriedIPv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4[] {
  const bytes = address.toByteArray();
  switch (range) {
    case 'ipv4Mapped': case 'ipv4Compatible': case 'rfc6145': case 'rfc6052': return [ipv4At(bytes, 12)];
    case '6to4': return [ipv4At(bytes, 2)];
    case 'teredo': return [ipv4At(bytes, 4), new ipaddr.IPv4(bytes.slice(12, 16).map((b) => b ^ 0xff))];
    default: return [];
  }
}

/** The verdict on a plain address whose range is `range` (see PRIVATE_RANGES), or null when it passes. */
function rangeProblem(normalized: string, range: string, allowPrivate: boolean): string | null {
  if (METADATA_ADDRESSES.has(normalized)) return `${normalized} is a cloud metadata address`;
  if (range === 'unicast') return null;
  if (!PRIVATE_RANGES.has(range)) return `${normalized} is a ${range} address`;
  return allowPrivate ? null : `${normalized} is a ${range} address (set WEBHOOKS_ALLOW_PRIVATE_URLS=true for private networks)`;
}

/**
 * Why a webhook may not connect to `address` (an IPv4 or IPv6 literal), or null when it may. Only public
 * unicast addresses are admitted; `allowPrivate` (WEBHOOKS_ALLOW_PRIVATE_URLS) admits loopback, private,
 * unique-local and carrier-grade NAT ranges too, never link-local, metadata, unspecified, multicast, broadcast or
 * reserved ones (DESIGN 4b). An IPv6 address carrying an IPv4 address (mapped, compatible, translated, NAT64,
 * 6to4, Teredo) is judged by that IPv4 address as well as by its own range; an IPv4-mapped one only by its IPv4
 * address (a dual-stack socket connects to exactly that), an IPv4-compatible one is refused always (deprecated).
 */
export function addressProblem(address: string, allowPrivate: boolean): string | null {
  const parsed = parseAddress(address);
  if (parsed === null) return `"${address}" is not an IP address`;
  if (parsed.kind() === 'ipv4') return rangeProblem(parsed.toString(), parsed.range(), allowPrivate);
  const v6 = parsed as ipaddr.IPv6;
  const range = ipv6Range(v6);
  const normalized = v6.toString();
  for (const carried of carriedIPv4(v6, range)) {
    const problem = rangeProblem(carried.toString(), carried.range(), allowPrivate);
    if (problem) return range === 'ipv4Mapped' ? problem : `${normalized} carries an IPv4 address: ${problem}`;
  }
  if (range === 'ipv4Mapped') return null;
  if (range === 'ipv4Compatible') return `${normalized} is an ipv4Compatible address (deprecated by RFC 4291; use the IPv4 address)`;
  if (TRANSLATED_RANGES.has(range)) {
    return allowPrivate ? null : `${normalized} is a ${range} address (set WEBHOOKS_ALLOW_PRIVATE_URLS=true for private networks)`;
  }
  return rangeProblem(normalized, range, allowPrivate);
}

/** Why `url` cannot be a webhook URL before any name is resolved (scheme, credentials, form), or null. */
export function urlFormProblem(url: string): string | null {
  // The URL parser drops spaces and control characters at either end, and tabs and line breaks anywhere, without a
  // word: the URL stored and shown would not be the one called. Refused, as other malformed URLs are.
  if (/[\s\u0000-\u001f\u007f-\u009f]/u.test(url)) return 'must not contain spaces, line breaks or control characters (percent-encode them)';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    if (/^https?:\/\/(?:[^/]*@)?\[[^\]]*%/i.test(url)) return 'must not name an IPv6 zone (%25…): a zone is a link-local interface, refused';
    return 'must be an absolute http or https URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `the scheme must be https or http, not ${parsed.protocol.slice(0, -1)}`;
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry credentials (user:password@)';
  if (parsed.hostname === '') return 'must name a host';
  return null;
}
