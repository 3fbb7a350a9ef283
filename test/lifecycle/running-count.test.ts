import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

const DECISION = { decisionNumber: '47/QĐ-UBND', decisionDate: '2026-01-05', signer: 'Phó Chủ tịch UBND tỉnh', effectiveDate: '2026-01-05' };

/** The activation confirmation names how many dossiers run on the version it replaces: counted, and only for who governs the procedure. */
describe('dossiers running on the active version (GET /api/process-versions/:id/running)', () => {
  let platform: TestPlatform;
  let owner: AuthedClient;
  let approver: AuthedClient;
  let admin: AuthedClient;
  let v1: { id: string; number: number; definitionId: string };
  let v2: string;

  beforeAll(async () => {
    platform = await createTestPlatform();
    owner = await loginAs(platform.app, 'owner.stp');
    approver = await loginAs(platform.app, 'approver');
    admin = await loginAs(platform.app, 'admin');
    const procedureId = (await owner.get('/api/procedures?q=ly lich tu phap').expect(200)).body.items[0].id as string;
    v1 = (await owner.get(`/api/procedures/${procedureId}/process`).expect(200)).body.versions[0];
    for (const key of ['HS-1', 'HS-2', 'HS-3']) await admin.post(`/engine-rest/process-definition/${v1.definitionId}/start`).send({ businessKey: key }).expect(200);
    const done = (await admin.post(`/engine-rest/process-definition/${v1.definitionId}/start`).send({ businessKey: 'HS-GONE' }).expect(200)).body.id as string;
    await admin.delete(`/engine-rest/process-instance/${done}`).expect(204);
    const xml = ((await owner.get(`/api/process-versions/${v1.id}`).expect(200)).body.xml as string).replace('name="Phân công thụ lý"', 'name="Phân công thụ lý hồ sơ"');
    v2 = (await owner.post(`/api/procedures/${procedureId}/versions`).send({ xml }).expect(201)).body.id;
        await owner.post(`/api/process-versions/${v2}/submit`).send({}).expect(200);
    await approver.post(`/api/process-versions/${v2}/approve`).send(DECISION).expect(200);
    
  }, 120_000);
  afterAll(async () => { await platform.close(); });

  it('counts the running instances of the active version, not the ended ones', async () => {
    const r = await approver.get(`/api/process-versions/${v2}/running`).expect(200);
    expect(r.body).toEqual({ activeVersion: { id: v1.id, number: v1.number }, running: 3 });
  });

  it('the active version itself has nothing to replace', async () => {
    expect((await approver.get(`/api/process-versions/${v1.id}/running`).expect(200)).body).toEqual({ activeVersion: null, running: 0 });
  });

  it('is refused, in words, to who does not govern the procedure', async () => {
    for (const who of ['owner.stp', 'chuyenvien.xa']) {
      const c = await loginAs(platform.app, who);
      const res = await c.get(`/api/process-versions/${v2}/running`).set('Accept-Language', 'en').expect(403);
      expect(res.body).toMatchObject({ key: 'lifecycle.outsideScope', message: 'This procedure is outside your approval scope' });
    }
  });
});
