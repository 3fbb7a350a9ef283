import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import { parseDefinitions, type EngineService } from '../../server/engine/index.js';
import { engineWith } from './engine-with.js';

/**
 * BPMN 2.0 §13.4.1 collaborations: a message flow from a message throw event or send task (with no
 * worker topic) to another executable process of the same file is delivered by the engine — to that
 * process's instances with the sender's business key waiting for the message, else by starting
 * that process at its message start event. A message flow to anything else is refused at deployment.
 */
const HEAD = '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="t"><bpmn:message id="M" name="hoSoDen"/><bpmn:message id="R" name="traLoi"/>';
const COLLAB = `${HEAD}<bpmn:collaboration id="co"><bpmn:participant id="pa" processRef="gui"/><bpmn:participant id="pb" processRef="nhan"/>
  <bpmn:messageFlow id="mf1" sourceRef="send" targetRef="recvStart"/><bpmn:messageFlow id="mf2" sourceRef="reply" targetRef="waitReply"/></bpmn:collaboration>
  <bpmn:process id="gui" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="send"/>
    <bpmn:sendTask id="send" messageRef="M"/><bpmn:sequenceFlow id="f2" sourceRef="send" targetRef="waitReply"/>
    <bpmn:intermediateCatchEvent id="waitReply"><bpmn:messageEventDefinition messageRef="R"/></bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f3" sourceRef="waitReply" targetRef="done"/><bpmn:userTask id="done"/></bpmn:process>
  <bpmn:process id="nhan" isExecutable="true"><bpmn:startEvent id="recvStart"><bpmn:messageEventDefinition messageRef="M"/></bpmn:startEvent><bpmn:sequenceFlow id="g1" sourceRef="recvStart" targetRef="check"/>
    <bpmn:userTask id="check"/><bpmn:sequenceFlow id="g2" sourceRef="check" targetRef="reply"/><bpmn:endEvent id="reply"><bpmn:messageEventDefinition messageRef="R"/></bpmn:endEvent></bpmn:process></bpmn:definitions>`;

let db: Database;
let engine: EngineService;
beforeAll(async () => { ({ db, engine } = await engineWith({ 'collab.bpmn': COLLAB })); });
afterAll(async () => { await db.close(); });

describe('BPMN 2.0 §13.4.1 message flows inside one file', () => {
  test('a send task starts the receiving process at its message start (same business key); its message end event answers the waiting sender', async () => {
    const a = await engine.startProcess({ key: 'gui', businessKey: 'HS-MF-1' });
    const [b] = await engine.listInstances({ processDefinitionKey: 'nhan', businessKey: 'HS-MF-1' });
    expect(b).toBeDefined();
    const [t] = await engine.listTasks({ processInstanceId: b!.id }, { all: true });
    expect(t!.taskDefinitionKey).toBe('check');
    await engine.completeTask(t!.id, { userId: 'u' }, { all: true });
    expect((await engine.getInstance(b!.id)).state).toBe('COMPLETED');
    expect((await engine.listTasks({ processInstanceId: a.id }, { all: true })).map((x) => x.taskDefinitionKey)).toEqual(['done']);
  });
  test('the answer reaches only the sender with that business key', async () => {
    const one = await engine.startProcess({ key: 'gui', businessKey: 'HS-MF-2' });
    const two = await engine.startProcess({ key: 'gui', businessKey: 'HS-MF-3' });
    const [b] = await engine.listInstances({ processDefinitionKey: 'nhan', businessKey: 'HS-MF-3' });
    const [t] = await engine.listTasks({ processInstanceId: b!.id }, { all: true });
    await engine.completeTask(t!.id, { userId: 'u' }, { all: true });
    expect(await engine.listTasks({ processInstanceId: one.id }, { all: true })).toEqual([]);
    expect((await engine.listTasks({ processInstanceId: two.id }, { all: true })).map((x) => x.taskDefinitionKey)).toEqual(['done']);
  });
  test('a message flow to a pool with no executable process is refused at deployment, naming the sender', async () => {
    const xml = `${HEAD}<bpmn:collaboration id="co"><bpmn:participant id="pa" processRef="a"/><bpmn:participant id="outside" name="Cổng DVC"/><bpmn:messageFlow id="mf" sourceRef="send" targetRef="outside"/></bpmn:collaboration>
      <bpmn:process id="a" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="send"/><bpmn:endEvent id="send"><bpmn:messageEventDefinition messageRef="M"/></bpmn:endEvent></bpmn:process></bpmn:definitions>`;
    const { findings } = await parseDefinitions(xml, 'native');
    expect(findings).toEqual([expect.objectContaining({ elementId: 'send', message: expect.stringMatching(/message flow/) })]);
  });
});

/**
 * BPMN 2.0 §8.3.2 imports + §13.4.1: a pool whose processRef names a process of an imported BPMN file
 * (`processRef="ns:key"`, the prefix bound to the <import>'s namespace) is that process, deployed from its
 * own file; a message flow to that pool is delivered by the engine to the latest version of that key —
 * its instances with the sender's business key waiting for the message, else a start at its message start.
 */
const RECEIVER = `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="N" targetNamespace="urn:tthc:nhan">
  <bpmn:message id="X" name="hoSoNgoai"/><bpmn:message id="Y" name="boSung"/>
  <bpmn:process id="nhanNgoai" isExecutable="true"><bpmn:startEvent id="ns"><bpmn:messageEventDefinition messageRef="X"/></bpmn:startEvent><bpmn:sequenceFlow id="n1" sourceRef="ns" targetRef="cho"/>
    <bpmn:intermediateCatchEvent id="cho"><bpmn:messageEventDefinition messageRef="Y"/></bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="n2" sourceRef="cho" targetRef="xuLy"/><bpmn:userTask id="xuLy"/></bpmn:process></bpmn:definitions>`;
const sender = (ns: string, importNs = ns) => `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:nhan="${ns}" id="G" targetNamespace="urn:tthc:gui">
  <bpmn:import importType="http://www.omg.org/spec/BPMN/20100524/MODEL" location="nhan.bpmn" namespace="${importNs}"/>
  <bpmn:message id="X" name="hoSoNgoai"/><bpmn:message id="Y" name="boSung"/>
  <bpmn:collaboration id="co"><bpmn:participant id="pa" processRef="guiNgoai"/><bpmn:participant id="pb" name="Bên nhận" processRef="nhan:nhanNgoai"/>
    <bpmn:messageFlow id="mf1" sourceRef="send" targetRef="pb"/><bpmn:messageFlow id="mf2" sourceRef="more" targetRef="pb"/></bpmn:collaboration>
  <bpmn:process id="guiNgoai" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="send"/>
    <bpmn:sendTask id="send" messageRef="X"/><bpmn:sequenceFlow id="f2" sourceRef="send" targetRef="gate"/><bpmn:userTask id="gate"/>
    <bpmn:sequenceFlow id="f3" sourceRef="gate" targetRef="more"/><bpmn:endEvent id="more"><bpmn:messageEventDefinition messageRef="Y"/></bpmn:endEvent></bpmn:process></bpmn:definitions>`;

describe('BPMN 2.0 §8.3.2/§13.4.1 message flows to a process of another file', () => {
  test('a send task starts the imported file\'s process (same business key), a message end event then reaches that instance', async () => {
    await engine.deploy({ name: 'receiver', resources: [{ name: 'nhan.bpmn', content: RECEIVER }] });
    await engine.deploy({ name: 'sender', resources: [{ name: 'gui.bpmn', content: sender('urn:tthc:nhan') }] });
    const a = await engine.startProcess({ key: 'guiNgoai', businessKey: 'HS-MF-X1' });
    const other = await engine.startProcess({ key: 'guiNgoai', businessKey: 'HS-MF-X2' });
    const [b] = await engine.listInstances({ processDefinitionKey: 'nhanNgoai', businessKey: 'HS-MF-X1' });
    expect(b).toMatchObject({ businessKey: 'HS-MF-X1', state: 'ACTIVE' });
    const [gate] = await engine.listTasks({ processInstanceId: a.id }, { all: true });
    await engine.completeTask(gate!.id, { userId: 'u' }, { all: true });
    expect((await engine.getInstance(a.id)).state).toBe('COMPLETED');
    expect((await engine.listTasks({ processInstanceId: b!.id }, { all: true })).map((t) => t.taskDefinitionKey)).toEqual(['xuLy']);
    // The other dossier's receiver still waits: the message went only to HS-MF-X1's instance.
    const [c] = await engine.listInstances({ processDefinitionKey: 'nhanNgoai', businessKey: 'HS-MF-X2' });
    expect(await engine.listTasks({ processInstanceId: c!.id }, { all: true })).toEqual([]);
    expect(other.id).not.toBe(a.id);
  });
  test('a pool naming a process through a namespace that is not imported is refused at deployment', async () => {
    const { findings } = await parseDefinitions(sender('urn:tthc:nhan', 'urn:tthc:khac'), 'native');
    expect(findings).toEqual(expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/unresolved reference <nhan:nhanNgoai>/) })]));
  });
});
