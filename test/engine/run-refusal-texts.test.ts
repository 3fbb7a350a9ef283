import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import { isEngineError, type EngineService } from '../../server/engine/index.js';
import { engineWith } from './engine-with.js';
import { APPROVAL, bpmn } from './fixtures.js';

/**
 * A model that cannot go on (no outgoing flow applies, an expression that cannot be evaluated) is refused
 * to the staff member completing the step: at /api they read it in Vietnamese, the element by its name;
 * /engine-rest, logs and incidents keep the English text.
 */
const NO_FLOW = bpmn('noflow', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
  <bpmn:userTask id="review" name="Thẩm định"/>
  <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="gw"/>
  <bpmn:exclusiveGateway id="gw" name="Kết quả thẩm định?"/>
  <bpmn:sequenceFlow id="ok" sourceRef="gw" targetRef="end"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${x &gt; 1}</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:endEvent id="end"/>`);

const ALL = { all: true } as const;
let db: Database;
let engine: EngineService;

beforeAll(async () => { ({ db, engine } = await engineWith({ 'noflow.bpmn': NO_FLOW, 'approval.bpmn': APPROVAL })); });
afterAll(async () => { await db.close(); });

async function refusalOfCompleting(key: string, variables: Record<string, { value: unknown; type: string }>) {
  const inst = await engine.startProcess({ key, variables: { starter: { value: 'a', type: 'String' } } });
  const [task] = await engine.listTasks({ processInstanceId: inst.id }, ALL);
  const err: unknown = await engine.completeTask(task!.id, { userId: 'a', variables }, ALL).then(() => undefined, (e: unknown) => e);
  if (!isEngineError(err)) throw new Error(`expected an engine refusal, got ${String(err)}`);
  expect(await engine.listTasks({ processInstanceId: inst.id }, ALL)).toHaveLength(1);
  return err;
}

describe('run-time refusals read in the user\'s language', () => {
  test('no outgoing flow applies (§13.3.2): the gateway by its name, in Vietnamese and English', async () => {
    const err = await refusalOfCompleting('noflow', { x: { value: 0, type: 'Integer' } });
    expect(err.kind).toBe('ModelFailure');
    expect(err.text.key).toBe('engine.modelFailure');
    expect(err.text.vi).toBe('Quy trình không thể tiếp tục: Không nhánh nào đi ra từ “Kết quả thẩm định?” được chọn: không điều kiện nào đúng và không có nhánh mặc định');
    expect(err.text.en).toBe('No outgoing sequence flow of \'Kết quả thẩm định?\' (gw) applies: none of their conditions holds and there is no default flow');
    expect(err.message).toBe(err.text.en);
  });

  test('an expression that cannot be evaluated: the parser\'s reason in Vietnamese too', async () => {
    const err = await refusalOfCompleting('approval', {});
    expect(err.text.vi).toMatch(/^Quy trình không thể tiếp tục: Không tính được biểu thức '.+' tại “gw”: /);
    expect(err.text.vi).not.toMatch(/Cannot|evaluate|not defined/);
    expect(err.text.en).toMatch(/^Cannot evaluate expression '.+'/);
  });
});
