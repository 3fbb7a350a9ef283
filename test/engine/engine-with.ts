import type { Database } from '../../server/db/connect.js';
import { createEngine, type EngineService } from '../../server/engine/index.js';
import { createLogger } from '../../server/log.js';
import { createTestDatabase } from '../helpers/db.js';

/** What createEngine takes besides the database and the logger (a node id, the interpreter, …). */
type EngineOptions = Omit<Parameters<typeof createEngine>[0], 'db' | 'log'>;

/**
 * The set-up most engine tests share: a fresh database, one engine on it, these BPMN resources
 * (file name → XML) deployed in one deployment. Kept apart from fixtures.ts, whose models the
 * benchmark and other capabilities' tests import without a database.
 */
export async function engineWith(resources: Record<string, string> = {}, options: EngineOptions = {}): Promise<{ db: Database; engine: EngineService }> {
  const db = await createTestDatabase();
  const engine = createEngine({ db, log: createLogger('silent'), ...options });
  const list = Object.entries(resources).map(([name, content]) => ({ name, content }));
  if (list.length) await engine.deploy({ name: 'test', resources: list });
  return { db, engine };
}

/** Time passes for the instance's jobs and timers (their due time and any retry wait are over); one scheduler pass fires them. */
export async function fireDueJobs(db: Database, engine: EngineService, instanceId: string): Promise<number> {
  await db.knex('engine_timer').where({ instance_id: instanceId }).whereNot({ locked_by: 'incident' }).update({ locked_until: null, due_at: new Date(Date.now() - 1000) });
  return engine.fireDueTimers();
}
