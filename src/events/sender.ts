// One HTTP POST of a webhook (DESIGN 4b): 10 s for the whole exchange, redirects not followed (a 3xx is a failed
// attempt), connections only to addresses the SSRF guard admitted (events/url-guard.ts), kept alive per origin.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { DELIVERY_TIMEOUT_MS } from '../domain/webhooks.ts';
import { guardedLookup, webhookUrlProblem, type GuardOptions } from './url-guard.ts';

export interface SendOutcome {
  /** The response status, or null when none arrived. */
  status: number | null;
  /** Why there was no 2xx (short, for the deliveries list), or null. */
  error: string | null;
  durationMs: number;
}

/** Sockets per origin: bounds how hard one receiver is hit by this process. */
const MAX_SOCKETS_PER_ORIGIN = 16;
const MAX_RESPONSE_BYTES = 64 * 1024;

export class WebhookSender {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly guard: GuardOptions, private readonly timeoutMs = DELIVERY_TIMEOUT_MS) {
    const lookup = guardedLookup(guard) as unknown as http.AgentOptions['lookup'];
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_ORIGIN, lookup });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_ORIGIN, lookup });
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
    const client = target.protocol === 'https:' ? https : http;
    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      const finish = (status: number | null, error: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status, error, durationMs: elapsed() });
      };
      const request = client.request(target, {
        method: 'POST',
        agent: target.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'OrderSync-Webhooks/1' },
      }, (response) => {
        const status = response.statusCode ?? null;
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
        });
        response.on('error', () => finish(status, statusError(status)));
        response.on('close', () => finish(status, statusError(status)));
      });
      const timer = setTimeout(() => {
        request.destroy();
        finish(null, `timed out after ${this.timeoutMs / 1000} s`);
      }, this.timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => {
        finish(null, error.code === 'EWEBHOOKREFUSED' ? `refused: ${error.message}` : error.code ?? error.message);
      });
      request.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function statusError(status: number | null): string | null {
  if (status === null) return 'no response';
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) return `HTTP ${status} (redirects are not followed)`;
  return `HTTP ${status}`;
}
