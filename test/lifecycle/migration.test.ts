import request from 'supertest';
import { basicAuthHeader, loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { expectKeyedRefusal } from '../helpers/refusals.js';

const DECISION = { decisionNumber: '46/QĐ-UBND', decisionDate: '2026-01-05', signer: 'Phó Chủ tịch UBND tỉnh', effectiveDate: '2026-01-05' };
const VALID = { variables: { decision: { value: 'valid', type: 'String' } } };
const WORKER = basicAuthHeader('worker');

/**
 * The judicial-record procedure's seed version (v1) runs two dossiers: one waiting at reception
 * (Step_B1), one at assignment (Step_B2). Version 2 replaces the assignment step by a new one
 * (Step_Assign): the first dossier can move and then meets the new step; the second cannot.
 */
describe('migrating running dossiers to the active version', () => {
  let platform: TestPlatform;
  let owner: AuthedClient;
  let approver: AuthedClient;
  let admin: AuthedClient;
  let procedureId: string;
  let v1: { id: string; definitionId: string };
  let v2: { id: string; definitionId: string };
  let moving: string;
  let staying: string;

  const tasksOf = async (instanceId: string) => (await admin.get(`/engine-rest/task?processInstanceId=${instanceId}`).expect(200)).body as Array<{ id: string; taskDefinitionKey: string; processDefinitionId: string }>;
  const definitionOf = async (instanceId: string) => (await admin.get(`/engine-rest/process-instance/${instanceId}`).expect(200)).body.definitionId as string;
  const migrationActions = async (versionId: string) => ((await admin.get(`/api/process-versions/${versionId}/history`).expect(200)).body as Array<{ action: string; actorName: string; comment?: string; details?: Record<string, unknown> }>)
    .filter((h) => h.action.startsWith('migration'));
  const writes = async () => ({
    actions: Number((await platform.db.knex('process_lifecycle_action').count({ n: '*' }))[0]!.n),
    migrated: Number((await platform.db.knex('engine_history').where({ kind: 'migrated' }).count({ n: '*' }))[0]!.n),
    revisions: (await platform.db.knex('engine_instance').whereIn('id', [moving, staying]).orderBy('id').select('definition_id', 'revision')),
  });

  beforeAll(async () => {
    platform = await createTestPlatform();
    owner = await loginAs(platform.app, 'owner.stp');
    approver = await loginAs(platform.app, 'approver');
    admin = await loginAs(platform.app, 'admin');
    procedureId = (await owner.get('/api/procedures?q=ly lich tu phap').expect(200)).body.items[0].id;
    v1 = (await owner.get(`/api/procedures/${procedureId}/process`).expect(200)).body.versions[0];

    moving = (await admin.post(`/engine-rest/process-definition/${v1.definitionId}/start`).send({ businessKey: 'HS-MOVE' }).expect(200)).body.id;
    staying = (await admin.post(`/engine-rest/process-definition/${v1.definitionId}/start`).send({ businessKey: 'HS-STAY' }).expect(200)).body.id;
    const [reception] = await tasksOf(staying);
    await admin.post(`/engine-rest/task/${reception!.id}/complete`).send(VALID).expect(204);
    expect((await tasksOf(staying)).map((t) => t.taskDefinitionKey)).toEqual(['Step_B2']);

    const xml = (await owner.get(`/api/process-versions/${v1.id}`).expect(200)).body.xml as string;
    const changed = xml.replace(/Step_B2(?=["_<])/g, 'Step_Assign').replace('name="Phân công thụ lý"', 'name="Phân công thụ lý (quy trình mới)"');
    const draft = await owner.post(`/api/procedures/${procedureId}/versions`).send({ xml: changed }).expect(201);
    await owner.post(`/api/process-versions/${draft.body.id}/submit`).send({}).expect(200);
    await approver.post(`/api/process-versions/${draft.body.id}/approve`).send(DECISION).expect(200);
    v2 = (await approver.post(`/api/process-versions/${draft.body.id}/activate`).send({}).expect(200)).body;
    expect(v2.definitionId).not.toBe(v1.definitionId);
  });
  afterAll(async () => { await platform.close(); });

  it('the dry run lists what would move and what cannot, moves nothing, and is audited', async () => {
    const before = await writes();
    for (const body of [{}, { dryRun: true, fromVersionId: v1.id }]) {
      const plan = await admin.post(`/api/process-versions/${v2.id}/migrate`).send(body).expect(200);
      expect(plan.body).toMatchObject({ targetVersionId: v2.id, dryRun: true });
      expect(plan.body.movable).toEqual([{ instanceId: moving, businessKey: 'HS-MOVE', waitingActivityIds: ['Step_B1'], fromVersionId: v1.id }]);
      expect(plan.body.blocked).toEqual([{ instanceId: staying, businessKey: 'HS-STAY', waitingActivityIds: ['Step_B2'], fromVersionId: v1.id, missingActivityIds: ['Step_B2'], problems: [] }]);
    }
    const after = await writes();
    expect(after).toEqual({ ...before, actions: before.actions + 2 });
    const [audit] = (await migrationActions(v2.id)).slice(-1);
    expect(audit).toMatchObject({ action: 'migration-dry-run', actorName: 'Quản trị hệ thống', details: { fromVersionId: v1.id, movable: 1, blocked: 1, moved: [] } });
  });

  it('only administrators may migrate', async () => {
    const before = await writes();
    for (const who of ['owner.stp', 'approver', 'thanhtra', 'chuyenvien.xa']) {
      const c = await loginAs(platform.app, who);
      const res = await c.post(`/api/process-versions/${v2.id}/migrate`).send({ dryRun: false, fromVersionId: v1.id }).expect(403);
      expect(res.body.type).toBe('Forbidden');
    }
    await request(platform.app).post(`/api/process-versions/${v2.id}/migrate`).send({ dryRun: false, fromVersionId: v1.id }).expect(401);
    await expectKeyedRefusal(() => admin.post(`/api/process-versions/${v2.id}/migrate`).send({ dryRun: false, fromVersionId: v2.id }), 400,
      'lifecycle.migrateFromTarget', 'phiên bản nguồn trùng phiên bản đích', 'the version to migrate from is the target itself');
    expect(await writes()).toEqual(before);
  });

  it('bad input is a 4xx naming what is wrong, and writes nothing', async () => {
    const before = await writes();
    const other = (await owner.get('/api/procedures?pageSize=100').expect(200)).body.items.find((p: { id: string }) => p.id !== procedureId);
    const otherActive = (await owner.get(`/api/procedures/${other.id}/process`).expect(200)).body.model.activeVersionId;
    const cases: Array<[string, object, number, RegExp]> = [
      ['00000000-0000-4000-8000-000000000000', { dryRun: false, fromVersionId: v1.id }, 404, /Không có phiên bản quy trình/],
      ['nonsense', { dryRun: false, fromVersionId: v1.id }, 404, /Không có phiên bản quy trình/],
      [v2.id, { dryRun: false, fromVersionId: '00000000-0000-4000-8000-000000000000' }, 400, /fromVersionId/],
      [v2.id, { dryRun: false, fromVersionId: 'nonsense' }, 400, /fromVersionId/],
      [v2.id, { dryRun: false, fromVersionId: v2.id }, 400, /fromVersionId: .*trùng phiên bản đích/],
      [v2.id, { dryRun: false, fromVersionId: otherActive }, 400, /fromVersionId: .*quy trình khác/],
      [v2.id, { dryRun: false }, 400, /fromVersionId/],
      [v1.id, { dryRun: false, fromVersionId: v2.id }, 409, /đã thay thế/],
      [v2.id, { dryRun: false, fromVersionId: v1.id, instanceIds: [staying, '00000000-0000-4000-8000-000000000000'] }, 400, /instanceIds/],
      [v2.id, { dryRun: false, fromVersionId: v1.id, force: true }, 400, /force|unrecognized/i],
      [v2.id, { dryRun: 'no', fromVersionId: v1.id }, 400, /dryRun/],
    ];
    for (const [target, body, status, message] of cases) {
      const res = await admin.post(`/api/process-versions/${target}/migrate`).send(body);
      expect([target, body, res.status]).toEqual([target, body, status]);
      expect(res.body.message).toMatch(message);
    }
    expect(await writes()).toEqual(before);
  });

  it('the real run moves only the movable dossier and records who moved what', async () => {
    const before = await writes();
    const res = await admin.post(`/api/process-versions/${v2.id}/migrate`).send({ dryRun: false, fromVersionId: v1.id }).expect(200);
    expect(res.body).toMatchObject({ dryRun: false, fromVersionId: v1.id });
    expect(res.body.movable.map((m: { instanceId: string }) => m.instanceId)).toEqual([moving]);
    expect(res.body.blocked).toEqual([expect.objectContaining({ instanceId: staying, missingActivityIds: ['Step_B2'] })]);

    expect(await definitionOf(moving)).toBe(v2.definitionId);
    expect(await definitionOf(staying)).toBe(v1.definitionId);
    const after = await writes();
    expect(after.migrated).toBe(before.migrated + 1);
    const [audit] = (await migrationActions(v2.id)).slice(-1);
    expect(audit).toMatchObject({
      action: 'migration', actorName: 'Quản trị hệ thống',
      details: { fromVersionId: v1.id, movable: 1, blocked: 1, moved: [{ instanceId: moving, businessKey: 'HS-MOVE', fromVersionId: v1.id }],
        notMoved: [{ instanceId: staying, businessKey: 'HS-STAY', fromVersionId: v1.id, missing: ['Step_B2'], problems: [] }] },
    });
    expect(audit!.comment).toBe('Đã chuyển 1 hồ sơ sang phiên bản 2, 1 giữ nguyên');
    expect(audit!.details).toMatchObject({ noteKey: 'lifecycle.note.migrated', noteEn: 'Moved 1 instances to version 2, 1 left' });
    const [h] = await platform.db.knex('engine_history').where({ instance_id: moving, kind: 'migrated' });
    expect(h).toMatchObject({ user_id: 'admin', definition_id: v2.definitionId });

    // Nothing is left to move: a second run finds the moved dossier on v2 already.
    const again = await admin.post(`/api/process-versions/${v2.id}/migrate`).send({ dryRun: false, fromVersionId: v1.id }).expect(200);
    expect(again.body.movable).toEqual([]);
    expect(again.body.blocked.map((b: { instanceId: string }) => b.instanceId)).toEqual([staying]);
  });

  it('the moved dossier continues on v2: after reception comes the new assignment step', async () => {
    const [reception] = await tasksOf(moving);
    expect(reception).toMatchObject({ taskDefinitionKey: 'Step_B1', processDefinitionId: v2.definitionId });
    await admin.post(`/engine-rest/task/${reception!.id}/complete`).send(VALID).expect(204);
    const next = await tasksOf(moving);
    expect(next).toEqual([expect.objectContaining({ taskDefinitionKey: 'Step_Assign', name: 'Phân công thụ lý (quy trình mới)', processDefinitionId: v2.definitionId })]);
  });

  it('the dossier left behind runs to its end on v1', async () => {
    for (let step = 0; step < 10; step++) {
      const [task] = await tasksOf(staying);
      if (task) {
        expect(task.processDefinitionId).toBe(v1.definitionId);
        await admin.post(`/engine-rest/task/${task.id}/complete`).send({}).expect(204);
        continue;
      }
      const locked = await request(platform.app).post('/engine-rest/external-task/fetchAndLock').set('Authorization', WORKER)
        .send({ workerId: 'w', maxTasks: 1, topics: [{ topicName: 'tthc.consultation.request', lockDuration: 60000, businessKey: 'HS-STAY' }] }).expect(200);
      if (!locked.body.length) {
        // After its consultation step the process waits for the reply message (the platform correlates it when the reply is recorded).
        const reply = await request(platform.app).post('/engine-rest/message').set('Authorization', WORKER)
          .send({ messageName: 'tthc.consultation.reply', processInstanceId: staying });
        if (reply.status !== 204) break;
        continue;
      }
      expect(locked.body[0].processDefinitionId).toBe(v1.definitionId);
      await request(platform.app).post(`/engine-rest/external-task/${locked.body[0].id}/complete`).set('Authorization', WORKER).send({ workerId: 'w' }).expect(204);
    }
    const done = await admin.get(`/engine-rest/process-instance/${staying}`);
    expect(done.status).toBe(404); // Camunda lists running instances only
    const hist = await admin.get(`/engine-rest/history/process-instance?processInstanceId=${staying}`).expect(200);
    expect(hist.body[0]).toMatchObject({ state: 'COMPLETED', processDefinitionId: v1.definitionId });
  });
});
