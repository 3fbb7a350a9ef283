import { performance } from 'node:perf_hooks';
import { createCatalogService } from '../server/catalog/service.js';
import type { ProcedureInput } from '../server/catalog/types.js';
import { openDatabase } from '../server/db/connect.js';
import { runMigrations } from '../server/db/migrate.js';
import { createEngine } from '../server/engine/index.js';
import type { Principal } from '../server/http/policy.js';
import { seedDemo } from '../server/identity/demo.js';
import { permissionsOf } from '../server/identity/permissions.js';
import { createIdentityService } from '../server/identity/service.js';
import { createLogger } from '../server/log.js';
import { deployerFromEngine } from '../server/lifecycle/deployer.js';
import { loadSeedCatalogue } from '../server/lifecycle/seed.js';
import { createLifecycleService, type LifecycleService } from '../server/lifecycle/service.js';
import { generateProcessXml, type StepSpec } from '../server/lifecycle/template.js';
import { createValidator, lintMode, parseBpmn, stopLintWorker } from '../server/validation/index.js';
import { percentile, type BenchRow } from './table.js';

const ms = (v: number) => `${v.toFixed(1)} ms`;

/** A process of `tasks` user tasks plus supplement/refusal branches, gateways, events and flows. */
function bigModel(tasks: number): string {
  const steps: StepSpec[] = Array.from({ length: tasks }, (_, i) => ({ name: `Bước ${i + 1}`, role: i % 2 ? 'specialist' : 'division-head', budget: '1h' }));
  return generateProcessXml({ processId: 'P_bench', name: 'Quy trình 200 phần tử', steps, supplement: true, refusal: true });
}

async function countElements(xml: string): Promise<number> {
  const { definitions } = await parseBpmn(xml);
  const proc = (definitions.rootElements as Array<{ flowElements?: unknown[] }>)[0]!;
  return proc.flowElements?.length ?? 0;
}

async function timeValidation(check: boolean, xml: string, runs: number, engine?: { checkDeployable(xml: string): Promise<Array<{ elementId?: string; message: string }>> }): Promise<number[]> {
  const validator = createValidator(check && engine ? { checkDeployable: (x) => engine.checkDeployable(x) } : {});
  const rules = { limit: { value: 200, unit: 'days' as const }, requiresSupplementPath: true, requiresRefusalPath: true };
  for (let i = 0; i < 20; i++) await validator.validate(xml, rules); // warm-up (JIT, worker start)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = await validator.validate(xml, rules);
    times.push(performance.now() - t);
    if (r.findings.some((f) => f.severity === 'error')) throw new Error(`bench model has errors: ${JSON.stringify(r.findings.slice(0, 3))}`);
  }
  return times;
}

export default async function lifecycleBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const log = createLogger('silent');
  const db = await openDatabase({ dataDir: 'memory' });
  try {
    await runMigrations(db.knex);
    await seedDemo(db.knex);
    const engine = createEngine({ db, log });

    // 1. POST /validate's work for a 200-element model: parse, bpmnlint, domain rules, engine check.
    let tasks = 90;
    let xml = bigModel(tasks);
    while ((await countElements(xml)) < 200) xml = bigModel(++tasks);
    const elements = await countElements(xml);
    // The designer's path (POST /validate): bpmnlint + domain rules.
    const fast = await timeValidation(false, xml, 300);
    rows.push({ area: 'lifecycle', metric: `validate ${elements}-element model p50 (lint ${lintMode} + domain)`, value: ms(percentile(fast, 50)) });
    const p95 = percentile(fast, 95);
    rows.push({ area: 'lifecycle', metric: `validate ${elements}-element model p95 (lint ${lintMode} + domain)`, value: ms(p95), target: '< 100 ms', ok: p95 < 100 });
    // Submit's path adds the engine's deployability check.
    const full = await timeValidation(true, xml, 100, engine);
    rows.push({ area: 'lifecycle', metric: `validate ${elements}-element model p95 (+ engine check, submit)`, value: ms(percentile(full, 95)) });

    // 2. Seed catalogue load on an empty database (8 procedures, each deployed).
    const identity = createIdentityService({ knex: db.knex });
    let lifecycle!: LifecycleService;
    const catalog = createCatalogService({ knex: db.knex, access: identity, onWithdrawn: (trx, id, a) => lifecycle.retireAllForProcedure(trx, id, a) });
    lifecycle = createLifecycleService({ knex: db.knex, catalog, access: identity, deployer: deployerFromEngine(engine) });
    let t = performance.now();
    const loaded = await loadSeedCatalogue({ knex: db.knex, activate: lifecycle.activateVersion });
    rows.push({ area: 'lifecycle', metric: `seed catalogue load (${loaded} procedures, deployed)`, value: ms(performance.now() - t) });

    // 3. Catalogue search over 2,000 procedures (accent-insensitive LIKE on the folded name).
    const admin = await principal(db.knex, 'admin');
    const base = (await catalog.search({ q: 'khai sinh', page: 1, pageSize: 1 })).items[0]!;
    const { id: _id, revision: _r, createdAt: _c, updatedAt: _u, agencyName: _a, ...template } = base;
    const bulk: ProcedureInput[] = Array.from({ length: 2000 }, (_, i) => ({
      ...template, code: `9.${String(100000 + i).padStart(6, '0')}`, name: `${i % 3 ? 'Cấp giấy phép' : 'Đăng ký'} thủ tục mẫu số ${i}`,
    }));
    t = performance.now();
    const imported = await catalog.import('json', JSON.stringify(bulk), admin);
    rows.push({ area: 'lifecycle', metric: `import 2,000 procedures (JSON, ${imported.created} created)`, value: ms(performance.now() - t) });
    const searchTimes: number[] = [];
    for (let i = 0; i < 200; i++) {
      const s = performance.now();
      await catalog.search({ q: i % 2 ? 'dang ky' : 'giay phep', page: 1 + (i % 5), pageSize: 20 });
      searchTimes.push(performance.now() - s);
    }
    const sp95 = percentile(searchTimes, 95);
    rows.push({ area: 'lifecycle', metric: 'catalogue search p95 (2,008 procedures, embedded db)', value: ms(sp95), target: '< 50 ms', ok: sp95 < 50 });

    // 4. One governed change end to end: draft, submit (validation), approve, activate (deploy).
    const owner = await principal(db.knex, 'owner.stp');
    const approver = await principal(db.knex, 'approver');
    const stp = (await catalog.search({ agencyId: 'stp', page: 1, pageSize: 1 })).items[0]!;
    const cycle: number[] = [];
    for (let i = 0; i < 10; i++) {
      const s = performance.now();
      const v = await lifecycle.createDraft(stp.id, {}, owner);
      await lifecycle.submit(v.id, owner);
      await lifecycle.approve(v.id, { decisionNumber: `${i}/QĐ`, decisionDate: '2026-01-01', signer: 'Chủ tịch', effectiveDate: '2026-01-01' }, approver);
      await lifecycle.activate(v.id, approver);
      cycle.push(performance.now() - s);
    }
    rows.push({ area: 'lifecycle', metric: 'draft→submit→approve→activate (service, real engine) p50', value: ms(percentile(cycle, 50)) });
  } finally {
    await stopLintWorker();
    await db.close();
  }
  return rows;
}

async function principal(knex: import('knex').Knex, username: string): Promise<Principal> {
  const user = await knex('app_user').where({ username }).first();
  const roles = (await knex('user_role').where({ user_id: user.id })).map((r: { role: Principal['roles'][number]['role']; unit_id: string }) => ({ role: r.role, unitId: r.unit_id }));
  return { kind: 'user', userId: user.id, username, displayName: user.display_name, roles, permissions: permissionsOf(roles.map((r) => r.role)) };
}
