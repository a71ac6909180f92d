// One HTTP POST of a webhook (DESIGN 4b): 10 s for the answer (its status decides; its body is read for at most the rest
// of the 10 s and never judged), redirects not followed (a 3xx is a failed attempt), connections only to addresses
// the SSRF guard admitted (events/url-guard.ts). Sent with undici through one keep-alive agent per deliverer:
// connections to a receiver are reused across deliveries, and undici's client costs less CPU per request than
// node:http's, which counts when the receiver is local.
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { DELIVERY_TIMEOUT_MS } from '../domain/webhooks.ts';
import { guardedLookup, webhookUrlProblem, type GuardOptions } from './url-guard.ts';

export interface SendOutcome {
  /** The response status, or null when none arrived. */
  status: number | null;
  /** Why there was no 2xx (short, for the deliveries list), or null. */
  error: string | null;
  durationMs: number;
}

/** Connections per origin: bounds how hard one receiver is hit by this process. */
const MAX_SOCKETS_PER_ORIGIN = 16;
const MAX_RESPONSE_BYTES = 64 * 1024;

export class WebhookSender {
  private readonly agent: Agent;

  constructor(private readonly guard: GuardOptions, private readonly timeoutMs = DELIVERY_TIMEOUT_MS) {
    this.agent = new Agent({
      connections: MAX_SOCKETS_PER_ORIGIN, keepAliveTimeout: 30_000,
      // Every name is resolved through the guard: the address checked is the address connected to.
      connect: { lookup: guardedLookup(guard) as never, timeout: timeoutMs },
      headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
    });
  }

  /** POSTs `body` (JSON) to `url` with `headers`; never throws. */
  async send(url: string, headers: Record<string, string>, body: string): Promise<SendOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const target = new URL(url);
    // An IP literal never goes through the agent's lookup: check it here.
    if (isIP(target.hostname.replace(/^\[|\]$/g, '')) !== 0) {
      const problem = await webhookUrlProblem(url, this.guard);
      if (problem) return { status: null, error: `refused: ${problem}`, durationMs: elapsed() };
    }
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await request(target, {
        method: 'POST', dispatcher: this.agent, signal, body,
        headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'OrderSync-Webhooks/1' },
      });
      // The status decides (DESIGN 4b: any 2xx within 10 s is success): a body that stalls past the timeout or
      // breaks off after it changes nothing, else a receiver that took the event would be sent it again and again.
      await discardBody(response.body);
      return { status: response.statusCode, error: statusError(response.statusCode), durationMs: elapsed() };
    } catch (error) {
      if (signal.aborted) return { status: null, error: `timed out after ${this.timeoutMs / 1000} s`, durationMs: elapsed() };
      const cause = ((error as { cause?: unknown }).cause ?? error) as NodeJS.ErrnoException;
      const refused = [cause, error as NodeJS.ErrnoException].find((e) => e?.code === 'EWEBHOOKREFUSED');
      return { status: null, error: refused ? `refused: ${refused.message}` : cause.code ?? cause.message, durationMs: elapsed() };
    }
  }

  close(): void {
    void this.agent.destroy().catch(() => undefined);
  }
}

/**
 * Reads (at most MAX_RESPONSE_BYTES of) an answer's body, which is not used, so the connection can be reused;
 * one longer than that, or that stalls until the attempt's timeout or breaks off, is dropped with its connection.
 * Never throws.
 */
async function discardBody(body: AsyncIterable<unknown> & { destroy(): unknown }): Promise<void> {
  let received = 0;
  try {
    for await (const chunk of body) {
      received += (chunk as Buffer).length;
      if (received > MAX_RESPONSE_BYTES) break;
    }
  } catch {
    // Timed out or cut off after the status: the status stands.
  } finally {
    if (received > MAX_RESPONSE_BYTES) body.destroy();
  }
}

function statusError(status: number | null): string | null {
  if (status === null) return 'no response';
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) return `HTTP ${status} (redirects are not followed)`;
  return `HTTP ${status}`;
}
