// Stored documents (invoice PDFs sent by suppliers), kept as base64 text in one column on both databases.
import { createHash } from 'node:crypto';
import { newId } from '../domain/ids.ts';
import type { Db } from '../db/database.ts';

export interface StoredDocument {
  id: string;
  content_type: string;
  filename: string;
  sha256: string;
  bytes: Buffer;
}

export async function saveDocument(
  db: Db, retailerId: string, input: { content_type: string; filename: string; bytes: Buffer },
): Promise<string> {
  const id = newId('doc');
  await db.insertInto('documents').values({
    id, retailer_id: retailerId, content_type: input.content_type, filename: input.filename,
    sha256: createHash('sha256').update(input.bytes).digest('hex'), size_bytes: input.bytes.length,
    content_base64: input.bytes.toString('base64'), created_at: new Date().toISOString(),
  }).execute();
  return id;
}

/** A document by id. Not scoped to a retailer: callers reach it through a signed link or a scoped row. */
export async function findDocument(db: Db, id: string): Promise<StoredDocument | undefined> {
  const row = await db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return { id: row.id, content_type: row.content_type, filename: row.filename, sha256: row.sha256, bytes: Buffer.from(row.content_base64, 'base64') };
}
