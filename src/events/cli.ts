// The event and webhook commands of `ordersync` (DESIGN 4b): `webhooks add|list|remove|deliveries` and
// `events tail` (follows the feed live, like `stripe listen`). They read the same configuration as the service.
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import type { OpenDatabase } from '../db/database.ts';
import { EVENT_TYPES, isEventType } from '../domain/events.ts';
import { findRetailerByName, ensureRetailer } from '../store/retailers.ts';
import { latestPosition, listEvents } from '../store/events.ts';
import { listDeliveries } from '../store/webhook-deliveries.ts';
import { createEndpoint, deleteEndpoint, listAllEndpoints } from '../store/webhook-endpoints.ts';
import { webhookUrlProblem } from './url-guard.ts';
import { withDatabase } from '../db/with-database.ts';

/** `--events`/`--type`: comma-separated event types (`*` allowed where `star`). */
function eventTypes(star: boolean) {
  return (value: string): string[] => {
    const types = value.split(',').map((t) => t.trim()).filter((t) => t !== '');
    if (star && types.length === 1 && types[0] === '*') return types;
    const unknown = types.filter((t) => !isEventType(t));
    if (types.length === 0 || unknown.length > 0) {
      throw new InvalidArgumentError(`unknown event type ${unknown.join(', ') || '(none)'}; expected ${star ? '* or ' : ''}${EVENT_TYPES.join(', ')}`);
    }
    return types;
  };
}

async function retailerId(db: OpenDatabase['db'], name: string): Promise<string> {
  const retailer = await findRetailerByName(db, name);
  if (!retailer) throw new Error(`no retailer named "${name}"`);
  return retailer.id;
}

interface TailOptions {
  retailer: string;
  type?: string[];
  fromStart?: boolean;
  json?: boolean;
  intervalMs?: number;
}

/** Prints the retailer's events as they commit (one line each, or each event's JSON) until SIGINT/SIGTERM. */
async function tail(options: TailOptions): Promise<void> {
  await withDatabase(async ({ db }) => {
    const id = await retailerId(db, options.retailer);
    let position = options.fromStart ? 0 : await latestPosition(db, id);
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    console.error(`Following events of ${options.retailer}${options.type ? ` (${options.type.join(', ')})` : ''}; Ctrl-C to stop.`);
    while (!controller.signal.aborted) {
      const { events, hasMore } = await listEvents(db, id, { afterPosition: position, limit: 500, types: options.type ?? [] });
      for (const event of events) {
        if (options.json) console.log(event.payload);
        else {
          const { created_at, data } = JSON.parse(event.payload) as { created_at: string; data: { po_number?: string } };
          console.log(`${created_at}  ${event.type.padEnd(40)} ${event.id}${data.po_number ? `  ${data.po_number}` : ''}`);
        }
        position = event.position;
      }
      if (!hasMore) await sleep(options.intervalMs ?? 500, undefined, { signal: controller.signal }).catch(() => undefined);
    }
  });
}

export function registerEventCommands(program: Command): void {
  const webhooks = program.command('webhooks').description('manage webhook endpoints (events POSTed, signed as Standard Webhooks)');

  webhooks.command('add').description('add a webhook endpoint; prints its id, then its signing secret on its own line (shown once)')
    .requiredOption('--retailer <name>', 'retailer (created if new)')
    .requiredOption('--url <url>', 'https (or http) URL to POST events to')
    .option('--events <types>', 'comma-separated event types, or * for all', eventTypes(true), ['*'])
    .option('--description <text>', 'a note for people')
    .action((options: { retailer: string; url: string; events: string[]; description?: string }) => withDatabase(async ({ db }, config) => {
      const problem = await webhookUrlProblem(options.url, { allowPrivate: config.webhooks.allowPrivateUrls });
      if (problem) throw new Error(`--url ${problem}`);
      const { retailer } = await ensureRetailer(db, options.retailer);
      const endpoint = await createEndpoint(db, config.secret, retailer.id,
        { url: options.url, enabled_events: options.events, description: options.description ?? null });
      console.log(`${endpoint.id} ${endpoint.url} (${endpoint.enabled_events.join(', ')})`);
      console.log(endpoint.secret);
    }));

  webhooks.command('list').description('list webhook endpoints (id, retailer, URL, events, enabled)')
    .action(() => withDatabase(async ({ db }) => {
      const endpoints = await listAllEndpoints(db);
      if (endpoints.length === 0) return console.log('No webhook endpoints (add one with `ordersync webhooks add`).');
      for (const e of endpoints) {
        const state = e.enabled ? 'enabled' : `disabled: ${e.disabled_reason ?? ''}`;
        console.log(`${e.id}  ${e.retailer}  ${e.url}  ${e.enabled_events.join(',')}  ${state}`);
      }
    }));

  webhooks.command('remove').description('remove a webhook endpoint and its deliveries').argument('<id>', 'we_…')
    .action((id: string) => withDatabase(async ({ db }) => {
      const endpoint = (await listAllEndpoints(db)).find((e) => e.id === id);
      if (!endpoint || !(await deleteEndpoint(db, endpoint.retailer_id, id))) throw new Error(`no webhook endpoint with id "${id}"`);
      console.log(`removed ${id}`);
    }));

  webhooks.command('deliveries').description('an endpoint\'s deliveries, newest first, with their attempts').argument('<id>', 'we_…')
    .option('--limit <n>', 'how many (1–100)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError('expected a whole number 1–100');
      return n;
    }, 20)
    .action((id: string, options: { limit: number }) => withDatabase(async ({ db }) => {
      const endpoint = (await listAllEndpoints(db)).find((e) => e.id === id);
      if (!endpoint) throw new Error(`no webhook endpoint with id "${id}"`);
      const { deliveries } = await listDeliveries(db, endpoint.retailer_id, id, { limit: options.limit });
      if (deliveries.length === 0) return console.log('No deliveries yet.');
      for (const d of deliveries) {
        console.log(`${d.id}  ${d.event_id}  ${d.type}  ${d.status}  attempts ${d.attempt}`
          + `${d.response_status !== null ? `  last ${d.response_status}` : ''}${d.error ? `  ${d.error}` : ''}`
          + `${d.next_attempt_at && d.status === 'pending' ? `  next ${d.next_attempt_at}` : ''}`);
      }
    }));

  const events = program.command('events').description('the events feed');
  events.command('tail').description('follow a retailer\'s events live as they commit (like `stripe listen`)')
    .requiredOption('--retailer <name>', 'retailer')
    .option('--type <types>', 'only these comma-separated event types', eventTypes(false))
    .option('--from-start', 'print the events kept (30 days) first, then follow')
    .option('--json', 'print each event\'s JSON instead of a line')
    .action((options: TailOptions) => tail(options));
}
