import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { loginAs } from '../helpers/auth.js';
import { APPLICANT, BIRTH_COMPONENTS, procedureId } from '../dossiers/setup.js';
import { ADMIN, WORKER, startListening } from '../workers/helpers.js';

/** A process whose only open step is the return step ("Trả kết quả"): the result is ready, no reminder. */
const RETURN_XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="at-return" isExecutable="true"><bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="Return" />
    <bpmn:userTask id="Return" name="Trả kết quả" camunda:candidateGroups="one-stop-officer" /><bpmn:sequenceFlow id="f2" sourceRef="Return" targetRef="E" /><bpmn:endEvent id="E" />
  </bpmn:process></bpmn:definitions>`;

let env: Awaited<ReturnType<typeof startListening>>;
let officer: Awaited<ReturnType<typeof loginAs>>;
let birth: string;
const UNIT = 'xa-phu-long';
const DUE = '2026-12-03T17:00:00+07:00';

beforeAll(async () => {
  env = await startListening();
  officer = await loginAs(env.platform.app, 'motcua.xa');
  birth = await procedureId(env.platform, '1.001193');
  await request(env.platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
    .field('deployment-name', 'at-return').attach('at-return.bpmn', Buffer.from(RETURN_XML), 'at-return.bpmn').expect(200);
});
afterAll(async () => { await env.close(); });

const remind = (items: unknown) => request(env.platform.app).post('/api/apologies/reminders').set('Authorization', WORKER).send({ items });
const notes = (code: string) => env.platform.db.knex('notification').where({ dossier_code: code }).orderBy(['recipient', 'template']).select('recipient', 'template');

describe('POST /api/apologies/reminders: the reminders of a worker\'s fetch in one call', () => {
  test('open dossiers are reminded (assignees, division head, leader; the leader asked for form 04); closed ones and those at their return step are skipped; a bad item fails alone; a second delivery tells nobody twice', async () => {
    const open = (await officer.post('/api/dossiers').send({ procedureId: birth, applicant: APPLICANT, components: BIRTH_COMPONENTS }).expect(201)).body;
    const stopped = (await officer.post('/api/dossiers').send({ procedureId: birth, applicant: APPLICANT, components: BIRTH_COMPONENTS }).expect(201)).body;
    await officer.post(`/api/dossiers/${stopped.id}/stop`).send({ reason: 'Công dân đề nghị dừng' }).expect(200);
    await request(env.platform.app).post('/engine-rest/process-definition/key/at-return/start').set('Authorization', WORKER)
      .send({ businessKey: 'HS-R-RET', variables: { unitId: { value: UNIT } } }).expect(200);
    const items = [
      { dossierCode: open.code, dueAt: DUE, unitId: UNIT },
      { dossierCode: stopped.code, dueAt: DUE, unitId: UNIT },
      { dossierCode: 'HS-R-RET', dueAt: DUE, unitId: UNIT },
      { dossierCode: 'HS-R-BAD', dueAt: 'ngày mai', unitId: UNIT },
      { dossierCode: 'HS-R-WATCH', dueAt: DUE, unitId: UNIT },
    ];
    const res = await remind(items).expect(200);
    expect(res.body.items).toEqual([
      { dossierCode: open.code, reminderSkipped: false },
      { dossierCode: stopped.code, reminderSkipped: true },
      { dossierCode: 'HS-R-RET', reminderSkipped: true },
      { dossierCode: 'HS-R-BAD', error: expect.stringMatching(/^dueAt/) },
      { dossierCode: 'HS-R-WATCH', reminderSkipped: false },
    ]);
    const got = await notes(open.code);
    expect(got).toEqual(expect.arrayContaining([
      { recipient: 'truongphong.xa', template: 'remind-before-due' },
      { recipient: 'lanhdao.xa', template: 'remind-before-due' },
      { recipient: 'lanhdao.xa', template: 'write-apology' },
    ]));
    expect(got.filter((n: { recipient: string }) => n.recipient === 'truongphong.xa')).toHaveLength(1);
    const body = await env.platform.db.knex('notification').where({ dossier_code: open.code, template: 'remind-before-due' }).first('body');
    expect(body.body).toContain('17:00 ngày 03/12/2026');
    for (const code of [stopped.code, 'HS-R-RET', 'HS-R-BAD']) expect(await notes(code)).toEqual([]);

    // Delivered again (lock expired, second worker): nobody is told twice.
    await remind(items).expect(200);
    expect(await notes(open.code)).toEqual(got);
  });

  test('bad input: 4xx {type, message}, nothing written; workers only', async () => {
    const before = Number((await env.platform.db.knex('notification').count({ n: '*' }))[0]!.n);
    for (const body of [[], 'x', [{ dossierCode: 'HS-1', dueAt: DUE }], Array.from({ length: 501 }, () => ({ dossierCode: 'HS-1', dueAt: DUE, unitId: UNIT }))]) {
      const r = await remind(body);
      expect(r.status).toBe(400);
      expect(r.body).toEqual(expect.objectContaining({ type: expect.any(String), message: expect.any(String) }));
    }
    await officer.post('/api/apologies/reminders').send({ items: [{ dossierCode: 'HS-1', dueAt: DUE, unitId: UNIT }] }).expect(403);
    expect(Number((await env.platform.db.knex('notification').count({ n: '*' }))[0]!.n)).toBe(before);
  });
});
