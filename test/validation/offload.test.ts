import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { generateProcessXml } from '../../server/lifecycle/template.js';
import { MAX_XML_ELEMENTS } from '../../server/engine/index.js';
import { basicAuthHeader, loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

/**
 * Validating (and deploying) a large model runs on the validation pool's threads: the server keeps
 * answering meanwhile. Asserted by order, not time: /api/health itself reports the validation
 * in flight while its request is still unanswered — impossible if the validation held the event loop.
 */
const model = (steps: number, id = 'P_big') => generateProcessXml({
  processId: id, name: 'Quy trình lớn', supplement: true, refusal: true,
  steps: Array.from({ length: steps }, (_, i) => ({ name: `Bước ${i + 1}`, role: i % 2 ? 'specialist' : 'division-head', budget: '1h' })),
});

let platform: TestPlatform;
let owner: AuthedClient;
let approver: AuthedClient;
const health = async () => (await request(platform.app).get('/api/health').expect(200)).body.validation as { threads: number; busy: number; queued: number };

function expectError(res: request.Response, status: number, type?: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual(expect.objectContaining({ type: type ?? expect.any(String), message: expect.any(String) }));
}

beforeAll(async () => {
  platform = await createTestPlatform({ VALIDATE_PER_MINUTE: '5' }); // approver: 2 + 3 below, the 6th is refused
  owner = await loginAs(platform.app, 'owner.stp');
  approver = await loginAs(platform.app, 'approver');
}, 120_000);
afterAll(async () => { await platform.close(); });

describe('large models are checked off the event loop', () => {
  it('health answers while a big validation is in flight; the same user\'s second one meanwhile gets 429', async () => {
    let answered = false;
    const big = owner.post('/api/process-versions/validate').send({ xml: model(1000), engineCheck: true }).then((r) => { answered = true; return r; });
    let seen = await health();
    while (seen.busy === 0 && !answered) seen = await health();
    expect(answered).toBe(false);
    expect(seen).toMatchObject({ busy: 1 });
    expectError(await owner.post('/api/process-versions/validate').send({ xml: model(200), engineCheck: true }), 429, 'TooManyRequests');
    const res = await big;
    expect(res.status).toBe(200);
    expect(res.body.findings.filter((f: { severity: string }) => f.severity === 'error')).toEqual([]);
    expect(res.body.longestPath.totalHours).toBeGreaterThanOrEqual(1000);
  });

  it('the consultation rules of a large model come from the pool thread\'s parse', async () => {
    const consult = '<bpmn:serviceTask id="consultX" name="Lấy ý kiến" camunda:type="external" camunda:topic="tthc.consultation.request" tthc:consultAgency="Cơ quan không tồn tại" />';
    const xml = model(200, 'P_consult').replace('</bpmn:process>', `${consult}</bpmn:process>`);
    const res = await approver.post('/api/process-versions/validate').send({ xml }).expect(200);
    expect(res.body.findings).toEqual(expect.arrayContaining([
      expect.objectContaining({ ruleId: 'tthc/consultation-unknown-agency', elementId: 'consultX', severity: 'error' }),
      expect.objectContaining({ ruleId: 'tthc/consultation-reply-wait', elementId: 'consultX', severity: 'warning' }),
    ]));
    expect(res.body.facts).toBeUndefined();
  });

  it('a model past the element cap is refused (413) without being parsed', async () => {
    // Compact (no diagram, no flows): past the cap while well under the 1 MB request limit.
    const tasks = Array.from({ length: MAX_XML_ELEMENTS + 10 }, (_, i) => `<bpmn:task id="t${i}"/>`).join('');
    const compact = model(1, 'P_compact').replace('</bpmn:process>', `${tasks}</bpmn:process>`);
    expect(compact.length).toBeLessThan(1024 * 1024);
    const res = await approver.post('/api/process-versions/validate').send({ xml: compact, engineCheck: true });
    expectError(res, 413, 'PayloadTooLarge');
    expect(res.body.message).toContain(String(MAX_XML_ELEMENTS));
    expect((await health()).busy).toBe(0);
    const huge = model(Math.ceil(MAX_XML_ELEMENTS / 9) + 50);
    // Deploying it is refused too, with the engine's finding.
    const dep = await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', basicAuthHeader('admin'))
      .field('deployment-name', 'huge').attach('file', Buffer.from(huge), 'huge.bpmn');
    expectError(dep, 400, 'ParseException');
    expect(dep.body.message).toContain(String(MAX_XML_ELEMENTS));
  });

  it('a large model deploys through the pool and runs', async () => {
    const admin = basicAuthHeader('admin');
    await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', admin)
      .field('deployment-name', 'big').attach('file', Buffer.from(model(120, 'P_deploy')), 'big.bpmn').expect(200);
    const started = await request(platform.app).post('/engine-rest/process-definition/key/P_deploy/start').set('Authorization', admin)
      .send({ variables: { unitId: { value: 'xa-phu-long', type: 'String' } } }).expect(200);
    const tasks = (await request(platform.app).get('/engine-rest/task').query({ processInstanceId: started.body.id }).set('Authorization', admin).expect(200)).body;
    expect(tasks).toHaveLength(1);
  });

  it('validations are rate-limited per user (429 {type, message}); other users are not affected', async () => {
    const small = model(3, 'P_small');
    for (let i = 0; i < 3; i++) await approver.post('/api/process-versions/validate').send({ xml: small }).expect(200);
    expectError(await approver.post('/api/process-versions/validate').send({ xml: small }), 429, 'TooManyRequests');
    const other = await loginAs(platform.app, 'owner.sxd');
    await other.post('/api/process-versions/validate').send({ xml: small }).expect(200);
  });
});
