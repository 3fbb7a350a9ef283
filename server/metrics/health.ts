import { Router } from 'express';
import type { Knex } from 'knex';
import type { AuditWriterHealth } from '../audit/service.js';
import { pendingMigrations } from '../db/migrate.js';
import type { DatabaseKind } from '../db/connect.js';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';

export interface HealthDeps {
  knex: Knex;
  kind: DatabaseKind;
  audit: () => AuditWriterHealth;
  /** The validation worker pool's figures, shown in the summary. */
  validation?: () => unknown;
}

/**
 * `/api/health/live`: the process answers (restart it if not). `/api/health/ready`: the database answers, every
 * migration has run and the audit writer is writing (send it traffic only then); 503 with the failing checks otherwise.
 * `/api/health` keeps its summary (status ok/degraded, database kind, audit writer).
 */
export function createHealthRouter(deps: HealthDeps): Router {
  const r = Router();
  let migrated = false;

  async function checks(): Promise<{ database: boolean; migrations: boolean; audit: boolean; detail: Record<string, unknown> }> {
    const detail: Record<string, unknown> = {};
    let database = true;
    try {
      await deps.knex.raw('select 1');
    } catch (err) {
      database = false;
      detail.database = (err as Error).message;
    }
    if (database && !migrated) {
      try {
        const pending = await pendingMigrations(deps.knex);
        migrated = pending.length === 0;
        if (!migrated) detail.pendingMigrations = pending;
      } catch (err) {
        detail.migrations = (err as Error).message;
      }
    }
    const a = deps.audit();
    if (a.status !== 'ok') detail.audit = { status: a.status, queueLength: a.queueLength, lastError: a.lastError };
    return { database, migrations: migrated, audit: a.status === 'ok', detail };
  }

  r.get('/', guard('public'), doc({ summary: 'Health summary (database kind, audit writer)', tag: 'health' }), async (_req, res) => {
    await deps.knex.raw('select 1');
    // A writer that cannot write is a degraded node: say so where monitoring looks.
    const a = deps.audit();
    sendJson(res, 200, { status: a.status === 'ok' ? 'ok' : 'degraded', database: deps.kind, audit: a, ...(deps.validation ? { validation: deps.validation() } : {}) });
  });
  r.get('/live', guard('public'), doc({ summary: 'Liveness: the process answers', tag: 'health' }), (_req, res) => {
    sendJson(res, 200, { status: 'ok' });
  });
  r.get('/ready', guard('public'), doc({ summary: 'Readiness: database answers, migrations done, audit writer alive (503 otherwise)', tag: 'health' }), async (_req, res) => {
    const c = await checks();
    const ready = c.database && c.migrations && c.audit;
    sendJson(res, ready ? 200 : 503, {
      status: ready ? 'ready' : 'not-ready',
      checks: { database: c.database, migrations: c.migrations, audit: c.audit },
      ...(ready ? {} : { detail: c.detail }),
    });
  });
  return r;
}
