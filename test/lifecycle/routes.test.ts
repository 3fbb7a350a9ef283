import request from 'supertest';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

const DECISION = { decisionNumber: '45/QĐ-UBND', decisionDate: '2026-01-05', signer: 'Phó Chủ tịch UBND tỉnh', effectiveDate: '2026-01-05' };

describe('process lifecycle over HTTP, on the real engine', () => {
  let platform: TestPlatform;
  let owner: AuthedClient;
  let approver: AuthedClient;
  let procedureId: string;
  beforeAll(async () => {
    platform = await createTestPlatform();
    owner = await loginAs(platform.app, 'owner.stp');
    approver = await loginAs(platform.app, 'approver');
    const list = await owner.get('/api/procedures?q=ly lich tu phap').expect(200);
    procedureId = list.body.items[0].id;
  });
  afterAll(async () => { await platform.close(); });

  it('the seed catalogue is loaded with active, deployed processes authored by the system', async () => {
    const all = await owner.get('/api/procedures?pageSize=100').expect(200);
    expect(all.body.total).toBeGreaterThanOrEqual(8);
    const levels = new Set(all.body.items.map((p: { level: string }) => p.level));
    expect([...levels].sort()).toEqual(['commune', 'province']);
    const proc = await owner.get(`/api/procedures/${procedureId}/process`).expect(200);
    expect(proc.body.model.activeVersionId).toBe(proc.body.versions[0].id);
    expect(proc.body.versions[0]).toMatchObject({ state: 'active', number: 1, authorId: 'system', decision: { number: 'SEED-1' } });
    const def = await owner.get(`/engine-rest/process-definition/${proc.body.versions[0].definitionId}`).expect(200);
    expect(def.body.key).toBe('tthc_2_000488_province');
  });

  it('draft → save → submit → approve (four-eyes) → activate; running instances stay on their version', async () => {
    const before = await owner.get(`/api/procedures/${procedureId}/process`).expect(200);
    const v1 = before.body.versions[0];
    // A dossier already running on the seed version.
    const officer = await loginAs(platform.app, 'admin');
    const started = await officer.post(`/engine-rest/process-definition/${v1.definitionId}/start`).send({ businessKey: 'HS-001' }).expect(200);

    const draft = await owner.post(`/api/procedures/${procedureId}/versions`).send({ fromVersionId: v1.id }).expect(201);
    expect(draft.body).toMatchObject({ state: 'draft', number: 2, revision: 1 });
    const edited = draft.body.xml.replace('name="Lập Phiếu lý lịch tư pháp"', 'name="Lập và kiểm tra Phiếu lý lịch tư pháp"');
    const saved = await owner.put(`/api/process-versions/${draft.body.id}`).send({ xml: edited, revision: 1 }).expect(200);
    expect(saved.body.revision).toBe(2);
    const stale = await owner.put(`/api/process-versions/${draft.body.id}`).send({ xml: edited, revision: 1 }).expect(409);
    expect(stale.body.type).toBe('Conflict');

    await owner.post(`/api/process-versions/${draft.body.id}/submit`).send({}).expect(200);
    const inbox = await approver.get('/api/review-inbox').expect(200);
    expect(inbox.body.map((v: { id: string }) => v.id)).toContain(draft.body.id);
    await owner.post(`/api/process-versions/${draft.body.id}/approve`).send(DECISION).expect(403);
    const approved = await approver.post(`/api/process-versions/${draft.body.id}/approve`).send(DECISION).expect(200);
    expect(approved.body.decision).toMatchObject({ number: '45/QĐ-UBND', approverName: 'Lê Văn Duyệt' });
    const active = await approver.post(`/api/process-versions/${draft.body.id}/activate`).send({}).expect(200);
    expect(active.body.state).toBe('active');
    expect(active.body.definitionId).not.toBe(v1.definitionId);

    const old = await owner.get(`/api/process-versions/${v1.id}`).expect(200);
    expect(old.body.state).toBe('superseded');
    const instance = await officer.get(`/engine-rest/process-instance/${started.body.id}`).expect(200);
    expect(instance.body.definitionId).toBe(v1.definitionId);
    const history = await owner.get(`/api/process-versions/${draft.body.id}/history`).expect(200);
    expect(history.body.map((h: { action: string }) => h.action)).toEqual(['create', 'save', 'submit', 'approve', 'activate']);
    expect(history.body[3]).toMatchObject({ fromState: 'in_review', toState: 'approved', actorName: 'Lê Văn Duyệt' });

    const diff = await owner.get(`/api/process-versions/${draft.body.id}/diff?against=${v1.id}`).expect(200);
    expect(diff.body.changed).toEqual([expect.objectContaining({ id: 'Step_B4', attrs: { name: { old: 'Lập Phiếu lý lịch tư pháp', new: 'Lập và kiểm tra Phiếu lý lịch tư pháp' } } })]);
    // Immutable now.
    await owner.put(`/api/process-versions/${draft.body.id}`).send({ xml: edited, revision: 2 }).expect(409);
  });

  // Migration of running instances (dry run, real run, guards, bad input): migration.test.ts.

  it('validate answers findings and the longest path for the designer, without writing', async () => {
    const proc = await owner.get(`/api/procedures/${procedureId}/process`).expect(200);
    const v = await owner.get(`/api/process-versions/${proc.body.model.activeVersionId}`).expect(200);
    const ok = await owner.post('/api/process-versions/validate').send({ xml: v.body.xml, procedureId }).expect(200);
    expect(ok.body).toEqual({ findings: [], longestPath: expect.objectContaining({ totalHours: 80, limitHours: 80 }) });
    const bad = await owner.post('/api/process-versions/validate').send({ engineCheck: true, xml: v.body.xml.replace(/<bpmn:userTask id="Step_B6"/, '<bpmn:scriptTask id="Step_B6"').replace(/(<bpmn:scriptTask id="Step_B6".*?)<\/bpmn:userTask>/s, '$1</bpmn:scriptTask>') }).expect(200);
    expect(bad.body.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(expect.arrayContaining(['tthc/no-script-task', 'engine/deployable']));
    // Without engineCheck (the as-you-type path) the domain rule alone reports it.
    const fast = await owner.post('/api/process-versions/validate').send({ xml: v.body.xml.replace(/<bpmn:userTask id="Step_B6"/, '<bpmn:scriptTask id="Step_B6"').replace(/(<bpmn:scriptTask id="Step_B6".*?)<\/bpmn:userTask>/s, '$1</bpmn:scriptTask>') }).expect(200);
    const errors = fast.body.findings.filter((f: { severity: string }) => f.severity === 'error');
    expect(errors.map((f: { ruleId: string }) => f.ruleId)).toEqual(['tthc/no-script-task']);
  });

  it('bad input: 4xx naming what is wrong, nothing written', async () => {
    const count = async () => Number((await platform.db.knex('process_version').count({ n: '*' }))[0]!.n);
    const n = await count();
    await owner.post(`/api/procedures/${procedureId}/versions`).send({ xml: '<!DOCTYPE bpmn [<!ENTITY x SYSTEM "file:///etc/passwd">]><bpmn>&x;</bpmn>' }).expect(400);
    await owner.post(`/api/procedures/${procedureId}/versions`).send({ xml: 'hello' }).expect(400);
    await owner.post(`/api/procedures/${procedureId}/versions`).send({ xml: '<a/>', extra: 1 }).expect(400);
    await owner.post('/api/procedures/00000000-0000-4000-8000-000000000000/versions').send({}).expect(404);
    await owner.post('/api/procedures/nonsense/versions').send({}).expect(404);
    await owner.get('/api/process-versions/nonsense').expect(404);
    const big = await owner.put('/api/process-versions/00000000-0000-4000-8000-000000000000').set('Content-Type', 'application/json')
      .send(JSON.stringify({ xml: 'a'.repeat(3 * 1024 * 1024), revision: 1 }));
    expect(big.status).toBe(413);
    const rej = await approver.post('/api/process-versions/00000000-0000-4000-8000-000000000000/reject').send({}).expect(400);
    expect(rej.body.message).toMatch(/comment/);
    const dates = await approver.post('/api/process-versions/00000000-0000-4000-8000-000000000000/approve').send({ ...DECISION, decisionDate: '2026-02-30' }).expect(400);
    expect(dates.body.message).toMatch(/decisionDate/);
    expect(await count()).toBe(n);
  });

  it('guards: anonymous 401, a specialist cannot draft, an owner cannot approve or activate', async () => {
    await request(platform.app).get('/api/procedures').expect(401);
    const specialist = await loginAs(platform.app, 'chuyenvien.xa');
    await specialist.get('/api/procedures').expect(200);
    await specialist.post(`/api/procedures/${procedureId}/versions`).send({}).expect(403);
    const proc = await owner.get(`/api/procedures/${procedureId}/process`).expect(200);
    await owner.post(`/api/process-versions/${proc.body.model.activeVersionId}/retire`).send({}).expect(403);
    await owner.get('/api/review-inbox').expect(403);
    const sxd = await loginAs(platform.app, 'owner.sxd');
    await sxd.post(`/api/procedures/${procedureId}/versions`).send({}).expect(403);
  });

  it('a role change in a unit where an active process runs flags it under needs-review', async () => {
    const admin = await loginAs(platform.app, 'admin');
    const none = await admin.get('/api/processes/needs-review').expect(200);
    expect(none.body).toEqual([]);
    const res = await admin.post('/api/users/chuyenvien.xa2/roles').send({ role: 'leader', unitId: 'xa-ham-tien' });
    if (res.status >= 300) throw new Error(`assign role: ${res.status} ${JSON.stringify(res.body)}`);
    const flagged = await admin.get('/api/processes/needs-review').expect(200);
    // Every commune-level seed process names the leader role.
    expect(flagged.body.map((m: { procedureCode: string }) => m.procedureCode)).toEqual(expect.arrayContaining(['1.001193', '1.000894']));
    expect(flagged.body.every((m: { level: string }) => m.level === 'commune')).toBe(true);
  });

  it('withdrawing a procedure retires its process: no new dossier starts, even by key; running ones carry on', async () => {
    const admin = await loginAs(platform.app, 'admin');
    const list = await admin.get('/api/procedures?q=khai sinh').expect(200);
    const birth = list.body.items[0];
    const proc = await admin.get(`/api/procedures/${birth.id}/process`).expect(200);
    const active = proc.body.versions.find((v: { state: string }) => v.state === 'active');
    const def = await admin.get(`/engine-rest/process-definition/${active.definitionId}`).expect(200);
    const running = await admin.post(`/engine-rest/process-definition/${active.definitionId}/start`)
      .send({ businessKey: 'HS-KS-1', variables: { unitId: { value: 'xa-phu-long', type: 'String' } } }).expect(200);

    await admin.delete(`/api/procedures/${birth.id}`).expect((r) => expect(r.status).toBeLessThan(300));

    expect((await admin.get(`/api/process-versions/${active.id}`).expect(200)).body.state).toBe('retired');
    expect((await admin.get(`/engine-rest/process-definition/${active.definitionId}`).expect(200)).body.suspended).toBe(true);
    const officer = await loginAs(platform.app, 'motcua.xa');
    const byKey = await officer.post(`/engine-rest/process-definition/key/${def.body.key}/start`).send({ businessKey: 'HS-KS-2', variables: { unitId: { value: 'xa-phu-long', type: 'String' } } });
    expect(byKey.status).toBe(400);
    expect(byKey.body.message).toMatch(/suspended/);
    await officer.post(`/engine-rest/process-definition/${active.definitionId}/start`).send({}).expect(400);
    // The dossier that was already running is still waiting at its first step.
    const tasks = await admin.get('/engine-rest/task').query({ processInstanceId: running.body.id }).expect(200);
    expect(tasks.body).toHaveLength(1);
  });
});
