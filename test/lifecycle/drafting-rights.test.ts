import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { readSeedCatalogue } from '../../server/lifecycle/seed.js';
import { DEMO_USERS } from '../../server/identity/demo.js';

/**
 * Drafting follows a procedure's managing agency (cơ quan quản lý lĩnh vực), not the agency that
 * executes it; the API says what the caller may do; refusals come by key in the caller's language.
 */
describe('who may draft what, and the version actions of an author', () => {
  let platform: TestPlatform;
  let stp: AuthedClient;
  let sxd: AuthedClient;
  let approver: AuthedClient;
  const idOf = new Map<string, string>();
  beforeAll(async () => {
    platform = await createTestPlatform();
    stp = await loginAs(platform.app, 'owner.stp');
    sxd = await loginAs(platform.app, 'owner.sxd');
    approver = await loginAs(platform.app, 'approver');
    const all = await stp.get('/api/procedures?pageSize=100').expect(200);
    for (const p of all.body.items as Array<{ code: string; id: string }>) idOf.set(p.code, p.id);
  });
  afterAll(async () => { await platform.close(); });

  it('every seed procedure has a managing agency whose demo process owner may draft it', async () => {
    const owners = new Map(DEMO_USERS.filter((u) => u.role === 'process-owner').map((u) => [u.unitId, u.username]));
    for (const { procedure } of readSeedCatalogue()) {
      const owner = owners.get(procedure.managingAgencyId!);
      expect([procedure.code, typeof owner]).toEqual([procedure.code, 'string']);
      const client = await loginAs(platform.app, owner!);
      const info = await client.get(`/api/procedures/${idOf.get(procedure.code)}/process`).expect(200);
      expect([procedure.code, info.body.may]).toEqual([procedure.code, { draft: true }]);
    }
  });

  it('a commune-level procedure is drafted by the provincial department managing the field, not by a commune', async () => {
    const birth = idOf.get('1.001193')!; // Đăng ký khai sinh: executed by communes, managed by Sở Tư pháp
    const p = await stp.get(`/api/procedures/${birth}`).expect(200);
    expect(p.body).toMatchObject({ agencyId: 'xa-phu-long', managingAgencyId: 'stp', managingAgencyName: 'Sở Tư pháp' });
    expect((await sxd.get(`/api/procedures/${birth}/process`).expect(200)).body.may).toEqual({ draft: false });
    const refused = await sxd.post(`/api/procedures/${birth}/versions`).send({}).expect(403);
    expect(refused.body).toMatchObject({ type: 'Forbidden', key: 'lifecycle.mayNotDraft' });
    expect(refused.body.message).toContain('Sở Tư pháp');
    expect(refused.body.message).not.toMatch(/ \/ |only process owners/);
    const english = await sxd.post(`/api/procedures/${birth}/versions`).set('Accept-Language', 'en').send({}).expect(403);
    expect(english.body.message).toMatch(/^You may not draft this process/);
    expect(english.body.message).not.toMatch(/Bạn|quyền|soạn thảo/);
    await stp.post(`/api/procedures/${birth}/versions`).send({}).expect(201);
  });

  it('a version tells the viewer exactly which actions are theirs', async () => {
    const id = idOf.get('2.000488')!;
    const info = await stp.get(`/api/procedures/${id}/process`).expect(200);
    const active = info.body.versions[0];
    const draft = await stp.post(`/api/procedures/${id}/versions`).send({ fromVersionId: active.id }).expect(201);
    const mine = await stp.get(`/api/process-versions/${draft.body.id}`).expect(200);
    expect(mine.body.may).toMatchObject({ edit: true, submit: true, discard: true, approve: false, reject: false, withdraw: false });
    const theirs = await sxd.get(`/api/process-versions/${draft.body.id}`).expect(200);
    expect(theirs.body.may).toMatchObject({ edit: false, submit: false, discard: false });
    const approverView = await approver.get(`/api/process-versions/${active.id}`).expect(200);
    expect(approverView.body.may).toMatchObject({ retire: true, edit: false, activate: false });
  });

  it('refuses to submit a draft identical to the active version; an author discards a draft and withdraws a submission', async () => {
    const id = idOf.get('1.009972')!;
    const info = await sxd.get(`/api/procedures/${id}/process`).expect(200);
    const active = info.body.versions[0];
    const same = await sxd.post(`/api/procedures/${id}/versions`).send({ fromVersionId: active.id }).expect(201);
    const refused = await sxd.post(`/api/process-versions/${same.body.id}/submit`).send({ comment: 'không đổi gì' }).expect(409);
    expect(refused.body).toMatchObject({ type: 'IdenticalToActive', key: 'lifecycle.identicalToActive' });
    expect(refused.body.message).toContain(`phiên bản ${active.number}`);
    // Discarded: kept, with its history, and no longer editable.
    const discarded = await sxd.post(`/api/process-versions/${same.body.id}/discard`).send({}).expect(200);
    expect(discarded.body.state).toBe('discarded');
    await sxd.put(`/api/process-versions/${same.body.id}`).send({ xml: same.body.xml, revision: 1 }).expect(409);
    const history = await sxd.get(`/api/process-versions/${same.body.id}/history`).expect(200);
    expect(history.body.map((h: { action: string }) => h.action)).toEqual(['create', 'discard']);

    const changed = await sxd.post(`/api/procedures/${id}/versions`).send({ fromVersionId: active.id }).expect(201);
    const xml = (changed.body.xml as string).replace(/(<bpmn:process id="[^"]*" name=")/, '$1Sửa: ');
    await sxd.put(`/api/process-versions/${changed.body.id}`).send({ xml, revision: 1 }).expect(200);
    await sxd.post(`/api/process-versions/${changed.body.id}/submit`).send({ comment: 'Đổi tên quy trình' }).expect(200);
    expect((await approver.get(`/api/process-versions/${changed.body.id}`).expect(200)).body.may).toMatchObject({ approve: true, reject: true });
    const back = await sxd.post(`/api/process-versions/${changed.body.id}/withdraw`).send({}).expect(200);
    expect(back.body.state).toBe('draft');
    expect((await approver.get('/api/review-inbox').expect(200)).body.map((v: { id: string }) => v.id)).not.toContain(changed.body.id);
    // Someone else's owner cannot withdraw or discard it.
    const other = await stp.post(`/api/process-versions/${changed.body.id}/discard`).send({}).expect(403);
    expect(other.body.key).toBe('lifecycle.mayNotDraft');
    const twice = await sxd.post(`/api/process-versions/${changed.body.id}/withdraw`).set('Accept-Language', 'en').send({}).expect(409);
    expect(twice.body.message).toBe('Cannot withdraw a version that is "draft"');
  });
});
