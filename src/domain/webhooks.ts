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

/** Addresses no setting admits: link-local (169.254.0.0/16, fe80::/10, cloud metadata among them) and other metadata services. */
const ALWAYS_REFUSED = new Set(['linkLocal', 'multicast', 'broadcast', 'reserved']);
const METADATA_ADDRESSES = new Set(['fd00:ec2::254', '100.100.100.200']);

/**
 * Why a webhook may not connect to `address` (an IPv4 or IPv6 literal), or null when it may. Only public
 * unicast addresses are admitted; `allowPrivate` (WEBHOOKS_ALLOW_PRIVATE_URLS) admits loopback, private,
 * unique-local and carrier-grade NAT ranges too, never link-local or metadata addresses (DESIGN 4b).
 */
export function addressProblem(address: string, allowPrivate: boolean): string | null {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const normalized = parsed.toString();
  const range = parsed.range();
  if (METADATA_ADDRESSES.has(normalized)) return `${normalized} is a cloud metadata address`;
  if (ALWAYS_REFUSED.has(range)) return `${normalized} is a ${range} address`;
  if (range === 'unicast') return null;
  return allowPrivate ? null : `${normalized} is a ${range} address (set WEBHOOKS_ALLOW_PRIVATE_URLS=true for private networks)`;
}

/** Why `url` cannot be a webhook URL before any name is resolved (scheme, credentials, form), or null. */
export function urlFormProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `the scheme must be https or http, not ${parsed.protocol.slice(0, -1)}`;
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry credentials (user:password@)';
  if (parsed.hostname === '') return 'must name a host';
  return null;
}
