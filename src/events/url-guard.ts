// The SSRF guard of webhook URLs (DESIGN 4b): checked when an endpoint is created or changed, and at every
// delivery on the address actually connected to. The rules are domain/webhooks.ts; this module resolves names.
//
// Against DNS rebinding (a name that resolves to a public address when checked and to 127.0.0.1 when used),
// deliveries connect through `guardedLookup`: the HTTP agent asks it for the address, it checks what it
// resolved and hands over only checked addresses, so the address checked is the address connected to.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { addressProblem, urlFormProblem } from '../domain/webhooks.ts';

/** A resolver with dns.lookup's `{all: true}` shape (tests pass their own to point names anywhere). */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolve: Resolve = (hostname) => new Promise((resolve, reject) => {
  dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
});

export interface GuardOptions {
  /** WEBHOOKS_ALLOW_PRIVATE_URLS=true */
  allowPrivate: boolean;
  resolve?: Resolve;
}

const bareHost = (hostname: string) => (hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname);

/** The checked addresses of `hostname`, or throws with the reason (every address must pass). */
async function checkedAddresses(hostname: string, { allowPrivate, resolve = systemResolve }: GuardOptions): Promise<LookupAddress[]> {
  const host = bareHost(hostname);
  const family = isIP(host);
  const addresses = family !== 0 ? [{ address: host, family }] : await resolve(host).catch(() => {
    throw new Error(`the host ${host} does not resolve`);
  });
  if (addresses.length === 0) throw new Error(`the host ${host} does not resolve`);
  for (const { address } of addresses) {
    const problem = addressProblem(address, allowPrivate);
    if (problem) throw new Error(family !== 0 ? `the host is refused: ${problem}` : `the host ${host} resolves to a refused address: ${problem}`);
  }
  return addresses;
}

/** Why `url` may not be a webhook endpoint's URL (form, scheme, credentials, what its host resolves to), or null. */
export async function webhookUrlProblem(url: string, options: GuardOptions): Promise<string | null> {
  const form = urlFormProblem(url);
  if (form) return form;
  try {
    await checkedAddresses(new URL(url).hostname, options);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Why the host of `url` is refused when it is an IP literal (a metadata or link-local address always; loopback
 * and private ones unless `allowPrivate`), or null; a host name is checked where it is connected to (guardedLookup).
 * Sync connections use this at create and change: their names may not resolve from every machine (sandboxes,
 * upstreams behind a VPN), so only literals are judged up front.
 */
export function literalHostProblem(url: string, allowPrivate: boolean): string | null {
  let host: string;
  try {
    host = bareHost(new URL(url).hostname);
  } catch {
    return null;
  }
  if (isIP(host) === 0) return null;
  const problem = addressProblem(host, allowPrivate);
  return problem ? `the host is refused: ${problem}` : null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s) agents: resolves, refuses the connection unless every address passes, and passes on
 * only checked addresses. IP-literal hosts never reach a lookup: deliveries check those with webhookUrlProblem.
 */
export function guardedLookup(options: GuardOptions) {
  return (hostname: string, lookupOptions: LookupOptions, callback: LookupCallback): void => {
    checkedAddresses(hostname, options).then((addresses) => {
      const wanted = lookupOptions.family === 4 || lookupOptions.family === 6
        ? addresses.filter((a) => a.family === lookupOptions.family) : addresses;
      if (wanted.length === 0) throw new Error(`the host ${hostname} has no IPv${lookupOptions.family} address`);
      if (lookupOptions.all) callback(null, wanted);
      else callback(null, wanted[0].address, wanted[0].family);
    }).catch((error: Error) => callback(Object.assign(error, { code: 'EWEBHOOKREFUSED' }), '', 0));
  };
}
