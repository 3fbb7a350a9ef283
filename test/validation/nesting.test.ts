import request from 'supertest';
import { xmlDepth } from '../../server/engine/index.js';
import { basicAuthHeader, loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

/** A process whose user task sits inside `n` nested sub-processes. */
function nestedModel(n: number, id = `nest${n}`): string {
  let body = '<bpmn:startEvent id="is"/><bpmn:sequenceFlow id="if" sourceRef="is" targetRef="ie"/><bpmn:endEvent id="ie"/>';
  for (let i = n; i > 0; i--) body = `<bpmn:subProcess id="sp${i}">${body.replace(/id="i(s|f|e)"/g, `id="i$1${i}"`).replace(/Ref="i(s|e)"/g, `Ref="i$1${i}"`)}</bpmn:subProcess>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://x">
<bpmn:process id="${id}" isExecutable="true"><bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sp1"/>
${body}<bpmn:sequenceFlow id="f2" sourceRef="sp1" targetRef="end"/><bpmn:endEvent id="end"/></bpmn:process></bpmn:definitions>`;
}

describe('model nesting limits (deploy and validation)', () => {
  let platform: TestPlatform;
  let owner: AuthedClient;
  const admin = basicAuthHeader('admin');
  beforeAll(async () => {
    platform = await createTestPlatform();
    owner = await loginAs(platform.app, 'owner.stp');
  });
  afterAll(async () => { await platform.close(); });

  const deploy = (xml: string) => request(platform.app).post('/engine-rest/deployment/create').set('Authorization', admin)
    .field('deployment-name', 'nest').attach('n.bpmn', Buffer.from(xml), 'n.bpmn');

  it('counts XML depth without recursion', () => {
    expect(xmlDepth('<a><b/><c><d></d></c><!-- <x><y><z> --><![CDATA[<q><r>]]></a>')).toBe(3);
    expect(xmlDepth('<a>'.repeat(100_000))).toBe(100_000);
  });

  it.each([3000, 300, 11])('%i nested sub-processes: deploy is a 400 and validation a finding, never a 500', async (n) => {
    const xml = nestedModel(n);
    const d = await deploy(xml);
    expect(d.status).toBe(400);
    expect(JSON.stringify(d.body)).toMatch(/nest/i);
    for (const engineCheck of [false, true]) {
      const v = await owner.post('/api/process-versions/validate').send({ xml, engineCheck });
      expect(v.status).toBe(200);
      expect(JSON.stringify(v.body.findings)).toMatch(/tthc\/nesting|too-deep|nested/);
    }
    expect(await platform.db.knex('engine_definition').where('key', `nest${n}`)).toHaveLength(0);
  });

  it('10 nested sub-processes deploy and run to the end', async () => {
    await deploy(nestedModel(10)).expect(200);
    const inst = await request(platform.app).post('/engine-rest/process-definition/key/nest10/start').set('Authorization', admin)
      .send({ variables: { unitId: { value: 'xa-phu-long', type: 'String' } } }).expect(200);
    expect(inst.body.ended).toBe(true);
  });
});
