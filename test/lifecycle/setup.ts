import type { Knex } from 'knex';
import { createCatalogService, type CatalogService } from '../../server/catalog/service.js';
import type { ProcedureInput } from '../../server/catalog/types.js';
import type { Database } from '../../server/db/connect.js';
import type { Principal } from '../../server/http/policy.js';
import { seedDemo } from '../../server/identity/demo.js';
import { permissionsOf, type Role } from '../../server/identity/permissions.js';
import { createIdentityService } from '../../server/identity/service.js';
import { createLifecycleService, type LifecycleService } from '../../server/lifecycle/service.js';
import type { AuthorNotice } from '../../server/lifecycle/notify.js';
import type { ProcessDeployer } from '../../server/lifecycle/types.js';
import { createTestDatabase } from '../helpers/db.js';

/**
 * Records what it was asked to deploy and answers like the engine does (one definition per
 * deployment, versions counted per key). Used only where a test is about the lifecycle's own
 * bookkeeping; engine.test.ts runs the same flow against the real engine.
 */
class RecordingDeployer implements ProcessDeployer {
  readonly deployments: Array<{ name: string; content: string; definitionId: string }> = [];
  private readonly versions = new Map<string, number>();
  fail = false;
  async deploy(input: { name: string; resources: Array<{ name: string; content: string }> }) {
    if (this.fail) throw new Error('engine down');
    const key = /<bpmn:process id="([^"]+)"/.exec(input.resources[0]!.content)?.[1] ?? 'unknown';
    const version = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, version);
    const definitionId = `${key}:${version}:${this.deployments.length + 1}`;
    this.deployments.push({ name: input.name, content: input.resources[0]!.content, definitionId });
    return { deploymentId: `dep-${this.deployments.length}`, definitionId };
  }
}

export interface Setup {
  db: Database;
  knex: Knex;
  catalog: CatalogService;
  lifecycle: LifecycleService;
  deployer: RecordingDeployer;
  clock: { now: Date };
  /** What the lifecycle asked to tell authors (the platform hands these to the bell). */
  notices: AuthorNotice[];
  as(username: string): Promise<Principal>;
  close(): Promise<void>;
}

export async function setup(opts: { deployer?: ProcessDeployer } = {}): Promise<Setup> {
  const db = await createTestDatabase();
  await seedDemo(db.knex);
  const identity = createIdentityService({ knex: db.knex });
  const deployer = new RecordingDeployer();
  const clock = { now: new Date('2026-03-02T03:00:00Z') }; // a Monday, 10:00 in Vietnam
  let lifecycle!: LifecycleService;
  const catalog = createCatalogService({ knex: db.knex, access: identity, onWithdrawn: (trx, id, actor) => lifecycle.retireAllForProcedure(trx, id, actor) });
  const notices: AuthorNotice[] = [];
  lifecycle = createLifecycleService({
    knex: db.knex, catalog, access: identity, deployer: opts.deployer ?? deployer, now: () => clock.now, notifyAuthor: async (n) => { notices.push(n); },
  });
  identity.setRoleHoldersChanged(async (trx, change) => { await lifecycle.markNeedsReviewForRoles(trx, change); });
  return {
    db, knex: db.knex, catalog, lifecycle, deployer, clock, notices,
    async as(username) {
      const user = await db.knex('app_user').where({ username }).first();
      const roles = (await db.knex('user_role').where({ user_id: user.id })).map((r: { role: Role; unit_id: string }) => ({ role: r.role, unitId: r.unit_id }));
      return { kind: 'user', userId: user.id, username, displayName: user.display_name, roles, permissions: permissionsOf(roles.map((r) => r.role)) };
    },
    close: () => db.close(),
  };
}

export function procedureInput(over: Partial<ProcedureInput> = {}): ProcedureInput {
  return {
    code: '1.000001', name: 'Cấp bản sao trích lục hộ tịch', field: 'Hộ tịch', level: 'province', agencyId: 'stp',
    legalBasis: 'Luật Hộ tịch 2014', limit: { value: 3, unit: 'days' }, afterCutoffNextDay: true, pauseOnSupplement: true,
    requiresSupplementPath: true, requiresRefusalPath: true,
    components: [{ name: 'Tờ khai', copyType: 'original', quantity: 1, required: true }],
    fees: [{ description: 'Lệ phí', amount: 8000 }],
    steps: [
      { name: 'Tiếp nhận hồ sơ', role: 'one-stop-officer', budget: '4h', form: '01' },
      { name: 'Thẩm định hồ sơ', role: 'specialist', budget: '2d' },
      { name: 'Ký duyệt', role: 'leader', budget: '4h' },
      { name: 'Trả kết quả', role: 'one-stop-officer', budget: '4h', countsTowardLimit: false },
    ],
    onlineLevel: 'full', status: 'active',
    ...over,
  };
}
