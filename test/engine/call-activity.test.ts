import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import { parseDefinitions, type EngineService } from '../../server/engine/index.js';
import { engineWith } from './engine-with.js';
import { bpmn } from './fixtures.js';

/**
 * BPMN 2.0 §10.2.5 call activities, with Camunda 7's bindings and variable mappings: the called
 * process runs as an instance of its own; the call activity completes when it completes, with its
 * camunda:out variables; a BPMN error it does not catch reaches the call activity; cancelling the
 * call activity (or deleting the caller) deletes the called instance.
 */
const str = (value: string) => ({ value, type: 'String' });
const ALL = { all: true } as const;

const child = (tag: string) => bpmn('hoSoCon', `
  <bpmn:startEvent id="cs"/>
  <bpmn:sequenceFlow id="c1" sourceRef="cs" targetRef="gw"/>
  <bpmn:exclusiveGateway id="gw" default="c2"/>
  <bpmn:sequenceFlow id="c2" sourceRef="gw" targetRef="appraise"/>
  <bpmn:sequenceFlow id="c3" sourceRef="gw" targetRef="boom"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${fail == 'yes'}</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:userTask id="appraise" name="Thẩm định ${tag}" camunda:candidateGroups="specialist"/>
  <bpmn:sequenceFlow id="c4" sourceRef="appraise" targetRef="ce"/>
  <bpmn:endEvent id="ce"/>
  <bpmn:endEvent id="boom"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:endEvent>`, '<bpmn:error id="E1" errorCode="HO_SO_SAI"/>', ` camunda:versionTag="${tag}"`);

const parent = (binding: string) => bpmn('hoSoCha', `
  <bpmn:startEvent id="ps"/>
  <bpmn:sequenceFlow id="p1" sourceRef="ps" targetRef="call"/>
  <bpmn:callActivity id="call" calledElement="hoSoCon" ${binding}>
    <bpmn:extensionElements>
      <camunda:in source="applicant" target="nguoiNop"/>
      <camunda:in sourceExpression="\${fee * 2}" target="doubled"/>
      <camunda:in source="fail" target="fail"/>
      <camunda:in businessKey="#{execution.processBusinessKey}"/>
      <camunda:out source="nguoiNop" target="applicantBack"/>
      <camunda:out sourceExpression="\${verdict == 'dat'}" target="passed"/>
    </bpmn:extensionElements>
  </bpmn:callActivity>
  <bpmn:boundaryEvent id="wrong" attachedToRef="call"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:boundaryEvent>
  <bpmn:boundaryEvent id="late" attachedToRef="call"><bpmn:timerEventDefinition><bpmn:timeDuration>P10D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="p2" sourceRef="call" targetRef="sign"/>
  <bpmn:userTask id="sign"/>
  <bpmn:sequenceFlow id="p3" sourceRef="sign" targetRef="pe"/>
  <bpmn:endEvent id="pe"/>
  <bpmn:sequenceFlow id="p4" sourceRef="wrong" targetRef="fix"/>
  <bpmn:userTask id="fix"/>
  <bpmn:sequenceFlow id="p5" sourceRef="fix" targetRef="pe2"/>
  <bpmn:endEvent id="pe2"/>
  <bpmn:sequenceFlow id="p6" sourceRef="late" targetRef="pe3"/>
  <bpmn:endEvent id="pe3"/>`, '<bpmn:error id="E1" errorCode="HO_SO_SAI"/>');

let db: Database;
let engine: EngineService;
beforeAll(async () => { ({ db, engine } = await engineWith()); });
afterAll(async () => { await db.close(); });

const vars = (fail = 'no') => ({ applicant: str('Nguyễn Văn An'), fee: { value: 10, type: 'Integer' }, fail: str(fail), unitId: str('xa-phu-long') });
async function childOf(parentId: string) {
  const c = await db.knex('engine_call').where({ instance_id: parentId }).first();
  return c?.child_id ? engine.getInstance(c.child_id) : undefined;
}
async function tasksOf(id: string) { return engine.listTasks({ processInstanceId: id }, ALL); }

describe('BPMN 2.0 §10.2.5 call activity', () => {
  test('the called process starts with camunda:in (source, sourceExpression, business key, the caller\'s unit); completing it completes the call activity with camunda:out', async () => {
    await engine.deploy({ name: 'c1', resources: [{ name: 'child.bpmn', content: child('v1') }] });
    await engine.deploy({ name: 'p-latest', resources: [{ name: 'parent.bpmn', content: parent('') }] });
    const p = await engine.startProcess({ key: 'hoSoCha', businessKey: 'HS-CALL-1', variables: vars() });
    const c = await childOf(p.id);
    expect(c).toMatchObject({ state: 'ACTIVE', businessKey: 'HS-CALL-1' });
    const cv = await engine.getVariables(c!.id);
    expect(cv.nguoiNop).toMatchObject({ value: 'Nguyễn Văn An', type: 'String' });
    expect(cv.doubled).toMatchObject({ value: 20 });
    expect(cv.applicant).toBeUndefined();
    const [t] = await tasksOf(c!.id);
    expect(t).toMatchObject({ taskDefinitionKey: 'appraise', unitId: 'xa-phu-long' });
    expect(await tasksOf(p.id)).toEqual([]);
    await engine.completeTask(t!.id, { userId: 'chuyenvien.xa', variables: { verdict: str('dat') } }, ALL);
    expect((await engine.getInstance(c!.id)).state).toBe('COMPLETED');
    const pv = await engine.getVariables(p.id);
    expect(pv.applicantBack).toMatchObject({ value: 'Nguyễn Văn An' });
    expect(pv.passed).toMatchObject({ value: true });
    expect(pv.verdict).toBeUndefined();
    expect((await tasksOf(p.id)).map((x) => x.taskDefinitionKey)).toEqual(['sign']);
    const hist = await engine.history({ instanceId: p.id });
    expect(hist.filter((h) => h.kind === 'activity-end').map((h) => h.activityId)).toEqual(['ps', 'call']);
  });

  test('bindings: latest takes the newest version, version the one named, deployment the one deployed with the caller', async () => {
    // hoSoCon v1 and v2 deployed before; the caller deployed together with v3 (binding deployment).
    await engine.deploy({ name: 'c2', resources: [{ name: 'child.bpmn', content: child('v2') }] });
    await engine.deploy({ name: 'p-version', resources: [{ name: 'parent.bpmn', content: parent('camunda:calledElementBinding="version" camunda:calledElementVersion="1"') }] });
    const byVersion = await engine.startProcess({ key: 'hoSoCha', variables: vars() });
    expect((await childOf(byVersion.id))!.definitionId).toMatch(/^hoSoCon:1:/);
    await engine.deploy({ name: 'p+c', resources: [{ name: 'parent.bpmn', content: parent('camunda:calledElementBinding="deployment"') }, { name: 'child.bpmn', content: child('v3') }] });
    await engine.deploy({ name: 'c4', resources: [{ name: 'child.bpmn', content: child('v4') }] });
    const byDeployment = await engine.startProcess({ key: 'hoSoCha', variables: vars() });
    expect((await childOf(byDeployment.id))!.definitionId).toMatch(/^hoSoCon:3:/);
    await engine.deploy({ name: 'p-latest2', resources: [{ name: 'parent.bpmn', content: parent('camunda:calledElementBinding="latest"') }] });
    const byLatest = await engine.startProcess({ key: 'hoSoCha', variables: vars() });
    expect((await childOf(byLatest.id))!.definitionId).toMatch(/^hoSoCon:4:/);
  });

  test('§10.5.6 a BPMN error the called process does not catch is caught by the call activity\'s error boundary event', async () => {
    const p = await engine.startProcess({ key: 'hoSoCha', businessKey: 'HS-ERR', variables: vars('yes') });
    // The called instance failed at once; the call activity (and its row) is gone, handled by the boundary.
    const c = await db.knex('engine_instance').where({ definition_key: 'hoSoCon', business_key: 'HS-ERR' }).first();
    expect(c).toMatchObject({ state: 'INTERNALLY_TERMINATED' });
    expect((await tasksOf(p.id)).map((x) => x.taskDefinitionKey)).toEqual(['fix']);
  });

  test('§13.5.3 an interrupting timer on the call activity cancels it and deletes the called instance', async () => {
    const p = await engine.startProcess({ key: 'hoSoCha', variables: vars() });
    const c = await childOf(p.id);
    await db.knex('engine_timer').where({ instance_id: p.id }).update({ due_at: new Date(Date.now() - 1000) });
    await engine.fireDueTimers();
    expect((await engine.getInstance(p.id)).state).toBe('COMPLETED');
    expect((await engine.getInstance(c!.id)).state).toBe('EXTERNALLY_TERMINATED');
    expect(await tasksOf(c!.id)).toEqual([]);
  });

  test('deleting the caller deletes the called instance', async () => {
    const p = await engine.startProcess({ key: 'hoSoCha', variables: vars() });
    const c = await childOf(p.id);
    await engine.deleteInstance(p.id, 'rút hồ sơ', 'admin');
    expect((await engine.getInstance(c!.id)).state).toBe('EXTERNALLY_TERMINATED');
  });

  test('a called process that is not deployed raises an incident on the call activity; the caller keeps waiting', async () => {
    await engine.deploy({ name: 'p-missing', resources: [{ name: 'parent.bpmn', content: parent('').replace('calledElement="hoSoCon"', 'calledElement="khongCo"') }] });
    const p = await engine.startProcess({ key: 'hoSoCha', variables: vars() });
    expect((await engine.getInstance(p.id)).state).toBe('ACTIVE');
    const inc = await engine.listIncidents({ processInstanceId: p.id });
    expect(inc).toEqual([expect.objectContaining({ incident_type: 'failedCallActivity', activity_id: 'call' })]);
    expect(await childOf(p.id)).toBeUndefined();
  });

  test('refused at deployment: no calledElement, version binding without a version, mapping classes', async () => {
    const one = async (attrs: string, ext = '') => (await parseDefinitions(bpmn('p', `<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="c"/><bpmn:callActivity id="c" ${attrs}>${ext}</bpmn:callActivity>`), 'native')).findings;
    expect(await one('')).toEqual([expect.objectContaining({ elementId: 'c', message: expect.stringMatching(/calledElement/) })]);
    expect(await one('calledElement="x" camunda:calledElementBinding="version"')).toEqual([expect.objectContaining({ elementId: 'c', message: expect.stringMatching(/calledElementVersion/) })]);
    expect(await one('calledElement="x" camunda:variableMappingClass="a.B"')).toEqual([expect.objectContaining({ elementId: 'c' })]);
    expect(await one('calledElement="x"', '<bpmn:extensionElements><camunda:in source="a"/></bpmn:extensionElements>')).toEqual([expect.objectContaining({ elementId: 'c', message: expect.stringMatching(/camunda:in/) })]);
  });

  test('a collaboration of two executable processes deploys as two definitions from one resource; one calls the other', async () => {
    const HEAD = '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">';
    const xml = `${HEAD}<bpmn:collaboration id="co"><bpmn:participant id="pa" processRef="chinh"/><bpmn:participant id="pb" processRef="phu"/></bpmn:collaboration>
      <bpmn:process id="chinh" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="c"/><bpmn:callActivity id="c" calledElement="phu"><bpmn:extensionElements><camunda:out variables="all"/></bpmn:extensionElements></bpmn:callActivity><bpmn:sequenceFlow id="f2" sourceRef="c" targetRef="e"/><bpmn:endEvent id="e"/></bpmn:process>
      <bpmn:process id="phu" isExecutable="true"><bpmn:startEvent id="s2"/><bpmn:sequenceFlow id="g1" sourceRef="s2" targetRef="t"/><bpmn:userTask id="t"/><bpmn:sequenceFlow id="g2" sourceRef="t" targetRef="e2"/><bpmn:endEvent id="e2"/></bpmn:process></bpmn:definitions>`;
    const d = await engine.deploy({ name: 'collab', resources: [{ name: 'collab.bpmn', content: xml }] });
    expect(d.deployedProcessDefinitions.map((x) => x.key)).toEqual(['chinh', 'phu']);
    const p = await engine.startProcess({ key: 'chinh' });
    const c = await childOf(p.id);
    const [t] = await tasksOf(c!.id);
    await engine.completeTask(t!.id, { userId: 'u', variables: { ketQua: str('xong') } }, ALL);
    expect((await engine.getInstance(p.id)).state).toBe('COMPLETED');
    expect((await engine.getVariables(p.id)).ketQua).toMatchObject({ value: 'xong' });
  });

  test('§10.5.7 an escalation the called process does not catch reaches the call activity\'s escalation boundary event (non-interrupting: both go on)', async () => {
    const HEAD = '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="t"><bpmn:escalation id="Esc" escalationCode="QUA_HAN"/>';
    const xml = `${HEAD}<bpmn:process id="chaEsc" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="c"/><bpmn:callActivity id="c" calledElement="conEsc"/>
      <bpmn:boundaryEvent id="b" attachedToRef="c" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="Esc"/></bpmn:boundaryEvent><bpmn:sequenceFlow id="f2" sourceRef="b" targetRef="warn"/><bpmn:userTask id="warn"/>
      <bpmn:sequenceFlow id="f3" sourceRef="c" targetRef="e"/><bpmn:endEvent id="e"/></bpmn:process>
      <bpmn:process id="conEsc" isExecutable="true"><bpmn:startEvent id="s2"/><bpmn:sequenceFlow id="g1" sourceRef="s2" targetRef="x"/><bpmn:intermediateThrowEvent id="x"><bpmn:escalationEventDefinition escalationRef="Esc"/></bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="g2" sourceRef="x" targetRef="t"/><bpmn:userTask id="t"/><bpmn:sequenceFlow id="g3" sourceRef="t" targetRef="e2"/><bpmn:endEvent id="e2"/></bpmn:process></bpmn:definitions>`;
    await engine.deploy({ name: 'esc', resources: [{ name: 'esc.bpmn', content: xml }] });
    const p = await engine.startProcess({ key: 'chaEsc' });
    const c = await childOf(p.id);
    expect((await tasksOf(p.id)).map((x) => x.taskDefinitionKey)).toEqual(['warn']);
    expect((await tasksOf(c!.id)).map((x) => x.taskDefinitionKey)).toEqual(['t']);
  });

  test('a process that calls itself without end stops at the call depth limit with an incident', async () => {
    const HEAD = '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="t">';
    const xml = `${HEAD}<bpmn:process id="deQuy" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="c"/><bpmn:callActivity id="c" calledElement="deQuy"/><bpmn:sequenceFlow id="f2" sourceRef="c" targetRef="e"/><bpmn:endEvent id="e"/></bpmn:process></bpmn:definitions>`;
    await engine.deploy({ name: 'rec', resources: [{ name: 'rec.bpmn', content: xml }] });
    await engine.startProcess({ key: 'deQuy' });
    const n = Number((await db.knex('engine_instance').where({ definition_key: 'deQuy' }).count<{ count: string }[]>('* as count'))[0]!.count);
    expect(n).toBe(21);
    const inc = await db.knex('engine_incident').where({ incident_type: 'failedCallActivity' }).whereRaw("message like '%calling instances%'");
    expect(inc).toHaveLength(1);
  });
});
