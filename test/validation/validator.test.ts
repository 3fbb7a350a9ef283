import { xmlWarningText } from '../../server/validation/messages.js';
import { createValidator, DOMAIN_RULES, LINT_MESSAGES_VI, WORKER_TOPICS, type Finding } from '../../server/validation/index.js';
import { checkExpression } from '../../server/validation/expression.js';
import { positiveBudgetHours } from '../../server/validation/budget.js';
import { goodXml, mutate, STEPS } from './fixtures.js';

const validator = createValidator();
const RULES = { limit: { value: 3, unit: 'days' as const }, requiresSupplementPath: true, requiresRefusalPath: true };
const ids = (f: Finding[]) => f.map((x) => `${x.ruleId}@${x.elementId ?? ''}`);

describe('validation: a clean process', () => {
  it('has no findings and reports its longest path against the limit', async () => {
    const r = await validator.validate(goodXml(), RULES);
    expect(r.findings).toEqual([]);
    expect(r.longestPath.totalHours).toBe(24); // 4h + 16h + 4h; returning the result does not count
    expect(r.longestPath.limitHours).toBe(24);
    expect(r.longestPath.elementIds[0]).toBe('StartEvent_1');
    expect(r.longestPath.elementIds).toContain('Step_B2');
    expect(r.longestPath.elementIds.at(-1)).toBe('EndEvent_Done');
  });
});

describe('validation: each domain rule', () => {
  it('tthc/executable', async () => {
    const r = await validator.validate(mutate(goodXml(), 'isExecutable="true"', 'isExecutable="false"'));
    expect(ids(r.findings)).toEqual(['tthc/executable@P_test']);
  });

  it('tthc/user-task-assignee, and an unknown role is a warning', async () => {
    const xml = goodXml();
    const noGroup = await validator.validate(mutate(xml, 'camunda:candidateGroups="specialist" ', ''));
    expect(ids(noGroup.findings)).toEqual(['tthc/user-task-assignee@Step_B2']);
    const assignee = await validator.validate(mutate(xml, 'camunda:candidateGroups="specialist"', 'camunda:assignee="chuyenvien.xa"'));
    expect(assignee.findings).toEqual([]);
    const unknown = await validator.validate(mutate(xml, 'camunda:candidateGroups="specialist"', 'camunda:candidateGroups="janitor"'));
    expect(unknown.findings).toMatchObject([{ ruleId: 'tthc/unknown-role', severity: 'warning', elementId: 'Step_B2' }]);
  });

  it('tthc/step-budget: missing or malformed', async () => {
    const missing = await validator.validate(mutate(goodXml(), ' tthc:budget="2d"', ''));
    expect(ids(missing.findings)).toEqual(['tthc/step-budget@Step_B2']);
    const bad = await validator.validate(mutate(goodXml(), 'tthc:budget="2d"', 'tthc:budget="two days"'));
    expect(ids(bad.findings)).toEqual(['tthc/step-budget@Step_B2']);
    expect(bad.findings[0]!.message.en).toContain('"two days"');
  });

  it('tthc/path-within-limit names the longest path and its total', async () => {
    const r = await validator.validate(goodXml(), { ...RULES, limit: { value: 20, unit: 'hours' } });
    expect(ids(r.findings)).toEqual(['tthc/path-within-limit@EndEvent_Done']);
    expect(r.findings[0]!.message.en).toContain('24 h > 20 h');
    expect(r.findings[0]!.message.vi).toContain('24 giờ > 20 giờ');
    expect(r.longestPath).toMatchObject({ totalHours: 24, limitHours: 20 });
  });

  it('the longest path takes the heavier branch of a split', async () => {
    // Make the refusal branch count and weigh 30h: it becomes the longest path.
    const xml = mutate(goodXml(), 'tthc:budget="4h" tthc:form="03" tthc:countsTowardLimit="false"', 'tthc:budget="30h" tthc:form="03"');
    const r = await validator.validate(xml, RULES);
    expect(r.longestPath.totalHours).toBe(34);
    expect(r.longestPath.elementIds).toEqual(['StartEvent_1', 'Gateway_Merge', 'Step_B1', 'Gateway_Check', 'Task_Refuse', 'EndEvent_Refused']);
    expect(ids(r.findings)).toEqual(['tthc/path-within-limit@EndEvent_Refused']);
  });

  it('tthc/external-topic: only topics the workers handle', async () => {
    const xml = mutate(goodXml(), '<bpmn:userTask id="Step_B3" name="Ký duyệt" camunda:candidateGroups="leader"',
      '<bpmn:serviceTask id="Step_B3" name="Ký duyệt" camunda:type="external" camunda:topic="send-fax"');
    const r = await validator.validate(xml.replace('</bpmn:userTask>\n    <bpmn:userTask id="Step_B4"', '</bpmn:serviceTask>\n    <bpmn:userTask id="Step_B4"'));
    expect(ids(r.findings)).toEqual(['tthc/external-topic@Step_B3']);
    const ok = await validator.validate(mutate(xml, 'send-fax', 'tthc.notify-citizen').replace('</bpmn:userTask>\n    <bpmn:userTask id="Step_B4"', '</bpmn:serviceTask>\n    <bpmn:userTask id="Step_B4"'));
    expect(ok.findings).toEqual([]);
    expect(WORKER_TOPICS).toContain('tthc.consultation.request');
  });

  it('tthc/consultation-deadline', async () => {
    const steps = [STEPS[0]!, { name: 'Lấy ý kiến Sở Xây dựng', role: 'specialist', budget: '1d', consultAgency: 'sxd', replyDeadline: '1d' }, ...STEPS.slice(1)];
    const ok = await validator.validate(goodXml(steps));
    expect(ok.findings).toEqual([]);
    const r = await validator.validate(mutate(goodXml(steps), 'tthc:replyDeadline="1d"', ''));
    expect(ids(r.findings)).toEqual(['tthc/consultation-deadline@Step_B2']);
  });

  it('tthc/no-script-task', async () => {
    const xml = mutate(goodXml(), '<bpmn:userTask id="Step_B3" name="Ký duyệt" camunda:candidateGroups="leader" tthc:role="leader"', '<bpmn:scriptTask id="Step_B3" name="Ký duyệt" scriptFormat="javascript" tthc:role="leader"')
      .replace(/(<bpmn:scriptTask[^>]*>.*?)<\/bpmn:userTask>/, '$1</bpmn:scriptTask>');
    const r = await validator.validate(xml);
    expect(ids(r.findings)).toEqual(['tthc/no-script-task@Step_B3']);
  });

  it('a converging inclusive gateway is no error (the engine joins by the spec\'s upstream-token rule); bpmnlint still advises against it', async () => {
    const xml = mutate(goodXml(), '<bpmn:exclusiveGateway id="Gateway_Merge">', '<bpmn:inclusiveGateway id="Gateway_Merge">')
      .replace(/(<bpmn:inclusiveGateway id="Gateway_Merge">.*?)<\/bpmn:exclusiveGateway>/, '$1</bpmn:inclusiveGateway>');
    const r = await validator.validate(xml);
    expect(ids(r.findings.filter((f) => f.severity === 'error'))).toEqual([]);
    expect(ids(r.findings)).toContain('bpmnlint/no-inclusive-gateway@Gateway_Merge');
  });

  it('tthc/expression: conditions the engine cannot evaluate', async () => {
    const r = await validator.validate(mutate(goodXml(), "${decision == 'refuse'}", '${runtime.exec("rm")}'));
    expect(ids(r.findings)).toEqual(['tthc/expression@Flow_7']);
    expect(r.findings[0]!.message.en).toContain('method calls are not supported');
    expect(checkExpression("${a.b >= 3 && !(c || d == 'x')}")).toBeUndefined();
    expect(checkExpression('decision == 1')).toEqual({ vi: expect.stringMatching(/\$\{/), en: expect.stringMatching(/\$\{/) });
    expect(checkExpression('${a ==}')).toBeDefined();
    expect(checkExpression('${(a}')).toBeDefined();
    // The engine's parser says why in both languages (the designer shows the reader's).
    expect(checkExpression('${a ==}')).toEqual({ vi: 'biểu thức kết thúc giữa chừng', en: 'unexpected end of expression' });
  });

  it('tthc/supplement-path and tthc/refusal-path when the procedure requires them', async () => {
    const plain = goodXml(STEPS, { supplement: false, refusal: false });
    const r = await validator.validate(plain, RULES);
    expect(ids(r.findings)).toEqual(['tthc/supplement-path@P_test', 'tthc/refusal-path@P_test']);
    const notRequired = await validator.validate(plain, { ...RULES, requiresSupplementPath: false, requiresRefusalPath: false });
    expect(notRequired.findings).toEqual([]);
  });

  it('tthc/before-due on timer events', async () => {
    const xml = mutate(goodXml(), '<bpmn:endEvent id="EndEvent_Done" name="Đã trả kết quả"', '<bpmn:endEvent id="EndEvent_Done" name="Đã trả kết quả" tthc:beforeDue="soon"');
    const r = await validator.validate(xml);
    expect(ids(r.findings)).toEqual(['tthc/before-due@EndEvent_Done']);
  });

  it('every domain rule has a Vietnamese and an English message', () => {
    for (const [id, m] of Object.entries(DOMAIN_RULES)) {
      expect([id, m.vi.length > 10, m.en.length > 10]).toEqual([id, true, true]);
    }
  });
});

describe('validation: bpmnlint on the server', () => {
  it('reports recommended-rule findings with a Vietnamese meaning and bpmnlint\'s English message', async () => {
    // Cut the flow into the end event: bpmnlint sees an implicit end and a disconnected end event.
    const xml = goodXml().replace(/<bpmn:sequenceFlow id="(Flow_\d+)" sourceRef="Step_B4" targetRef="EndEvent_Done" \/>/, '');
    const r = await validator.validate(xml);
    const lint = r.findings.filter((f) => f.ruleId.startsWith('bpmnlint/'));
    expect(lint.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['bpmnlint/no-implicit-end', 'bpmnlint/no-disconnected']));
    const implicitEnd = lint.find((f) => f.ruleId === 'bpmnlint/no-implicit-end')!;
    expect(implicitEnd).toMatchObject({ severity: 'error', elementId: 'Step_B4', message: { vi: LINT_MESSAGES_VI['no-implicit-end'], en: 'Element is an implicit end' } });
  });

  it('gives the same answer when run twice (bpmnlint rules keep state per linter)', async () => {
    const a = await validator.validate(goodXml(), RULES);
    const b = await validator.validate(goodXml(), RULES);
    expect(b.findings).toEqual(a.findings);
    expect(b.findings).toEqual([]);
  });

  it('has a Vietnamese message for every recommended rule', async () => {
    const { createRequire } = await import('node:module');
    const rec = createRequire(import.meta.url)('bpmnlint/config/recommended') as { rules: Record<string, string> };
    expect(Object.keys(rec.rules).filter((r) => !LINT_MESSAGES_VI[r])).toEqual([]);
  });
});

describe('validation: bad input becomes a finding, never an exception', () => {
  it.each([
    ['empty', '', 'xml/not-xml'],
    ['not XML', 'hello world', 'xml/not-xml'],
    ['a DOCTYPE', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', 'xml/doctype'],
    ['XML that is not BPMN', '<note><to>Tove</to></note>', 'xml/not-bpmn'],
    ['oversized', `<x>${'a'.repeat(2 * 1024 * 1024 + 1)}</x>`, 'xml/too-large'],
    ['not a string', 42, 'xml/not-xml'],
  ])('%s', async (_label, xml, ruleId) => {
    const r = await validator.validate(xml);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ ruleId, severity: 'error' });
    expect(r.findings[0]!.message.vi.length).toBeGreaterThan(5);
  });

  it('adds the engine\'s deployability findings when an engine check is given', async () => {
    const v = createValidator({ checkDeployable: (xml) => (xml.includes('Step_B2') ? [{ elementId: 'Step_B2', message: 'unsupported' }] : []) });
    const r = await v.validate(goodXml());
    expect(r.findings).toEqual([{ ruleId: 'engine/deployable', severity: 'error', elementId: 'Step_B2', message: { vi: 'Máy thực thi không chạy được: unsupported', en: 'unsupported' } }]);
  });
});

describe('budgets', () => {
  it.each([['4h', 4], ['0.5d', 4], ['0,5d', 4], ['7d', 56], [' 2D ', 16], ['0h', undefined], ['4', undefined], ['-1d', undefined], ['1w', undefined]])('%s → %s', (text, hours) => {
    expect(positiveBudgetHours(text)).toBe(hours);
  });
});

describe('validation: the XML reader\'s warnings read in Vietnamese', () => {
  it('a model with an attribute outside BPMN gets a warning said in Vietnamese', async () => {
    const r = await validator.validate(mutate(goodXml(), 'isExecutable="true"', 'isExecutable="true" la="1"'));
    const warnings = r.findings.filter((f) => f.ruleId === 'xml/warning');
    expect(warnings).toEqual([{ ruleId: 'xml/warning', severity: 'warning', message: {
      vi: 'Cảnh báo khi đọc XML: thuộc tính <la> không thuộc BPMN 2.0 hay phần mở rộng được hỗ trợ; thuộc tính này bị bỏ qua',
      en: 'unknown attribute <la>',
    } }]);
  });

  it.each([
    ['unresolved reference <Flow_9>', 'Cảnh báo khi đọc XML: tham chiếu tới <Flow_9> không trỏ tới phần tử nào trong tệp'],
    ['unparsable content <bpmn:foo> detected\n\tline: 12\n\tcolumn: 4\n\tnested error: unrecognized element <bpmn:foo>', 'Cảnh báo khi đọc XML: không đọc được nội dung <bpmn:foo> ở dòng 12, cột 4; phần này bị bỏ qua (chi tiết kỹ thuật: unrecognized element <bpmn:foo>)'],
    ['something else entirely', 'Cảnh báo khi đọc XML: chi tiết kỹ thuật: something else entirely'],
  ])('%s', (warning, vi) => {
    expect(xmlWarningText(warning)).toEqual({ vi, en: warning });
  });
});
