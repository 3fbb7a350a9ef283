import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import {
  createEngine, type EngineService, firstDue, nextCycleDue, timerSpecProblem, MIN_CYCLE_MS,
} from '../../server/engine/index.js';
import { createLogger } from '../../server/log.js';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { bpmn } from './fixtures.js';

/** Zero, sub-minute and too-frequent unbounded cycles, and cycles hidden behind expressions. */
const BAD_CYCLES = ['R/PT0S', 'R/P0D', 'R5/PT0S', 'R-1/PT0S', 'R/PT0.5S', 'R3/PT59S', 'R/PT1M', 'R/PT4M59S', 'R/P0Y0M0DT0H0M0S',
  'R/2026-01-01T00:00:00Z/PT0S', 'R0/PT1H', 'R20000/PT1H', '${cycle}', 'PT10M', 'R/', 'garbage'];
const GOOD_CYCLES = ['R3/PT1M', 'R/PT5M', 'R/P1D', 'R5/PT10M', 'R/P1M', 'R3/2030-01-01T08:00:00+07:00/P1D', 'R/PT1H/2099-01-01T00:00:00Z'];

const timerStart = (cycle: string, id = 'cyc') => bpmn(id, `<bpmn:startEvent id="start"><bpmn:timerEventDefinition><bpmn:timeCycle>${cycle}</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
  <bpmn:sequenceFlow id="f" sourceRef="start" targetRef="end"/><bpmn:endEvent id="end"/>`);
const boundaryCycle = (cycle: string) => bpmn('bnd', `<bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f" sourceRef="start" targetRef="wait"/><bpmn:userTask id="wait"/>
  <bpmn:boundaryEvent id="remind" attachedToRef="wait" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>${cycle}</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="g" sourceRef="wait" targetRef="end"/><bpmn:endEvent id="end"/>`);

describe('timer spec rules (server/engine/timer-spec.ts)', () => {
  test.each(BAD_CYCLES)('refuses the cycle %s', (cycle) => {
    expect(timerSpecProblem('timeCycle', cycle)).toEqual({ key: expect.stringMatching(/^engine\.timer\.cycle/), params: expect.objectContaining({ value: cycle }) });
  });
  test.each(GOOD_CYCLES)('accepts the cycle %s', (cycle) => {
    expect(timerSpecProblem('timeCycle', cycle)).toBeNull();
  });

  test('R<n> ends after n fires; unbounded goes on', () => {
    const t0 = new Date('2030-01-01T00:00:00Z');
    const now = new Date('2030-01-01T00:00:01Z');
    expect(nextCycleDue('R3/PT10M', t0, 1, now)?.toISOString()).toBe('2030-01-01T00:10:00.000Z');
    expect(nextCycleDue('R3/PT10M', t0, 2, now)?.toISOString()).toBe('2030-01-01T00:10:00.000Z');
    expect(nextCycleDue('R3/PT10M', t0, 3, now)).toBeNull();
    expect(nextCycleDue('R/PT10M', t0, 500, now)?.toISOString()).toBe('2030-01-01T00:10:00.000Z');
  });

  test("a cycle's start instant is honoured (Vietnamese time when it has no offset)", () => {
    const now = new Date('2029-06-01T00:00:00Z');
    expect(firstDue({ timeCycle: 'R3/2030-01-01T08:00:00+07:00/P1D' }, now)?.toISOString()).toBe('2030-01-01T01:00:00.000Z');
    expect(firstDue({ timeCycle: 'R3/2030-01-01T08:00:00/P1D' }, now)?.toISOString()).toBe('2030-01-01T01:00:00.000Z');
    // Without a start: one interval from now.
    expect(firstDue({ timeCycle: 'R/P1D' }, now)?.toISOString()).toBe('2029-06-02T00:00:00.000Z');
  });

  test('after all nodes were down across many occurrences it fires once, then keeps its schedule', () => {
    const last = new Date('2020-01-01T00:00:00Z');
    const now = new Date('2026-01-01T00:00:30Z');
    const next = nextCycleDue('R/PT10M', last, 2, now)!;
    expect(next.getTime()).toBeGreaterThan(now.getTime());
    expect(next.getTime() - now.getTime()).toBeLessThanOrEqual(10 * 60_000);
  });

  test('a zero cycle already stored (deployed before the rule) ends instead of spinning', () => {
    const t0 = Date.now();
    expect(nextCycleDue('R/PT0S', new Date(), 1)).toBeNull();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(MIN_CYCLE_MS).toBe(60_000);
  });
});

describe('timers at deployment, validation and run time', () => {
  let platform: TestPlatform;
  let owner: AuthedClient;
  beforeAll(async () => {
    // Dozens of validations in a few seconds from one user: raise the per-user rate limit a person never reaches.
    platform = await createTestPlatform({ VALIDATE_PER_MINUTE: '1000' });
    owner = await loginAs(platform.app, 'owner.stp');
  });
  afterAll(async () => { await platform.close(); });

  test.each(BAD_CYCLES.filter((c) => !c.includes('$')))('deploy, /validate (both paths) refuse a timer start and a boundary timer with cycle %s', async (cycle) => {
    const admin = 'Basic ' + Buffer.from('admin:Demo@2026').toString('base64');
    for (const xml of [timerStart(cycle), boundaryCycle(cycle)]) {
      const form = { 'deployment-name': 'bad-timer' };
      const res = await request(platform.app).post('/engine-rest/deployment/create')
        .set('Authorization', admin).field(form).attach('m.bpmn', Buffer.from(xml), 'm.bpmn');
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/timeCycle/);
      for (const engineCheck of [false, true]) {
        const v = await owner.post('/api/process-versions/validate').send({ xml, engineCheck }).expect(200);
        const messages = JSON.stringify(v.body.findings);
        expect(messages).toMatch(/timeCycle/);
      }
    }
    expect(await platform.db.knex('engine_timer').where('definition_id', 'like', 'cyc:%')).toHaveLength(0);
  });

  test('a cycle expression is refused (it could evaluate to R/PT0S at run time)', async () => {
    const v = await owner.post('/api/process-versions/validate').send({ xml: timerStart('${cycle}'), engineCheck: false }).expect(200);
    expect(JSON.stringify(v.body.findings)).toMatch(/tthc\/timer/);
  });

  test('a model that loops through a zero-length timer is parked with an incident, not fired for ever', async () => {
    const admin = 'Basic ' + Buffer.from('admin:Demo@2026').toString('base64');
    const loop = bpmn('looper', `<bpmn:startEvent id="start"/>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="tick"/>
      <bpmn:intermediateCatchEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeDuration>PT0S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f2" sourceRef="tick" targetRef="tick"/>`);
    await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', admin)
      .field({ 'deployment-name': 'looper' }).attach('l.bpmn', Buffer.from(loop), 'l.bpmn').expect(200);
    const inst = await request(platform.app).post('/engine-rest/process-definition/key/looper/start').set('Authorization', admin)
      .send({ variables: { unitId: { value: 'xa-phu-long', type: 'String' } } }).expect(200);
    let incident: unknown[] = [];
    for (let i = 0; i < 40 && !incident.length; i++) {
      await (await engineOf(platform)).fireDueTimers(50);
      incident = await platform.db.knex('engine_incident').where({ instance_id: inst.body.id, incident_type: 'failedTimer' });
    }
    expect(incident).toHaveLength(1);
    // Parked: no node claims it again.
    const [timer] = await platform.db.knex('engine_timer').where({ instance_id: inst.body.id });
    expect(timer.locked_by).toBe('incident');
    expect(await (await engineOf(platform)).fireDueTimers(50)).toBe(0);
  }, 120_000);
});

let shared: EngineService | undefined;
/** An engine on the platform's database (the scheduler's own is not exposed). */
async function engineOf(platform: TestPlatform): Promise<EngineService> {
  shared ??= createEngine({ db: platform.db, log: createLogger('silent'), timerLoopFires: 8 });
  return shared;
}
