import { createCatalogService } from '../../server/catalog/service.js';
import { createEngine } from '../../server/engine/index.js';
import { createIdentityService } from '../../server/identity/service.js';
import { createLogger } from '../../server/log.js';
import { deployerFromEngine } from '../../server/lifecycle/deployer.js';
import { loadSeedCatalogue, readSeedCatalogue } from '../../server/lifecycle/seed.js';
import { createLifecycleService } from '../../server/lifecycle/service.js';
import { limitHours } from '../../server/validation/budget.js';
import { createValidator } from '../../server/validation/index.js';
import { createTestDatabase } from '../helpers/db.js';

describe('seed catalogue (processes/)', () => {
  const seeds = readSeedCatalogue();

  it('has at least 8 realistic procedures across province and commune, with components, fees and a consultation', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(8);
    expect(new Set(seeds.map((s) => s.procedure.level))).toEqual(new Set(['province', 'commune']));
    for (const { procedure } of seeds) {
      expect([procedure.code, procedure.components.length > 0, procedure.fees.length > 0, procedure.steps.length >= 4])
        .toEqual([procedure.code, true, true, true]);
    }
    expect(seeds.map((s) => s.procedure.code)).toEqual(expect.arrayContaining(['1.001193', '1.000894', '2.000815']));
    expect(seeds.some((s) => s.procedure.steps.some((st) => st.consultAgency))).toBe(true);
  });

  it('every seed process passes every rule (engine check included) and its budgets fit the limit', async () => {
    const db = await createTestDatabase();
    try {
      const engine = createEngine({ db, log: createLogger('silent') });
      const validator = createValidator({ checkDeployable: (xml) => engine.checkDeployable(xml) });
      for (const { procedure: p, xml } of seeds) {
        const r = await validator.validate(xml, p);
        expect([p.code, r.findings]).toEqual([p.code, []]);
        expect(r.longestPath.totalHours).toBeLessThanOrEqual(limitHours(p.limit));
        expect(xml).toContain('<bpmndi:BPMNShape'); // renders in bpmn-js
      }
    } finally {
      await db.close();
    }
  });

  it('loads on an empty database without the demo organisation, deployed and active, and only once', async () => {
    const db = await createTestDatabase();
    try {
      const engine = createEngine({ db, log: createLogger('silent') });
      const identity = createIdentityService({ knex: db.knex });
      const catalog = createCatalogService({ knex: db.knex, access: identity });
      const lifecycle = createLifecycleService({ knex: db.knex, catalog, access: identity, deployer: deployerFromEngine(engine) });
      expect(await loadSeedCatalogue({ knex: db.knex, activate: lifecycle.activateVersion })).toBe(seeds.length);
      expect(await loadSeedCatalogue({ knex: db.knex, activate: lifecycle.activateVersion })).toBe(0);
      const versions = await db.knex('process_version').select('state', 'definition_id', 'author_id', 'decision_number');
      expect(versions).toHaveLength(seeds.length);
      for (const v of versions) expect(v).toMatchObject({ state: 'active', author_id: 'system', decision_number: 'SEED-1', definition_id: expect.any(String) });
      const agencies = await db.knex('org_unit').whereIn('id', ['stp', 'sxd', 'stnmt', 'xa-phu-long']).count({ n: '*' });
      expect(Number(agencies[0]!.n)).toBe(4);
    } finally {
      await db.close();
    }
  });

  it('without an engine the seed versions wait, approved, for the scheduler', async () => {
    const db = await createTestDatabase();
    try {
      await loadSeedCatalogue({ knex: db.knex });
      const states = await db.knex('process_version').distinct('state');
      expect(states).toEqual([{ state: 'approved' }]);
      expect(await db.knex('process_version').whereNull('activation_requested_at').first()).toBeUndefined();
    } finally {
      await db.close();
    }
  });
});
