// The registry of processes that take work (migration 0023; src/process-owner.ts keeps this process's row) and the
// pg-boss jobs each holds. A handful of rows: one per running process.
import type { Db } from '../db/database.ts';
import type { ProcessRow } from '../domain/process-liveness.ts';

export async function registerProcess(db: Db, row: ProcessRow): Promise<void> {
  await db.insertInto('service_processes').values(row).execute();
}

/** Writes the heartbeat; false when the row is gone (another process found this one dead and released its work). */
export async function beatProcess(db: Db, id: string, now: Date): Promise<boolean> {
  const result = await db.updateTable('service_processes').set({ heartbeat_at: now.toISOString() }).where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export function listProcesses(db: Db): Promise<ProcessRow[]> {
  return db.selectFrom('service_processes').selectAll().orderBy('started_at').execute();
}

export async function removeProcess(db: Db, id: string): Promise<void> {
  await db.deleteFrom('service_processes').where('id', '=', id).execute();
}

/** Notes that `ownerId` works on pg-boss job `jobId` of `queue` (until forgetOwnedJob). */
export async function noteOwnedJob(db: Db, queue: string, jobId: string, ownerId: string, now = new Date()): Promise<void> {
  await db.insertInto('owned_jobs').values({ queue, job_id: jobId, owner_id: ownerId, started_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['queue', 'job_id']).doUpdateSet({ owner_id: ownerId, started_at: now.toISOString() }))
    .execute();
}

export async function forgetOwnedJobs(db: Db, queue: string, jobIds: readonly string[]): Promise<void> {
  if (jobIds.length === 0) return;
  await db.deleteFrom('owned_jobs').where('queue', '=', queue).where('job_id', 'in', jobIds).execute();
}

/** Jobs of `queue` held by processes that are no longer registered (dead, or found dead): to be failed. */
export async function orphanedJobs(db: Db, queue: string): Promise<string[]> {
  const rows = await db.selectFrom('owned_jobs').select('job_id').where('queue', '=', queue)
    .where('owner_id', 'not in', db.selectFrom('service_processes').select('id')).execute();
  return rows.map((r) => r.job_id);
}
