// Webhook endpoints (DESIGN 4b), per retailer. The signing secret is stored encrypted like connection
// credentials (domain/credentials.ts, bound to the endpoint's id) because deliveries need it in the clear to
// sign; it is returned once, by create and rotate_secret, and never logged.
import type { Selectable } from 'kysely';
import { decryptCredentials, encryptCredentials } from '../domain/credentials.ts';
import { renderInstant } from '../domain/dates.ts';
import { newId } from '../domain/ids.ts';
import { newEndpointSecret } from '../domain/webhooks.ts';
import type { Db } from '../db/database.ts';
import type { WebhookEndpointsTable } from '../db/schema.ts';

/** How long a rotated-out secret keeps signing beside the new one (DESIGN 4b). */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

export interface WebhookEndpoint {
  id: string;
  url: string;
  enabled_events: string[];
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

type Row = Selectable<WebhookEndpointsTable>;

function toEndpoint(row: Row): WebhookEndpoint {
  return {
    id: row.id, url: row.url, enabled_events: JSON.parse(row.enabled_events) as string[], description: row.description,
    enabled: row.enabled === 1, disabled_reason: row.disabled_reason,
    created_at: renderInstant(row.created_at), updated_at: renderInstant(row.updated_at),
  };
}

const sealSecret = (masterSecret: string, endpointId: string, secret: string) => encryptCredentials(masterSecret, { secret }, endpointId);
const openSecret = (masterSecret: string, endpointId: string, sealed: string) =>
  decryptCredentials<{ secret: string }>(masterSecret, sealed, endpointId).secret;

export interface EndpointInput {
  url: string;
  enabled_events: string[];
  description: string | null;
}

/** Creates an endpoint; returns it with its secret (the only time the secret is returned). */
export async function createEndpoint(db: Db, masterSecret: string, retailerId: string, input: EndpointInput, now = new Date()):
  Promise<WebhookEndpoint & { secret: string }> {
  const id = newId('we');
  const secret = newEndpointSecret();
  const stamp = now.toISOString();
  const row: Row = {
    id, retailer_id: retailerId, url: input.url, description: input.description, enabled_events: JSON.stringify(input.enabled_events),
    enabled: 1, disabled_reason: null, secret_encrypted: sealSecret(masterSecret, id, secret), previous_secret_encrypted: null,
    previous_secret_expires_at: null, failing_since: null, created_at: stamp, updated_at: stamp,
  };
  await db.insertInto('webhook_endpoints').values(row).execute();
  return { ...toEndpoint(row), secret };
}

/** The retailer's endpoints, oldest first. */
export async function listEndpoints(db: Db, retailerId: string): Promise<WebhookEndpoint[]> {
  const rows = await db.selectFrom('webhook_endpoints').selectAll().where('retailer_id', '=', retailerId)
    .orderBy('created_at').orderBy('id').execute();
  return rows.map(toEndpoint);
}

/** One endpoint of the retailer, or undefined (also for another retailer's). */
export async function findEndpoint(db: Db, retailerId: string, id: string): Promise<WebhookEndpoint | undefined> {
  const row = await db.selectFrom('webhook_endpoints').selectAll().where('retailer_id', '=', retailerId).where('id', '=', id)
    .executeTakeFirst();
  return row ? toEndpoint(row) : undefined;
}

export interface EndpointChanges {
  url?: string;
  enabled_events?: string[];
  description?: string | null;
  enabled?: boolean;
}

/** Applies the given changes; enabling clears disabled_reason and the failure streak. Undefined when there is no such endpoint. */
export async function updateEndpoint(db: Db, retailerId: string, id: string, changes: EndpointChanges, now = new Date()):
  Promise<WebhookEndpoint | undefined> {
  const set: Partial<Row> = { updated_at: now.toISOString() };
  if (changes.url !== undefined) set.url = changes.url;
  if (changes.enabled_events !== undefined) set.enabled_events = JSON.stringify(changes.enabled_events);
  if (changes.description !== undefined) set.description = changes.description;
  if (changes.enabled === true) Object.assign(set, { enabled: 1, disabled_reason: null, failing_since: null });
  if (changes.enabled === false) Object.assign(set, { enabled: 0, disabled_reason: 'Disabled through the API.' });
  const result = await db.updateTable('webhook_endpoints').set(set).where('retailer_id', '=', retailerId).where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 0 ? undefined : findEndpoint(db, retailerId, id);
}

/** Deletes an endpoint and its deliveries; false when there is no such endpoint. */
export async function deleteEndpoint(db: Db, retailerId: string, id: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const owned = await trx.selectFrom('webhook_endpoints').select('id').where('retailer_id', '=', retailerId).where('id', '=', id)
      .executeTakeFirst();
    if (!owned) return false;
    const deliveries = trx.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', id);
    await trx.deleteFrom('webhook_attempts').where('delivery_id', 'in', deliveries).execute();
    await trx.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
    await trx.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
    return true;
  });
}

/**
 * A new secret; the old one keeps signing (both signatures sent) for SECRET_OVERLAP_MS. Returns the new
 * secret, or undefined when there is no such endpoint.
 */
export async function rotateEndpointSecret(db: Db, masterSecret: string, retailerId: string, id: string, now = new Date()):
  Promise<{ secret: string; previous_secret_expires_at: string } | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('webhook_endpoints').select(['id', 'secret_encrypted'])
      .where('retailer_id', '=', retailerId).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const secret = newEndpointSecret();
    const expires = new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString();
    await trx.updateTable('webhook_endpoints').set({
      secret_encrypted: sealSecret(masterSecret, id, secret),
      previous_secret_encrypted: sealSecret(masterSecret, id, openSecret(masterSecret, id, row.secret_encrypted)),
      previous_secret_expires_at: expires, updated_at: now.toISOString(),
    }).where('id', '=', id).execute();
    return { secret, previous_secret_expires_at: renderInstant(expires) };
  });
}

/** The secrets that sign a delivery now: the current one, and the previous one while it overlaps. */
export function signingSecrets(
  masterSecret: string,
  row: Pick<Row, 'id' | 'secret_encrypted' | 'previous_secret_encrypted' | 'previous_secret_expires_at'>,
  now = new Date(),
): string[] {
  const secrets = [openSecret(masterSecret, row.id, row.secret_encrypted)];
  if (row.previous_secret_encrypted && row.previous_secret_expires_at && row.previous_secret_expires_at > now.toISOString()) {
    secrets.push(openSecret(masterSecret, row.id, row.previous_secret_encrypted));
  }
  return secrets;
}

/** Every endpoint with its retailer's name, for the CLI (`ordersync webhooks list`). */
export async function listAllEndpoints(db: Db): Promise<(WebhookEndpoint & { retailer: string; retailer_id: string })[]> {
  const rows = await db.selectFrom('webhook_endpoints as e').innerJoin('retailers as r', 'r.id', 'e.retailer_id')
    .selectAll('e').select('r.name as retailer').orderBy('e.created_at').orderBy('e.id').execute();
  return rows.map((row) => ({ ...toEndpoint(row), retailer: row.retailer, retailer_id: row.retailer_id }));
}
