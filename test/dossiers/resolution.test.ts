import fs from 'node:fs';
import { resultReadyEndEvents } from '../../server/dossiers/index.js';
import { loginAs } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { APPLICANT, BIRTH_COMPONENTS, procedureId } from './setup.js';

describe('resolved (9) when the process ends "result ready"; demo data', () => {
  let platform: TestPlatform;
  beforeAll(async () => { platform = await createTestPlatform({ DEMO_DOSSIERS: 'true' }); }, 180_000);
  afterAll(async () => { await platform.close(); });

  it('reads tthc:result="ready" end events; unmarked models count EndEvent_Done, never the refusal end', () => {
    const ns = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn"';
    expect([...resultReadyEndEvents(`<bpmn:definitions ${ns}><bpmn:process id="p"><bpmn:endEvent id="A" tthc:result="ready"/><bpmn:endEvent id="EndEvent_Done"/></bpmn:process></bpmn:definitions>`)]).toEqual(['A']);
    const seed = fs.readFileSync('processes/1.001193.bpmn', 'utf8');
    expect([...resultReadyEndEvents(seed)]).toEqual(['EndEvent_Done']);
  });

  it('a dossier whose process completes at the normal end becomes resolved; the officer then returns the result', async () => {
    const officer = await loginAs(platform.app, 'motcua.xa');
    const admin = await loginAs(platform.app, 'admin');
    const d = (await officer.post('/api/dossiers').send({ procedureId: await procedureId(platform, '1.001193'), applicant: APPLICANT, components: BIRTH_COMPONENTS }).expect(201)).body;
    for (let i = 0; i < 10; i++) {
      const tasks = (await admin.get(`/engine-rest/task?processInstanceId=${d.instanceId}`).expect(200)).body as Array<{ id: string }>;
      if (!tasks.length) break;
      await admin.post(`/engine-rest/task/${tasks[0]!.id}/complete`).set('Content-Type', 'application/json')
        .send({ variables: { decision: { value: 'valid', type: 'String' } } }).expect(204);
    }
    const poller = platform.background.find((b) => b.name === 'dossier-resolution') as unknown as { runOnce(): Promise<number> };
    expect(await poller.runOnce()).toBeGreaterThanOrEqual(1);
    const after = (await officer.get(`/api/dossiers/${d.id}`).expect(200)).body;
    expect(after.status).toBe(9);
    expect(after.resolvedAt).toBeTruthy();
    const returned = (await officer.post(`/api/dossiers/${d.id}/return`).send({ collectionMethod: 'in-person' }).expect(200)).body;
    expect(returned).toMatchObject({ status: 10, collectionMethod: 'in-person' });
  });

  it('seeds a few dozen demo dossiers in many statuses for the commune and a department', async () => {
    const rows = await platform.db.knex('dossier').select('status', 'unit_id');
    expect(rows.length).toBeGreaterThanOrEqual(30);
    expect(new Set(rows.map((r: { status: number }) => Number(r.status))).size).toBeGreaterThanOrEqual(7);
    expect(rows.some((r: { unit_id: string }) => r.unit_id === 'stp')).toBe(true);
  });
});
