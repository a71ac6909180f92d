// The feed filtered by type (DESIGN 4b: GET /api/v2/events?type=a,b) seeks each type's next page on this index
// (store/events.ts listEvents) instead of walking every event of the retailer past `after` to find a rare type.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('events_feed_type').on('events').columns(['retailer_id', 'type', 'position']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('events_feed_type').execute();
}
