import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import { createInstanceMigrator, type EngineService, type InstanceMigrator } from '../../server/engine/index.js';
import { runningElements } from '../../server/engine/migrate-instances.js';
import { engineWith } from './engine-with.js';
import { bpmn, WORK } from './fixtures.js';

const ALL = { all: true } as const;
const str = (value: string) => ({ value, type: 'String' });

/**
 * v1: a route gateway sends 'old' dossiers to a step v2 removes; the others fork into a user task
 * (with a 40-day reminder timer), a payment message and an external job, joined before the end.
 */
function version(opts: { withOld: boolean; messageName: string; after?: string; jobType?: 'serviceTask' | 'userTask' }): string {
  const job = opts.jobType === 'userTask' ? '<bpmn:userTask id="job"/>' : '<bpmn:serviceTask id="job" camunda:type="external" camunda:topic="mig-job"/>';
  return bpmn('mig', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="route"/>
  <bpmn:exclusiveGateway id="route" default="toFork"/>
  ${opts.withOld ? `<bpmn:sequenceFlow id="toOld" sourceRef="route" targetRef="old"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${path == 'old'}</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:userTask id="old" name="Bước cũ"/>
  <bpmn:sequenceFlow id="f9" sourceRef="old" targetRef="endOld"/>
  <bpmn:endEvent id="endOld"/>` : ''}
  <bpmn:sequenceFlow id="toFork" sourceRef="route" targetRef="fork"/>
  <bpmn:parallelGateway id="fork"/>
  <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="a"/>
  <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="pay"/>
  <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="job"/>
  <bpmn:userTask id="a" name="Thẩm định" camunda:candidateGroups="specialist"/>
  <bpmn:boundaryEvent id="remind" attachedToRef="a" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>P40D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f4" sourceRef="remind" targetRef="reminded"/>
  <bpmn:endEvent id="reminded"/>
  <bpmn:receiveTask id="pay" messageRef="Paid"/>
  ${job}
  <bpmn:sequenceFlow id="f5" sourceRef="a" targetRef="join"/>
  <bpmn:sequenceFlow id="f6" sourceRef="pay" targetRef="join"/>
  <bpmn:sequenceFlow id="f7" sourceRef="job" targetRef="join"/>
  <bpmn:parallelGateway id="join"/>
  ${opts.after ? `<bpmn:sequenceFlow id="f8" sourceRef="join" targetRef="${opts.after}"/><bpmn:userTask id="${opts.after}" name="Bước mới"/><bpmn:sequenceFlow id="f10" sourceRef="${opts.after}" targetRef="end"/>`
    : '<bpmn:sequenceFlow id="f8" sourceRef="join" targetRef="end"/>'}
  <bpmn:endEvent id="end"/>`, `<bpmn:message id="Paid" name="${opts.messageName}"/>`);
}

let db: Database;
let engine: EngineService;
let migrator: InstanceMigrator;
let v1: string;
let v2: string;
let v3: string;
let other: string;

async function deploy(xml: string, name = 'mig.bpmn'): Promise<string> {
  const d = await engine.deploy({ name: 'test', resources: [{ name, content: xml }] });
  return d.deployedProcessDefinitions[0]!.id;
}

const instanceRow = (id: string) => db.knex('engine_instance').where({ id }).first();

beforeAll(async () => {
  ({ db, engine } = await engineWith());
  migrator = createInstanceMigrator({ db });
  v1 = await deploy(version({ withOld: true, messageName: 'paid' }));
  v2 = await deploy(version({ withOld: false, messageName: 'paid-v2', after: 'b' }));
  v3 = await deploy(version({ withOld: true, messageName: 'paid', jobType: 'userTask' }));
  other = await deploy(WORK, 'work.bpmn');
});
afterAll(async () => { await db.close(); });

describe('instance migration', () => {
  let moving: string;
  let staying: string;

  test('the plan considers tasks, timers, messages, external tasks and what the stored state has running', async () => {
    moving = (await engine.startProcess({ definitionId: v1, businessKey: 'HS-MOVE', variables: { path: str('new') } })).id;
    staying = (await engine.startProcess({ definitionId: v1, businessKey: 'HS-STAY', variables: { path: str('old') } })).id;
    const plan = await migrator.planMigration(v1, v2);
    expect(plan).toEqual([
      { instanceId: moving, businessKey: 'HS-MOVE', waitingActivityIds: ['a', 'job', 'pay', 'remind'], canMigrate: true, missing: [], problems: [] },
      { instanceId: staying, businessKey: 'HS-STAY', waitingActivityIds: ['old'], canMigrate: false, missing: ['old'], problems: [] },
    ]);
    // Only the instances asked about, in the order asked; an unknown id is reported, not fatal.
    const some = await migrator.planMigration(v1, v2, [staying, '00000000-0000-4000-8000-000000000000']);
    expect(some.map((p) => [p.instanceId, p.canMigrate, p.problems])).toEqual([
      [staying, false, []], ['00000000-0000-4000-8000-000000000000', false, ['no such process instance']],
    ]);
  });

  test('an element whose type changed, a boundary event attached elsewhere, or a step made multi-instance blocks the move', async () => {
    const plan = await migrator.planMigration(v1, v3, [moving]);
    expect(plan[0]).toMatchObject({ canMigrate: false, missing: [] });
    expect(plan[0]!.problems.join(' ')).toMatch(/'job' is ServiceTask here but UserTask/);
    const v4 = await deploy(version({ withOld: true, messageName: 'paid' }).replace('attachedToRef="a"', 'attachedToRef="job"'));
    const [p4] = await migrator.planMigration(v1, v4, [moving]);
    expect(p4).toMatchObject({ canMigrate: false, missing: [], problems: ["'remind' sits elsewhere in the new version (in mig, attached to a → in mig, attached to job)"] });
    const v5 = await deploy(version({ withOld: true, messageName: 'paid' }).replace('<bpmn:receiveTask id="pay" messageRef="Paid"/>', '<bpmn:receiveTask id="pay" messageRef="Paid"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:receiveTask>'));
    // Same id, type and place, but now multi-instance: only the trial resume sees it would wait differently.
    const [p5] = await migrator.planMigration(v1, v5, [moving]);
    expect(p5).toMatchObject({ canMigrate: false, missing: [] });
    expect(p5!.problems).toEqual([expect.stringMatching(/^on the new version it would not wait the same way \(no longer message pay/)]);
  });

  test('bad pairs are refused before anything is read or written', async () => {
    const before = await instanceRow(moving);
    await expect(migrator.migrateInstances(v1, v1, [moving], 'admin')).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(migrator.migrateInstances(v1, 'nope:1:x', [moving], 'admin')).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(migrator.planMigration('nope:1:x', v2)).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(migrator.migrateInstances(v1, other, [moving], 'admin')).rejects.toMatchObject({ kind: 'InvalidInput' });
    expect(await instanceRow(moving)).toMatchObject({ definition_id: v1, revision: before.revision });
    expect(await db.knex('engine_history').where({ kind: 'migrated' })).toHaveLength(0);
  });

  test('moves only what can move: definition switched on the instance and its projections, revision bumped, history written', async () => {
    const [beforeMove, beforeStay] = [await instanceRow(moving), await instanceRow(staying)];
    const executions = (id: string) => db.knex('engine_execution').where({ instance_id: id }).orderBy('ord');
    const executionsBefore = await executions(moving);
    const out = await migrator.migrateInstances(v1, v2, [moving, staying], 'admin');
    expect(out.migrated.map((p) => p.instanceId)).toEqual([moving]);
    expect(out.skipped).toEqual([expect.objectContaining({ instanceId: staying, missing: ['old'] })]);

    const moved = await instanceRow(moving);
    expect(moved.definition_id).toBe(v2);
    expect(moved.revision).toBe(beforeMove.revision + 1);
    expect(await executions(moving)).toEqual(executionsBefore);
    expect(executionsBefore).not.toHaveLength(0);
    for (const t of ['engine_task', 'engine_external_task', 'engine_timer']) {
      expect((await db.knex(t).where({ instance_id: moving })).map((r: { definition_id: string }) => r.definition_id)).toEqual([v2]);
    }
    expect(await db.knex('engine_message_sub').where({ instance_id: moving }).first()).toMatchObject({ message_name: 'paid-v2' });
    const [h] = await db.knex('engine_history').where({ instance_id: moving, kind: 'migrated' });
    expect(h).toMatchObject({ definition_id: v2, user_id: 'admin' });
    expect(typeof h.data === 'string' ? JSON.parse(h.data) : h.data).toMatchObject({ fromDefinitionId: v1, toDefinitionId: v2, fromVersion: 1, toVersion: 2 });

    expect(await instanceRow(staying)).toMatchObject({ definition_id: v1, revision: beforeStay.revision });
    expect((await engine.listTasks({ processInstanceId: staying }, ALL))[0]).toMatchObject({ taskDefinitionKey: 'old', processDefinitionId: v1 });

    // Moving it again is a re-check under the lock, not a second move.
    const again = await migrator.migrateInstances(v1, v2, [moving], 'admin');
    expect(again.migrated).toEqual([]);
    expect(again.skipped[0]!.problems[0]).toMatch(/runs on/);
  });

  test('the moved instance continues on the new version: timer, message, job, then the step v2 added', async () => {
    const [timer] = await db.knex('engine_timer').where({ instance_id: moving });
    await db.knex('engine_timer').where({ id: timer.id }).update({ due_at: new Date(Date.now() - 1000) });
    expect(await engine.fireDueTimers()).toBe(1);
    await expect(engine.correlateMessage({ messageName: 'paid', businessKey: 'HS-MOVE' })).rejects.toMatchObject({ kind: 'NoMatch' });
    await engine.correlateMessage({ messageName: 'paid-v2', businessKey: 'HS-MOVE' });
    const [job] = await engine.fetchAndLock({ workerId: 'w', maxTasks: 1, topics: [{ topicName: 'mig-job', lockDuration: 60000 }] });
    expect(job).toMatchObject({ processInstanceId: moving, processDefinitionId: v2 });
    await engine.completeExternalTask(job!.id, { workerId: 'w' });
    const [a] = await engine.listTasks({ processInstanceId: moving }, ALL);
    expect(a).toMatchObject({ taskDefinitionKey: 'a', processDefinitionId: v2 });
    await engine.completeTask(a!.id, { userId: 'chuyenvien.xa' }, ALL);
    const [b] = await engine.listTasks({ processInstanceId: moving }, ALL);
    expect(b).toMatchObject({ taskDefinitionKey: 'b', name: 'Bước mới', processDefinitionId: v2 });
    await engine.completeTask(b!.id, { userId: 'chuyenvien.xa' }, ALL);
    expect(await engine.getInstance(moving)).toMatchObject({ state: 'COMPLETED', definitionId: v2 });
    const ends = (await engine.history({ instanceId: moving })).filter((x) => x.kind === 'activity-end').map((x) => x.activityId);
    expect(ends).toEqual(expect.arrayContaining(['reminded', 'pay', 'job', 'a', 'join', 'b', 'end']));
  });

  test('the instance that could not move still completes on v1', async () => {
    const [old] = await engine.listTasks({ processInstanceId: staying }, ALL);
    await engine.completeTask(old!.id, { userId: 'chuyenvien.xa' }, ALL);
    expect(await engine.getInstance(staying)).toMatchObject({ state: 'COMPLETED', definitionId: v1 });
    expect((await engine.history({ instanceId: staying })).map((x) => x.activityId)).toContain('endOld');
  });

  test('runningElements reads subprocess contents and ignores what has finished', () => {
    const state = { definitions: [{ execution: { processes: [{ execution: { children: [
      { id: 'start', type: 'bpmn:StartEvent' },
      { id: 'sub', type: 'bpmn:SubProcess', status: 'executing', execution: { children: [{ id: 'inner', type: 'bpmn:UserTask', status: 'executing' }, { id: 'ss', type: 'bpmn:StartEvent' }] } },
    ] } }] } }] };
    expect(runningElements(state)).toEqual([{ id: 'sub', type: 'bpmn:SubProcess' }, { id: 'inner', type: 'bpmn:UserTask' }]);
    expect(runningElements(null)).toEqual([]);
  });
});
