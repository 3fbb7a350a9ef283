import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { basicAuthHeader } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { bpmn } from '../engine/fixtures.js';

let platform: TestPlatform;
const ADMIN = basicAuthHeader('admin');
/** A dossier waits for the consulted agency's answer (message "answer"). */
const WAIT = bpmn('consult', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="answer"/>
  <bpmn:receiveTask id="answer" messageRef="Answer"/>
  <bpmn:sequenceFlow id="f2" sourceRef="answer" targetRef="review"/>
  <bpmn:userTask id="review"/>
  <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end"/>
  <bpmn:endEvent id="end"/>`, '<bpmn:message id="Answer" name="answer"/>');

beforeAll(async () => {
  platform = await createTestPlatform();
  await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
    .field('deployment-name', 'consult').attach('file', Buffer.from(WAIT), 'consult.bpmn').expect(200);
});
afterAll(async () => { await platform.close(); });

const api = () => request(platform.app);

async function start(dossierNo: string, round: number): Promise<string> {
  const res = await api().post('/engine-rest/process-definition/key/consult/start').set('Authorization', ADMIN)
    .send({ variables: { dossierNo: { value: dossierNo, type: 'String' }, round: { value: round, type: 'Integer' } } }).expect(200);
  return res.body.id;
}

async function waitingAt(id: string): Promise<string[]> {
  const res = await api().get(`/engine-rest/task?processInstanceId=${id}`).set('Authorization', ADMIN).expect(200);
  return res.body.map((t: { taskDefinitionKey: string }) => t.taskDefinitionKey);
}

describe('POST /message with correlationKeys', () => {
  test('correlates to the one instance whose variables match, and refuses an ambiguous message', async () => {
    const a = await start('000.00.01.H47-261122-0001', 1);
    const b = await start('000.00.01.H47-261122-0002', 1);
    const ambiguous = await api().post('/engine-rest/message').set('Authorization', ADMIN).send({ messageName: 'answer' });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.type).toBe('MismatchingMessageCorrelationException');

    const res = await api().post('/engine-rest/message').set('Authorization', ADMIN).send({
      messageName: 'answer', resultEnabled: true,
      correlationKeys: { dossierNo: { value: '000.00.01.H47-261122-0002', type: 'String' }, round: { value: 1, type: 'Long' } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([expect.objectContaining({ resultType: 'Execution', execution: expect.objectContaining({ processInstanceId: b }) })]);
    expect(await waitingAt(b)).toEqual(['review']);
    expect(await waitingAt(a)).toEqual([]);
  });

  test('keys that match no waiting instance are refused and start nothing', async () => {
    const before = (await api().get('/engine-rest/process-instance').set('Authorization', ADMIN)).body.length;
    const res = await api().post('/engine-rest/message').set('Authorization', ADMIN).send({
      messageName: 'answer', correlationKeys: { dossierNo: { value: 'no-such-dossier', type: 'String' } },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/no process instance waits/);
    expect((await api().get('/engine-rest/process-instance').set('Authorization', ADMIN)).body.length).toBe(before);
  });

  test('a malformed key is a 400 naming it', async () => {
    const res = await api().post('/engine-rest/message').set('Authorization', ADMIN).send({
      messageName: 'answer', correlationKeys: { dossierNo: 'not-a-typed-value' },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/dossierNo/);
  });
});
