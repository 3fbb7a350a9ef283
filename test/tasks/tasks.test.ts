import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { basicAuthHeader, loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { expectKeyedRefusal } from '../helpers/refusals.js';
import { reviewLoopProcess } from './fixtures.js';

/**
 * The staff tasklist over the engine's tasks: tabs and counts per demo role, unit scoping
 * (other communes see nothing, leaders read their sub-units), claim / assign / complete with an
 * outcome the step declares, the outcome routing the review gateway back and forward, and races.
 */
const ADMIN = basicAuthHeader('admin');
let platform: TestPlatform;
const c: Record<string, AuthedClient> = {};

async function start(unitId: string, code: string, applicantName: string): Promise<string> {
  const res = await request(platform.app).post('/engine-rest/process-definition/key/tasklist_demo/start').set('Authorization', ADMIN)
    .send({ businessKey: code, variables: {
      unitId: { value: unitId, type: 'String' }, applicantName: { value: applicantName, type: 'String' },
      dueAt: { value: new Date(Date.now() + 10 * 86_400_000).toISOString(), type: 'String' },
    } }).expect(200);
  return res.body.id as string;
}

async function tab(who: string, name: string, query: Record<string, string> = {}) {
  return (await c[who]!.get('/api/tasks').query({ tab: name, ...query }).expect(200)).body;
}

const openTaskOf = async (instanceId: string) => (await request(platform.app).get('/engine-rest/task').query({ processInstanceId: instanceId }).set('Authorization', ADMIN).expect(200)).body[0];

let xa1: string;
let xa2: string;

beforeAll(async () => {
  platform = await createTestPlatform();
  await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
    .field('deployment-name', 'demo').attach('file', Buffer.from(reviewLoopProcess()), 'demo.bpmn').expect(200);
  xa1 = await start('xa-phu-long', 'XPL-260101-0001', 'Nguyễn Văn Ánh');
  xa2 = await start('xa-ham-tien', 'XHT-260101-0001', 'Trần Thị Bình');
  for (const u of ['motcua.xa', 'truongphong.xa', 'chuyenvien.xa', 'chuyenvien.xa2', 'lanhdao.xa', 'lanhdao.stp', 'vanthu.xa', 'thanhtra', 'admin']) {
    c[u] = await loginAs(platform.app, u);
  }
}, 120_000);
afterAll(async () => { await platform.close(); });

describe('tabs and counts', () => {
  it('the one-stop officer sees the commune\'s new dossier in "my group", with the counts of every tab', async () => {
    const body = await tab('motcua.xa', 'group');
    // A 4-hour step is near due from the start (≤ 1 working day left), so it is in "due soon" too.
    expect(body.counts).toEqual({ mine: 0, group: 1, due: 1, unit: 0, done: 0 });
    expect(body.items).toHaveLength(1);
    const row = body.items[0];
    expect(row).toMatchObject({
      code: 'XPL-260101-0001', step: { key: 'B1', name: 'Tiếp nhận hồ sơ', budget: '4h' }, applicant: 'Nguyễn V. Á.', unitId: 'xa-phu-long',
      assignee: null, readOnly: false, paused: false,
    });
    expect(['near-due', 'overdue']).toContain(row.state);
    expect(row.stepDueAt).not.toBeNull();
    expect(row.dossierDueAt).not.toBeNull();
    expect(typeof row.timeLeft.workingHours).toBe('number');
  });

  it('another commune, a specialist and a leader of another agency see none of it', async () => {
    expect((await tab('chuyenvien.xa2', 'group')).counts).toEqual({ mine: 0, group: 0, due: 0, unit: 0, done: 0 });
    expect((await tab('chuyenvien.xa', 'group')).counts.group).toBe(0);
    expect((await tab('lanhdao.stp', 'unit')).items).toEqual([]);
  });

  it('a leader reads the tasks of the commune read-only; an inspector reads every unit', async () => {
    const body = await tab('lanhdao.xa', 'unit');
    expect(body.items.map((r: { code: string }) => r.code)).toEqual(['XPL-260101-0001']);
    expect(body.items[0].readOnly).toBe(true);
    expect((await tab('thanhtra', 'unit')).counts.unit).toBe(2);
  });

  it('filters: applicant name without accents, code, step, received period; bad filters are 400', async () => {
    expect((await tab('motcua.xa', 'group', { applicant: 'nguyen van anh' })).total).toBe(1);
    expect((await tab('motcua.xa', 'group', { applicant: 'tran thi' })).total).toBe(0);
    expect((await tab('motcua.xa', 'group', { code: 'xpl-2601' })).total).toBe(1);
    expect((await tab('motcua.xa', 'group', { step: 'B3' })).total).toBe(0);
    // The step by its name, accents and case ignored, or by its id; the names offered are the open tasks' steps.
    expect((await tab('motcua.xa', 'group', { step: 'tiep nhan' })).total).toBe(1);
    expect((await tab('motcua.xa', 'group', { step: 'TIẾP NHẬN HỒ SƠ' })).total).toBe(1);
    expect((await tab('motcua.xa', 'group', { step: 'B1' })).total).toBe(1);
    expect((await tab('motcua.xa', 'group', { step: 'tham dinh' })).total).toBe(0);
    const steps = (await c['motcua.xa']!.get('/api/tasks/steps').expect(200)).body.items;
    expect(steps).toContainEqual({ key: 'B1', name: 'Tiếp nhận hồ sơ' });
    expect((await tab('motcua.xa', 'group', { receivedFrom: '2020-01-01', receivedTo: '2020-12-31' })).total).toBe(0);
    const bad = await c['motcua.xa']!.get('/api/tasks').query({ tab: 'everything' }).expect(400);
    expect(bad.body.type).toBe('ValidationError');
    await c['motcua.xa']!.get('/api/tasks').query({ receivedFrom: '2026-02-30' }).expect(400);
    await c['motcua.xa']!.get('/api/tasks').query({ pageSize: '1000' }).expect(400);
  });

  it('/engine-rest/task lists the same open rows as the tasklist', async () => {
    const rest = (await c['motcua.xa']!.get('/engine-rest/task').expect(200)).body.map((t: { id: string }) => t.id).sort();
    const mine = (await tab('motcua.xa', 'group')).items.map((t: { id: string }) => t.id).sort();
    expect(rest).toEqual(mine);
  });
});

describe('claim, assign, complete with outcomes', () => {
  it('two people claim at once: one wins, the other gets 409 naming who holds it', async () => {
    const task = await openTaskOf(xa1);
    const [a, b] = await Promise.all([
      c['motcua.xa']!.post(`/api/tasks/${task.id}/claim`),
      c.admin!.post(`/api/tasks/${task.id}/claim`),
    ]);
    expect([a.status, b.status].sort()).toEqual([204, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.type).toBe('Conflict');
    // Let the one-stop officer hold it for the rest of the flow.
    const holder = (await openTaskOf(xa1)).assignee;
    if (holder !== 'motcua.xa') {
      await c.admin!.post(`/api/tasks/${task.id}/unclaim`).expect(204);
      await c['motcua.xa']!.post(`/api/tasks/${task.id}/claim`).expect(204);
    }
    const body = await tab('motcua.xa', 'mine');
    expect(body.counts.mine).toBe(1);
    expect(body.counts.group).toBe(0);
  });

  it('completing a task of another unit is 404, an undeclared outcome is 400, nothing moves', async () => {
    const task = await openTaskOf(xa1);
    await expectKeyedRefusal(() => c['chuyenvien.xa2']!.post(`/api/tasks/${task.id}/complete`).send({}), 404, 'tasks.notFound', 'Không tìm thấy công việc', /^Task .* not found$/);
    const bad = await c['motcua.xa']!.post(`/api/tasks/${task.id}/complete`).send({ outcome: 'approve' }).expect(400);
    expect(bad.body.type).toBe('UnknownOutcome');
    expect(bad.body.key).toMatch(/^tasks\.(unknownOutcome|noOutcomes)$/);
    expect((await c['motcua.xa']!.post(`/api/tasks/${task.id}/complete`).set('Accept-Language', 'en').send({ outcome: 'approve' }).expect(400)).body.message).toMatch(/has no outcome 'approve'|declares no outcome 'approve'/);
    expect((await openTaskOf(xa1)).id).toBe(task.id);
  });

  it('two completions at once: one wins, the other 409; the next step reaches the division head', async () => {
    const task = await openTaskOf(xa1);
    const [a, b] = await Promise.all([
      c['motcua.xa']!.post(`/api/tasks/${task.id}/complete`).send({ comment: 'Hồ sơ đầy đủ' }),
      c['motcua.xa']!.post(`/api/tasks/${task.id}/complete`).send({ comment: 'Hồ sơ đầy đủ' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((a.status === 409 ? a : b).body.message).toMatch(/hoàn thành|không còn chờ xử lý/);
    await c['motcua.xa']!.post(`/api/tasks/${task.id}/complete`).send({}).expect(409);
    expect((await platform.db.knex('task_event').where({ task_id: task.id, kind: 'completed' })).length).toBe(1);
    const head = await tab('truongphong.xa', 'group');
    expect(head.items.map((r: { step: { key: string } }) => r.step.key)).toEqual(['B2']);
    expect((await tab('motcua.xa', 'done')).items[0]).toMatchObject({ code: 'XPL-260101-0001', step: { key: 'B1' }, readOnly: true });
  });

  it('the division head assigns appraisal to a specialist of the commune holding the role; others are refused', async () => {
    const b2 = await openTaskOf(xa1);
    await c['truongphong.xa']!.post(`/api/tasks/${b2.id}/claim`).expect(204);
    await c['truongphong.xa']!.post(`/api/tasks/${b2.id}/complete`).send({}).expect(200);
    const b3 = await openTaskOf(xa1);
    expect(b3.taskDefinitionKey).toBe('B3');
    const detail = (await c['truongphong.xa']!.get(`/api/tasks/${b3.id}`).expect(200)).body;
    expect(detail.actions).toContain('assign');
    expect(detail.candidates).toEqual(['chuyenvien.xa']);
    // The assign list names people, not logins.
    expect(detail.people).toEqual([{ username: 'chuyenvien.xa', displayName: 'Đặng Văn Chuyên' }]);
    expect((await c['truongphong.xa']!.post(`/api/tasks/${b3.id}/assign`).send({ username: 'vanthu.xa' }).expect(400)).body.type).toBe('NotACandidate');
    await c['truongphong.xa']!.post(`/api/tasks/${b3.id}/assign`).send({ username: 'chuyenvien.xa2' }).expect(400);
    await c['chuyenvien.xa']!.post(`/api/tasks/${b3.id}/assign`).send({ username: 'chuyenvien.xa' }).expect(403);
    await c['chuyenvien.xa2']!.post(`/api/tasks/${b3.id}/assign`).send({ username: 'chuyenvien.xa2' }).expect(404);
    await c['truongphong.xa']!.post(`/api/tasks/${b3.id}/assign`).send({ username: 'chuyenvien.xa' }).expect(204);
    expect((await openTaskOf(xa1)).assignee).toBe('chuyenvien.xa');
    expect((await tab('chuyenvien.xa', 'mine')).counts.mine).toBe(1);
    // Reassigning to the same person is a no-op; the head's stale view is a 409.
    await c['truongphong.xa']!.post(`/api/tasks/${b3.id}/assign`).send({ username: 'chuyenvien.xa', expectedAssignee: null }).expect(409);
    const ev = await platform.db.knex('task_event').where({ task_id: b3.id }).select('kind', 'actor', 'target_user');
    expect(ev).toEqual([{ kind: 'assigned', actor: 'truongphong.xa', target_user: 'chuyenvien.xa' }]);
  });

  it('the review outcome routes the gateway: return (with a reason) goes back to appraisal, approve forward to the leader', async () => {
    const b3 = await openTaskOf(xa1);
    await c['chuyenvien.xa']!.post(`/api/tasks/${b3.id}/complete`).send({ comment: 'Đủ điều kiện' }).expect(200);
    const b4 = await openTaskOf(xa1);
    expect(b4.taskDefinitionKey).toBe('B4');
    const detail = (await c['truongphong.xa']!.get(`/api/tasks/${b4.id}`).expect(200)).body;
    expect(detail.outcomes.map((o: { key: string }) => o.key)).toEqual(['approve', 'return']);
    await c['truongphong.xa']!.post(`/api/tasks/${b4.id}/complete`).send({}).expect(400);
    await c['truongphong.xa']!.post(`/api/tasks/${b4.id}/complete`).send({ outcome: 'refuse' }).expect(400);
    await c['truongphong.xa']!.post(`/api/tasks/${b4.id}/complete`).send({ outcome: 'return' }).expect(400);
    await c['truongphong.xa']!.post(`/api/tasks/${b4.id}/complete`).send({ outcome: 'return', comment: 'Thiếu biên bản thẩm định' }).expect(200);
    const again = await openTaskOf(xa1);
    expect(again.taskDefinitionKey).toBe('B3');
    const vars = (await request(platform.app).get(`/engine-rest/process-instance/${xa1}/variables`).set('Authorization', ADMIN).expect(200)).body;
    expect(vars.outcome.value).toBe('return');
    expect(vars.outcomeComment.value).toBe('Thiếu biên bản thẩm định');
    await c['chuyenvien.xa']!.post(`/api/tasks/${again.id}/claim`).expect(204);
    await c['chuyenvien.xa']!.post(`/api/tasks/${again.id}/complete`).send({ comment: 'Đã bổ sung biên bản' }).expect(200);
    const b4b = await openTaskOf(xa1);
    await c['truongphong.xa']!.post(`/api/tasks/${b4b.id}/complete`).send({ outcome: 'approve' }).expect(200);
    expect((await openTaskOf(xa1)).taskDefinitionKey).toBe('B5');
    expect((await tab('lanhdao.xa', 'group')).items.map((r: { step: { key: string } }) => r.step.key)).toEqual(['B5']);
    expect((await tab('chuyenvien.xa', 'done')).total).toBe(2);
  });

  it('a reassignment needs a reason and is recorded; a stale task id is 404', async () => {
    const b5 = await openTaskOf(xa1);
    await c['lanhdao.xa']!.post(`/api/tasks/${b5.id}/claim`).expect(204);
    // The division head does not hold the leader role: the leader is the only candidate.
    await c['truongphong.xa']!.post(`/api/tasks/${b5.id}/assign`).send({ username: 'lanhdao.xa' }).expect(204);
    await c['lanhdao.xa']!.post('/api/tasks/00000000-0000-4000-8000-000000000000/complete').send({}).expect(404);
    await c['lanhdao.xa']!.post('/api/tasks/not-a-task/claim').expect(404);
    await c['lanhdao.xa']!.post(`/api/tasks/${b5.id}/complete`).send({ outcome: 'x', extra: 1 }).expect(400);
  });

  it('the inspector reads but cannot act', async () => {
    const b5 = await openTaskOf(xa1);
    await c.thanhtra!.post(`/api/tasks/${b5.id}/claim`).expect(403);
    const t2 = await openTaskOf(xa2);
    await c.thanhtra!.get(`/api/tasks/${t2.id}`).expect(200);
  });
});

describe('a step offered to a person by name', () => {
  // camunda:candidateUsers, no candidate group: the group tab listed the task (its SQL reads candidate_users) but the
  // line was read-only, because the list's columns left candidate_users out and the "may act" check read it as absent.
  it('is in that person\'s group tab and actionable there, as on its own page', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_named" targetNamespace="http://tthc-platform.github.io/processes">
<bpmn:process id="named_offer" name="Giao đích danh" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:userTask id="N1" name="Soạn văn bản" camunda:candidateUsers="vanthu.xa"/>
  <bpmn:endEvent id="end"/>
  <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="N1"/>
  <bpmn:sequenceFlow id="f1" sourceRef="N1" targetRef="end"/>
</bpmn:process>
</bpmn:definitions>`;
    await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
      .field('deployment-name', 'named').attach('file', Buffer.from(xml), 'named.bpmn').expect(200);
    const started = await request(platform.app).post('/engine-rest/process-definition/key/named_offer/start').set('Authorization', ADMIN)
      .send({ businessKey: 'XPL-260101-0009', variables: { unitId: { value: 'xa-phu-long', type: 'String' } } }).expect(200);
    const task = await openTaskOf(started.body.id as string);
    const line = (await tab('vanthu.xa', 'group')).items.find((t: { id: string }) => t.id === task.id);
    expect(line).toMatchObject({ step: { key: 'N1' }, readOnly: false });
    expect((await c['vanthu.xa']!.get(`/api/tasks/${task.id}`).expect(200)).body.actions).toContain('claim');
  });
});
