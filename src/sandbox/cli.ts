// `ordersync sandbox shipstation|stocky`: serves a simulated upstream until SIGINT/SIGTERM, printing the base
// URL and the credentials to use.
import { Argument, InvalidArgumentError, type Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { parseFaults, type FaultRates } from './simulation.ts';
import { SHIPSTATION_DEFAULT_API_KEY, SHIPSTATION_RATE_LIMIT, createShipStationSandbox } from './shipstation.ts';
import {
  STOCKY_DEFAULT_API_KEY, STOCKY_DEFAULT_STORE_NAME, STOCKY_RATE_LIMIT, STOCKY_RATE_LIMIT_BURST, createStockySandbox,
} from './stocky.ts';

export const SANDBOX_KINDS = ['shipstation', 'stocky'] as const;
export type SandboxKind = (typeof SANDBOX_KINDS)[number];
export const DEFAULT_PORTS: Record<SandboxKind, number> = { shipstation: 8081, stocky: 8082 };

export interface SandboxCliOptions {
  port?: number;
  host: string;
  seed: number;
  pos: number;
  anchor?: number;
  latencyMs: number;
  rateLimit?: number;
  rateLimitBurst?: number;
  faults: FaultRates;
  timeoutHangMs: number;
  churnEveryMs: number;
  churnEveryRequests: number;
  churnCreate: number;
  churnAdvance: number;
  apiKey?: string;
  storeName?: string;
}

function wholeNumber(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    return n;
  };
}

function anyInteger(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected requests per minute ≥ 0 (0 turns the limit off)');
  return n;
}

function faults(value: string): FaultRates {
  try {
    return parseFaults(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function instant(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('expected an ISO 8601 date-time, e.g. 2026-11-01T00:00:00Z');
  return ms;
}

export interface StartedSandbox {
  app: FastifyInstance;
  baseUrl: string;
  /** What to tell the user: base URL, credentials, an example request. */
  banner: string[];
}

/** Builds the sandbox of that kind and starts listening. */
export async function startSandbox(kind: SandboxKind, options: SandboxCliOptions): Promise<StartedSandbox> {
  const common = {
    seed: options.seed, pos: options.pos, anchorMs: options.anchor, latencyMs: options.latencyMs, rateLimit: options.rateLimit,
    rateLimitBurst: options.rateLimitBurst, faults: options.faults, timeoutHangMs: options.timeoutHangMs,
    churnEveryMs: options.churnEveryMs, churnEveryRequests: options.churnEveryRequests,
    churnCreate: options.churnCreate, churnAdvance: options.churnAdvance,
  };
  const app: FastifyInstance = kind === 'shipstation'
    ? createShipStationSandbox({ ...common, apiKey: options.apiKey })
    : createStockySandbox({ ...common, apiKey: options.apiKey, storeName: options.storeName });
  await app.listen({ port: options.port ?? DEFAULT_PORTS[kind], host: options.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host.includes(':') ? `[${options.host}]` : options.host;
  const baseUrl = `http://${host}:${port}`;

  const limit = options.rateLimit ?? (kind === 'shipstation' ? SHIPSTATION_RATE_LIMIT : STOCKY_RATE_LIMIT);
  const burst = options.rateLimitBurst ?? (kind === 'shipstation' ? limit : Math.min(limit, STOCKY_RATE_LIMIT_BURST));
  const faultText = Object.entries(options.faults).filter(([, p]) => p > 0).map(([k, p]) => `${k} ${p}`).join(', ') || 'none';
  const churn = [
    options.churnEveryMs > 0 ? `every ${options.churnEveryMs} ms` : null,
    options.churnEveryRequests > 0 ? `every ${options.churnEveryRequests} requests` : null,
  ].filter(Boolean).join(' and ');
  const behaviour = [
    `rate limit: ${limit > 0 ? `${limit} requests/minute (token bucket of ${burst})` : 'off'}`,
    `latency: ${options.latencyMs} ms`,
    `faults: ${faultText}`,
    `churn: ${churn ? `${churn}, ${options.churnCreate} created and ${options.churnAdvance} advanced each time` : 'off'}`,
  ].join('; ');

  let banner: string[];
  if (kind === 'shipstation') {
    const key = options.apiKey ?? SHIPSTATION_DEFAULT_API_KEY;
    banner = [
      `ShipStation v2 sandbox: ${options.pos} purchase orders from seed ${options.seed}`,
      `  base URL    ${baseUrl}`,
      `  api-key     ${key}`,
      `  ${behaviour}`,
      `  try: curl -s '${baseUrl}/v2/purchase_orders?page_size=2' -H 'api-key: ${key}'`,
    ];
  } else {
    const key = options.apiKey ?? STOCKY_DEFAULT_API_KEY;
    const store = options.storeName ?? STOCKY_DEFAULT_STORE_NAME;
    banner = [
      `Stocky v2 sandbox: ${options.pos} purchase orders from seed ${options.seed}`,
      `  base URL       ${baseUrl}`,
      `  Store-Name     ${store}`,
      `  Authorization  API KEY=${key}`,
      `  ${behaviour}`,
      `  try: curl -s '${baseUrl}/api/v2/purchase_orders.json?limit=2' -H 'Store-Name: ${store}' -H 'Authorization: API KEY=${key}'`,
    ];
  }
  return { app, baseUrl, banner };
}

/** Resolves after SIGINT or SIGTERM, once the sandbox has closed. */
function closeOnSignal(app: FastifyInstance): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      console.error(`${signal}: stopping the sandbox.`);
      app.close().then(resolve, reject);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerSandboxCommand(program: Command): void {
  program.command('sandbox')
    .description('serve a simulated ShipStation v2 or Stocky v2 API with deterministic data (for demos, tests, benchmarks)')
    .addArgument(new Argument('<kind>', 'which upstream').choices(SANDBOX_KINDS))
    .option('--port <n>', `port to listen on (default ${DEFAULT_PORTS.shipstation} for shipstation, ${DEFAULT_PORTS.stocky} for stocky; 0 picks a free one)`, wholeNumber(0))
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--seed <s>', 'random seed: the same seed gives the same purchase orders', anyInteger, 1)
    .option('--pos <n>', 'number of purchase orders at start', wholeNumber(0), 200)
    .option('--anchor <iso>', 'generated data is as of this instant (default 2026-11-01T00:00:00Z)', instant)
    .option('--latency-ms <ms>', 'delay before every answer', wholeNumber(0), 0)
    .option('--rate-limit <r>', `requests per minute before 429 + Retry-After; 0 = off (default ${SHIPSTATION_RATE_LIMIT} shipstation, ${STOCKY_RATE_LIMIT} stocky)`, rate)
    .option('--rate-limit-burst <n>', `token bucket size (default: a minute's worth for shipstation, ${STOCKY_RATE_LIMIT_BURST} for stocky)`, wholeNumber(1))
    .option('--faults <spec>', 'injected faults by probability, e.g. 429:0.05,500:0.02,timeout:0.01,truncated:0.01', faults, {})
    .option('--timeout-hang-ms <ms>', 'how long a timeout fault holds the request before dropping the connection', wholeNumber(0), 120_000)
    .option('--churn-every-ms <ms>', 'create and advance purchase orders this often (0 = never)', wholeNumber(0), 0)
    .option('--churn-every-requests <n>', 'create and advance purchase orders every n requests (0 = never)', wholeNumber(0), 0)
    .option('--churn-create <n>', 'purchase orders created by each churn step', wholeNumber(0), 1)
    .option('--churn-advance <n>', 'purchase orders moved one status on by each churn step', wholeNumber(0), 3)
    .option('--api-key <key>', `the API key clients must send (default ${SHIPSTATION_DEFAULT_API_KEY} / ${STOCKY_DEFAULT_API_KEY})`)
    .option('--store-name <shop>', `stocky: the Store-Name clients must send (default ${STOCKY_DEFAULT_STORE_NAME})`)
    .action(async (kind: SandboxKind, options: SandboxCliOptions) => {
      const { app, banner } = await startSandbox(kind, options);
      for (const line of banner) console.log(line);
      console.log('Ctrl-C to stop.');
      await closeOnSignal(app);
    });
}
