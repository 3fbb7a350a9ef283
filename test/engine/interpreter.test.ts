import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import { createEngine, createInstanceMigrator, type EngineService } from '../../server/engine/index.js';
import { instanceState } from '../../server/engine/store.js';
import { createLogger } from '../../server/log.js';
import { engineWith } from './engine-with.js';
import { bpmn } from './fixtures.js';

const ALL = { all: true } as const;
let db: Database;
let native: EngineService;
let legacy: EngineService;

/** review (with a 40-day non-interrupting reminder) → approve → end. */
const REVIEW = (name: string) => bpmn('review', `
  <bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
  <bpmn:userTask id="check" name="${name}"/>
  <bpmn:boundaryEvent id="remind" attachedToRef="check" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>P40D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="remind" targetRef="reminded"/><bpmn:endEvent id="reminded"/>
  <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="approve"/><bpmn:userTask id="approve"/>
  <bpmn:sequenceFlow id="f4" sourceRef="approve" targetRef="end"/><bpmn:endEvent id="end"/>`);

const WAITS_FOR_SIGNAL = bpmn('waiter', `
  <bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
  <bpmn:intermediateCatchEvent id="wait"><bpmn:signalEventDefinition signalRef="S"/></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="after"/><bpmn:userTask id="after"/>
  <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end"/><bpmn:endEvent id="end"/>`, '<bpmn:signal id="S" name="holiday-changed"/>');
const STARTS_ON_SIGNAL = bpmn('onSignal', `
  <bpmn:startEvent id="start"><bpmn:signalEventDefinition signalRef="S"/></bpmn:startEvent><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t"/>
  <bpmn:userTask id="t"/><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end"/><bpmn:endEvent id="end"/>`, '<bpmn:signal id="S" name="holiday-changed"/>');
const THROWS_SIGNAL = bpmn('thrower', `
  <bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="send"/>
  <bpmn:intermediateThrowEvent id="send"><bpmn:signalEventDefinition signalRef="S"/></bpmn:intermediateThrowEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="send" targetRef="end"/><bpmn:endEvent id="end"/>`, '<bpmn:signal id="S" name="holiday-changed"/>');

beforeAll(async () => {
  ({ db, engine: native } = await engineWith());
  legacy = createEngine({ db, log: createLogger('silent'), interpreter: 'bpmn-engine' });
});
afterAll(async () => { await db.close(); });

describe('interpreter switch and existing instances', () => {
  test('a definition deployed for bpmn-engine keeps running on it; a new version runs natively; both side by side', async () => {
    const v1 = (await legacy.deploy({ resources: [{ name: 'review.bpmn', content: REVIEW('v1') }] })).deployedProcessDefinitions[0]!;
    const old = await legacy.startProcess({ definitionId: v1.id });
    const v2 = (await native.deploy({ resources: [{ name: 'review.bpmn', content: REVIEW('v2') }] })).deployedProcessDefinitions[0]!;
    const fresh = await native.startProcess({ key: 'review' });
    expect(fresh.definitionId).toBe(v2.id);
    // The native state is execution rows; bpmn-engine's stays its blob.
    expect(await instanceState(db.knex, fresh.id)).toMatchObject({ v: 1 });
    expect(await db.knex('engine_execution').where({ instance_id: fresh.id })).not.toHaveLength(0);
    expect(await instanceState(db.knex, old.id)).toHaveProperty('definitions');
    expect(await db.knex('engine_execution').where({ instance_id: old.id })).toHaveLength(0);
    // The native-configured service completes the old instance on bpmn-engine, as it was deployed.
    for (const id of [old.id, fresh.id]) {
      const [t] = await native.listTasks({ processInstanceId: id }, ALL);
      await native.completeTask(t!.id, { userId: 'x' }, ALL);
      const [a] = await native.listTasks({ processInstanceId: id }, ALL);
      expect(a!.taskDefinitionKey).toBe('approve');
      await native.completeTask(a!.id, { userId: 'x' }, ALL);
      expect((await native.getInstance(id)).state).toBe('COMPLETED');
    }
  });

  test('an instance waiting on bpmn-engine is converted when it migrates to a native version, keeping its task and timer', async () => {
    const defs = await native.listDefinitions({ key: 'review' });
    const v1 = defs.find((d) => d.version === 1)!;
    const v2 = defs.find((d) => d.version === 2)!;
    const old = await legacy.startProcess({ definitionId: v1.id });
    const [task] = await native.listTasks({ processInstanceId: old.id }, ALL);
    const timerBefore = await db.knex('engine_timer').where({ instance_id: old.id }).first();
    const migrator = createInstanceMigrator({ db, log: createLogger('silent') });
    const [plan] = await migrator.planMigration(v1.id, v2.id, [old.id]);
    expect(plan).toMatchObject({ canMigrate: true, problems: [] });
    const outcome = await migrator.migrateInstances(v1.id, v2.id, [old.id], 'admin');
    expect(outcome.migrated.map((p) => p.instanceId)).toEqual([old.id]);
    const row = await db.knex('engine_instance').where({ id: old.id }).first();
    expect(row.engine_state).toBeNull();
    expect(await instanceState(db.knex, old.id)).toMatchObject({ v: 1, x: expect.arrayContaining([expect.objectContaining({ id: task!.executionId, w: 'user' })]) });
    // The same task row and timer row carry on under the native interpreter.
    const [same] = await native.listTasks({ processInstanceId: old.id }, ALL);
    expect(same!.id).toBe(task!.id);
    const timerAfter = await db.knex('engine_timer').where({ instance_id: old.id }).first();
    expect(timerAfter.id).toBe(timerBefore.id);
    await native.completeTask(task!.id, { userId: 'x' }, ALL);
    expect((await db.knex('engine_timer').where({ instance_id: old.id })).length).toBe(0);
    const [a] = await native.listTasks({ processInstanceId: old.id }, ALL);
    expect(a!.taskDefinitionKey).toBe('approve');
  });

  test('a native instance cannot move back to a bpmn-engine version', async () => {
    const v3 = (await legacy.deploy({ resources: [{ name: 'review.bpmn', content: REVIEW('v3') }] })).deployedProcessDefinitions[0]!;
    const defs = await native.listDefinitions({ key: 'review' });
    const v2 = defs.find((d) => d.version === 2)!;
    const inst = await native.startProcess({ definitionId: v2.id });
    const [plan] = await createInstanceMigrator({ db }).planMigration(v2.id, v3.id, [inst.id]);
    expect(plan!.canMigrate).toBe(false);
    expect(plan!.problems.join()).toMatch(/cannot move back to a bpmn-engine version/);
  });
});

describe('signals across instances (BPMN 2.0 §10.5.4)', () => {
  test('a thrown signal reaches every waiting instance and starts processes with that signal start', async () => {
    await native.deploy({ resources: [{ name: 'w.bpmn', content: WAITS_FOR_SIGNAL }, { name: 's.bpmn', content: STARTS_ON_SIGNAL }, { name: 't.bpmn', content: THROWS_SIGNAL }] });
    const a = await native.startProcess({ key: 'waiter' });
    const b = await native.startProcess({ key: 'waiter' });
    const thrower = await native.startProcess({ key: 'thrower' });
    expect(thrower.ended).toBe(true);
    for (const id of [a.id, b.id]) expect((await native.listTasks({ processInstanceId: id }, ALL)).map((t) => t.taskDefinitionKey)).toEqual(['after']);
    expect(await native.listTasks({ processDefinitionKey: 'onSignal' }, ALL)).toHaveLength(1);
    // Through the service too (POST /signal), with variables.
    const c = await native.startProcess({ key: 'waiter' });
    await native.throwSignal({ name: 'holiday-changed', variables: { year: { value: 2027, type: 'Integer' } } });
    expect((await native.getVariables(c.id)).year).toMatchObject({ value: 2027 });
    expect(await native.listTasks({ processDefinitionKey: 'onSignal' }, ALL)).toHaveLength(2);
  });
});
