import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { basicAuthHeader, loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { bpmn, specialistCheck } from '../engine/fixtures.js';

/**
 * Writing through /engine-rest is scoped like reading (unit-scope.test.ts): every write route ×
 * every kind of target unit — the caller's own commune, another commune, a provincial department,
 * a unit that does not exist, no unit at all. A refused write answers 4xx {type, message} and
 * changes nothing; a target outside the caller's units answers like one that does not exist.
 */
const ADMIN = basicAuthHeader('admin');
const WORKER = basicAuthHeader('worker');
const OWN = 'xa-phu-long';
const TARGETS = { 'other commune': 'xa-ham-tien', department: 'stp-hctp', 'no unit': null } as const;
type Target = keyof typeof TARGETS | 'own';
const unitOf = (t: Target) => (t === 'own' ? OWN : TARGETS[t]);
const GHOST = '7b0e4c1a-0000-4000-8000-000000000000';

/** start → waits for the citizen's supplement (message "bo-sung") → specialist check. */
const WAITS = bpmn('wmsg', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="supplement"/>
  <bpmn:receiveTask id="supplement" messageRef="Sup"/>
  <bpmn:sequenceFlow id="f2" sourceRef="supplement" targetRef="check"/>
  <bpmn:userTask id="check" camunda:candidateGroups="specialist"/>
  <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end"/>
  <bpmn:endEvent id="end"/>`, '<bpmn:message id="Sup" name="bo-sung"/>');
/** Online filing starts a dossier by message. */
const FILED = bpmn('wfiled', `
  <bpmn:startEvent id="start"><bpmn:messageEventDefinition messageRef="Filed"/></bpmn:startEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
  <bpmn:userTask id="check" camunda:candidateGroups="specialist"/>
  <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end"/>
  <bpmn:endEvent id="end"/>`, '<bpmn:message id="Filed" name="nop-truc-tuyen"/>');

let platform: TestPlatform;
const c: Record<string, AuthedClient> = {};
const api = () => request(platform.app);
const admin = {
  get: (url: string) => api().get(url).set('Authorization', ADMIN),
  post: (url: string) => api().post(url).set('Authorization', ADMIN),
};
let definitionId: string;

const unitVar = (unit: string | null) => (unit === null ? {} : { unitId: { value: unit, type: 'String' } });

async function startAsAdmin(key: string, unit: string | null, businessKey: string): Promise<{ instanceId: string; taskId?: string }> {
  const res = await admin.post(`/engine-rest/process-definition/key/${key}/start`)
    .send({ businessKey, variables: { ...unitVar(unit), idNumber: { value: '079123456789', type: 'String' } } }).expect(200);
  const tasks = (await admin.get('/engine-rest/task').query({ processInstanceId: res.body.id }).expect(200)).body;
  return { instanceId: res.body.id, taskId: tasks[0]?.id };
}

async function instanceCount(): Promise<number> {
  return (await admin.get('/engine-rest/process-instance/count').expect(200)).body.count;
}

const taskOf = async (taskId: string) => (await admin.get(`/engine-rest/task/${taskId}`).expect(200)).body;

function expectError(res: request.Response, status: number): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual(expect.objectContaining({ type: expect.any(String), message: expect.any(String) }));
}

beforeAll(async () => {
  platform = await createTestPlatform();
  const dep = await admin.post('/engine-rest/deployment/create').field('deployment-name', 'write-scope')
    .attach('a', Buffer.from(specialistCheck('wtask')), 'wtask.bpmn').attach('b', Buffer.from(WAITS), 'wmsg.bpmn')
    .attach('c', Buffer.from(FILED), 'wfiled.bpmn').expect(200);
  definitionId = Object.values(dep.body.deployedProcessDefinitions as Record<string, { id: string; key: string }>).find((d) => d.key === 'wtask')!.id;
  for (const u of ['motcua.xa', 'chuyenvien.xa', 'chuyenvien.xa2', 'chuyenvien.stp', 'truongphong.xa', 'lanhdao.xa']) c[u] = await loginAs(platform.app, u);
  // A second specialist of the same commune: a colleague, not the holder.
  const adminUi = await loginAs(platform.app, 'admin');
  await adminUi.post('/api/users').send({ username: 'chuyenvien.xa.b', displayName: 'Lý Văn Đồng Nghiệp', kind: 'user', password: 'Demo@2026', roles: [{ role: 'specialist', unitId: OWN }] }).expect(201);
  c['chuyenvien.xa.b'] = await loginAs(platform.app, 'chuyenvien.xa.b');
}, 120_000);
afterAll(async () => { await platform.close(); });

describe('starting a process: only in a unit the caller may start in, which must exist', () => {
  const routes = {
    'POST /process-definition/key/{key}/start': () => '/engine-rest/process-definition/key/wtask/start',
    'POST /process-definition/{id}/start': () => `/engine-rest/process-definition/${definitionId}/start`,
  };
  const cases: Array<[string, string | null, number]> = [
    ['own commune', OWN, 200],
    ['other commune', 'xa-ham-tien', 403],
    ['department', 'stp-hctp', 403],
    ['nonexistent unit', 'xa-khong-ton-tai', 400],
    ['no unit', null, 400],
  ];
  for (const [route, url] of Object.entries(routes)) {
    for (const [target, unit, status] of cases) {
      it(`${route} by the one-stop officer, ${target} → ${status}`, async () => {
        const before = await instanceCount();
        const res = await c['motcua.xa']!.post(url()).send({ businessKey: `HS-START-${target}`, variables: unitVar(unit) });
        if (status === 200) {
          expect(res.status).toBe(200);
          await c['motcua.xa']!.get(`/engine-rest/process-instance/${res.body.id}`).expect(200);
          expect(await instanceCount()).toBe(before + 1);
        } else {
          expectError(res, status);
          expect(await instanceCount()).toBe(before);
        }
      });
    }
  }

  it('a unitId that is not a String unit id is refused', async () => {
    const before = await instanceCount();
    for (const v of [{ value: 7, type: 'Integer' }, { value: '', type: 'String' }, { value: 'x'.repeat(65), type: 'String' }]) {
      expectError(await c['motcua.xa']!.post('/engine-rest/process-definition/key/wtask/start').send({ variables: { unitId: v } }), 400);
    }
    expect(await instanceCount()).toBe(before);
  });

  it('administrators and service accounts start in any unit that exists', async () => {
    for (const auth of [ADMIN, WORKER]) {
      await api().post('/engine-rest/process-definition/key/wtask/start').set('Authorization', auth).send({ variables: unitVar('xa-ham-tien') }).expect(200);
      expectError(await api().post('/engine-rest/process-definition/key/wtask/start').set('Authorization', auth).send({ variables: unitVar('xa-khong-ton-tai') }), 400);
    }
  });

  it('an instance without a unit (admin/service only) offers its tasks to nobody by role, in no unit', async () => {
    const { taskId } = await startAsAdmin('wtask', null, 'HS-NOUNIT');
    for (const u of ['chuyenvien.xa', 'chuyenvien.xa2', 'chuyenvien.stp']) {
      expect((await c[u]!.get('/engine-rest/task').expect(200)).body.map((t: { id: string }) => t.id)).not.toContain(taskId);
      await c[u]!.get(`/engine-rest/task/${taskId}`).expect(404);
      await c[u]!.get(`/engine-rest/task/${taskId}/variables`).expect(404);
      for (const tab of ['group', 'unit']) {
        expect((await c[u]!.get('/api/tasks').query({ tab }).expect(200)).body.items.map((t: { id: string }) => t.id)).not.toContain(taskId);
      }
      await c[u]!.get(`/api/tasks/${taskId}`).expect(404);
    }
  });
});

describe('task writes: only on tasks in the caller\'s scope', () => {
  const routes: Record<string, (self: string) => Record<string, unknown>> = {
    claim: (self) => ({ userId: self }),
    unclaim: () => ({}),
    assignee: (self) => ({ userId: self }),
    complete: () => ({ variables: { note: { value: 'x', type: 'String' } }, withVariablesInReturn: true }),
  };
  const tasks: Partial<Record<Target, string>> = {};
  beforeAll(async () => {
    for (const [t, unit] of Object.entries(TARGETS)) tasks[t as Target] = (await startAsAdmin('wtask', unit, `HS-TASK-${t}`)).taskId;
  });

  for (const route of Object.keys(routes)) {
    for (const target of [...Object.keys(TARGETS), 'nonexistent task'] as Array<Target | 'nonexistent task'>) {
      it(`POST /task/{id}/${route} by the commune's specialist on a task of ${target} → 404, nothing changes`, async () => {
        const taskId = target === 'nonexistent task' ? GHOST : tasks[target]!;
        const res = await c['chuyenvien.xa']!.post(`/engine-rest/task/${taskId}/${route}`).send(routes[route]!('chuyenvien.xa'));
        expectError(res, 404);
        expect(JSON.stringify(res.body)).not.toContain('079123456789');
        if (target !== 'nonexistent task') expect(await taskOf(taskId)).toMatchObject({ id: taskId, assignee: null });
      });
    }
  }

  it('on its own commune\'s task every route works: claim, unclaim, assignee, complete (variables returned are an audited read)', async () => {
    const { taskId, instanceId } = await startAsAdmin('wtask', OWN, 'HS-TASK-own');
    const me = c['chuyenvien.xa']!;
    await me.post(`/engine-rest/task/${taskId}/claim`).send({ userId: 'chuyenvien.xa' }).expect(204);
    await me.post(`/engine-rest/task/${taskId}/unclaim`).send({}).expect(204);
    await me.post(`/engine-rest/task/${taskId}/assignee`).send({ userId: 'chuyenvien.xa' }).expect(204);
    expect((await taskOf(taskId!)).assignee).toBe('chuyenvien.xa');
    const done = await me.post(`/engine-rest/task/${taskId}/complete`).send({ withVariablesInReturn: true }).expect(200);
    expect(done.body.idNumber.value).toBe('079123456789');
    await platform.background.find((b) => b.name === 'audit-trail')!.stop();
    const reads = await platform.db.knex('audit_log').where({ action: 'access:read-variables', username: 'chuyenvien.xa', target_id: taskId }).select('target_type');
    expect(reads).toEqual([{ target_type: 'task' }]);
    expect((await admin.get(`/engine-rest/history/process-instance`).query({ processInstanceId: instanceId }).expect(200)).body[0].state).toBe('COMPLETED');
  });
});

describe('who may hold a task: an existing user holding its candidate role in its unit', () => {
  let taskId: string;
  beforeAll(async () => { taskId = (await startAsAdmin('wtask', OWN, 'HS-ASSIGN')).taskId!; });

  it.each([
    ['a specialist of another commune', 'chuyenvien.xa2', 'NotACandidate'],
    ['a specialist of a department', 'chuyenvien.stp', 'NotACandidate'],
    ['someone of the unit without the role', 'motcua.xa', 'NotACandidate'],
    ['a user that does not exist', 'khong.ton.tai', 'InvalidRequestException'],
  ])('assigning it to %s is refused (specialist and administrator alike), and it stays unclaimed', async (_who, userId, type) => {
    for (const post of [(u: string) => c['chuyenvien.xa']!.post(u), (u: string) => admin.post(u)]) {
      const res = await post(`/engine-rest/task/${taskId}/assignee`).send({ userId });
      expectError(res, 400);
      expect(res.body.type).toBe(type);
    }
    const claim = await admin.post(`/engine-rest/task/${taskId}/claim`).send({ userId });
    expectError(claim, 400);
    expect((await taskOf(taskId)).assignee).toBeNull();
  });

  it('after those refusals the rightful candidate still claims it; a colleague can neither take nor release it', async () => {
    await c['chuyenvien.xa']!.post(`/engine-rest/task/${taskId}/claim`).send({ userId: 'chuyenvien.xa' }).expect(204);
    const colleague = c['chuyenvien.xa.b']!;
    expectError(await colleague.post(`/engine-rest/task/${taskId}/assignee`).send({ userId: 'chuyenvien.xa.b' }), 403);
    expectError(await colleague.post(`/engine-rest/task/${taskId}/unclaim`).send({}), 403);
    const claimed = await colleague.post(`/engine-rest/task/${taskId}/claim`).send({ userId: 'chuyenvien.xa.b' });
    expectError(claimed, 400);
    expect(claimed.body.message).toMatch(/already claimed/);
    expectError(await colleague.post(`/engine-rest/task/${taskId}/complete`).send({}), 400);
    expect((await taskOf(taskId)).assignee).toBe('chuyenvien.xa');
  });

  it('the holder hands it to a colleague holding the role in the unit; an administrator reassigns it', async () => {
    await c['chuyenvien.xa']!.post(`/engine-rest/task/${taskId}/assignee`).send({ userId: 'chuyenvien.xa.b' }).expect(204);
    expect((await taskOf(taskId)).assignee).toBe('chuyenvien.xa.b');
    await admin.post(`/engine-rest/task/${taskId}/assignee`).send({ userId: 'chuyenvien.xa' }).expect(204);
    expect((await taskOf(taskId)).assignee).toBe('chuyenvien.xa');
  });

  it('no write moves an instance to another unit (unitId is fixed at start)', async () => {
    const res = await c['chuyenvien.xa']!.post(`/engine-rest/task/${taskId}/complete`).send({ variables: { unitId: { value: 'xa-ham-tien', type: 'String' } } });
    expectError(res, 400);
    expect((await taskOf(taskId)).id).toBe(taskId);
  });
});

describe('POST /message: correlates only into instances of the caller\'s units', () => {
  const waiting: Partial<Record<Target, string>> = {};
  beforeAll(async () => {
    for (const t of ['own', ...Object.keys(TARGETS)] as Target[]) waiting[t] = (await startAsAdmin('wmsg', unitOf(t), `HS-MSG-${t}`)).instanceId;
  });
  const idNumberOf = async (instanceId: string) => (await admin.get(`/engine-rest/process-instance/${instanceId}/variables`).expect(200)).body.idNumber.value;

  for (const target of Object.keys(TARGETS) as Target[]) {
    it(`a message for ${target} matches nothing: no id revealed, no variable written, the instance still waits`, async () => {
      const instanceId = waiting[target]!;
      for (const by of [{ businessKey: `HS-MSG-${target}` }, { processInstanceId: instanceId }, { all: true }]) {
        const res = await c['motcua.xa']!.post('/engine-rest/message')
          .send({ messageName: 'bo-sung', ...by, resultEnabled: true, processVariables: { idNumber: { value: '000000000000', type: 'String' } } });
        if ('all' in by) continue; // all: true reaches the officer's own instance (checked below), never this one
        expectError(res, 400);
        expect(res.body.type).toBe('MismatchingMessageCorrelationException');
        expect(JSON.stringify(res.body)).not.toContain(instanceId);
      }
      expect(await idNumberOf(instanceId)).toBe('079123456789');
      expect((await admin.get('/engine-rest/task').query({ processInstanceId: instanceId }).expect(200)).body).toEqual([]);
    });
  }

  it('a message for its own commune correlates (and `all: true` reached only that one)', async () => {
    const own = waiting.own!;
    // The `all: true` messages above already moved the officer's own instance on, and only it.
    expect((await admin.get('/engine-rest/task').query({ processInstanceId: own }).expect(200)).body).toHaveLength(1);
    expect(await idNumberOf(own)).toBe('000000000000');
    const again = await startAsAdmin('wmsg', OWN, 'HS-MSG-own-2');
    const res = await c['motcua.xa']!.post('/engine-rest/message').send({ messageName: 'bo-sung', businessKey: 'HS-MSG-own-2', resultEnabled: true }).expect(200);
    expect(res.body.map((r: { execution: { processInstanceId: string } }) => r.execution.processInstanceId)).toEqual([again.instanceId]);
  });

  it.each([
    ['own commune', OWN, 200],
    ['other commune', 'xa-ham-tien', 403],
    ['department', 'stp-hctp', 403],
    ['nonexistent unit', 'xa-khong-ton-tai', 400],
    ['no unit', null, 400],
  ] as Array<[string, string | null, number]>)('a message start for %s → %s', async (_t, unit, status) => {
    const before = await instanceCount();
    const res = await c['motcua.xa']!.post('/engine-rest/message').send({ messageName: 'nop-truc-tuyen', processVariables: unitVar(unit), resultEnabled: true });
    if (status === 200) {
      expect(res.status).toBe(200);
      expect(res.body[0].resultType).toBe('ProcessDefinition');
      await c['motcua.xa']!.get(`/engine-rest/process-instance/${res.body[0].processInstance.id}`).expect(200);
      expect(await instanceCount()).toBe(before + 1);
    } else {
      expectError(res, status);
      expect(await instanceCount()).toBe(before);
    }
  });
});

describe('other engine writes', () => {
  it('a signal (a broadcast to every unit) is for administrators and service accounts only', async () => {
    expectError(await c['motcua.xa']!.post('/engine-rest/signal').send({ name: 'holiday-changed' }), 403);
    await admin.post('/engine-rest/signal').send({ name: 'holiday-changed' }).expect(204);
  });

  it.each([
    ['DELETE', '/engine-rest/process-instance/{i}'],
    ['POST', '/engine-rest/process-instance/{i}/modification'],
  ])('%s %s is the administrator\'s: staff of any unit get 403', async (method, path) => {
    const { instanceId } = await startAsAdmin('wtask', OWN, 'HS-ADMIN-ONLY');
    for (const u of ['motcua.xa', 'chuyenvien.xa', 'lanhdao.xa', 'chuyenvien.xa2']) {
      const url = path.replace('{i}', instanceId);
      const res = method === 'DELETE' ? await c[u]!.delete(url) : await c[u]!.post(url).send({ instructions: [{ type: 'cancel', activityId: 'check' }] });
      expectError(res, 403);
    }
    await c['chuyenvien.xa']!.get(`/engine-rest/process-instance/${instanceId}`).expect(200);
  });

  it('external-task writes are the service account\'s: staff get 403', async () => {
    for (const u of ['motcua.xa', 'chuyenvien.xa', 'lanhdao.xa']) {
      expectError(await c[u]!.post('/engine-rest/external-task/fetchAndLock').send({ workerId: 'w', maxTasks: 1, topics: [{ topicName: 't', lockDuration: 1000 }] }), 403);
      expectError(await c[u]!.post(`/engine-rest/external-task/${GHOST}/complete`).send({ workerId: 'w' }), 403);
    }
  });
});

describe('the platform\'s own /api task routes are scoped too', () => {
  let taskId: string;
  beforeAll(async () => { taskId = (await startAsAdmin('wtask', OWN, 'HS-API')).taskId!; });

  it('another commune\'s specialist cannot claim or complete; a division head cannot assign outside the role and unit', async () => {
    const other = c['chuyenvien.xa2']!;
    expectError(await other.post(`/api/tasks/${taskId}/claim`).send({}), 404);
    expectError(await other.post(`/api/tasks/${taskId}/complete`).send({}), 404);
    const head = c['truongphong.xa']!;
    expectError(await head.post(`/api/tasks/${taskId}/assign`).send({ username: 'chuyenvien.xa2' }), 400);
    expectError(await head.post(`/api/tasks/${taskId}/assign`).send({ username: 'khong.ton.tai' }), 400);
    expect((await taskOf(taskId)).assignee).toBeNull();
    await head.post(`/api/tasks/${taskId}/assign`).send({ username: 'chuyenvien.xa' }).expect(204);
    expect((await taskOf(taskId)).assignee).toBe('chuyenvien.xa');
  });
});
