import { describe, expect, it } from '@jest/globals';
import { applyUpdates, readStep, stepUpdates, StepValueError } from '../src/tthc/model.js';
import { budgetStatus } from '../src/tthc/budget-bar.js';
import { budgetHours } from '../../server/calendar/budget.js';
import { formatDuration } from '../src/tthc/duration.js';
import { TEMPLATES } from '../src/tthc/templates.js';
import { buildStepTable } from '../src/tthc/steps.js';
import { parse } from './helpers.js';

async function firstTask() {
  const { definitions, moddle } = await parse(TEMPLATES.standard('x'));
  const process = definitions.rootElements.find((e: any) => e.$type === 'bpmn:Process');
  const task = process.flowElements.find((e: any) => e.id === 'Task_Appraise');
  return { definitions, moddle, task };
}

describe('procedure step properties', () => {
  it('reads the tthc attributes of a task', async () => {
    const { task } = await firstTask();
    expect(readStep(task)).toEqual({ role: 'specialist', budget: '7d', countsTowardLimit: true, form: undefined, consultAgency: undefined, replyDeadline: undefined, beforeDue: undefined });
  });

  it('keeps camunda:candidateGroups in sync with the role and writes it to XML', async () => {
    const { task, moddle, definitions } = await firstTask();
    applyUpdates(task, stepUpdates('role', 'leader'));
    applyUpdates(task, stepUpdates('budget', ' 1,5 d '));
    applyUpdates(task, stepUpdates('form', '04'));
    applyUpdates(task, stepUpdates('countsTowardLimit', false));
    expect(task.get('camunda:candidateGroups')).toBe('leader');
    const { xml } = await moddle.toXML(definitions);
    expect(xml).toMatch(/id="Task_Appraise"[^>]*camunda:candidateGroups="leader"/);
    expect(xml).toMatch(/id="Task_Appraise"[^>]*tthc:role="leader"/);
    expect(xml).toMatch(/id="Task_Appraise"[^>]*tthc:budget="1.5d"/);
    expect(xml).toMatch(/id="Task_Appraise"[^>]*tthc:countsTowardLimit="false"/);
    const again = await parse(xml);
    const t2 = again.definitions.rootElements[0].flowElements.find((e: any) => e.id === 'Task_Appraise');
    expect(readStep(t2)).toMatchObject({ role: 'leader', budget: '1.5d', form: '04', countsTowardLimit: false });
  });

  it('removes attributes when cleared, and "counts" is the default', async () => {
    const { task, moddle, definitions } = await firstTask();
    applyUpdates(task, stepUpdates('role', ''));
    applyUpdates(task, stepUpdates('countsTowardLimit', false));
    applyUpdates(task, stepUpdates('countsTowardLimit', true));
    const { xml } = await moddle.toXML(definitions);
    const tag = /<bpmn:userTask id="Task_Appraise"[^>]*>/.exec(xml)![0];
    expect(tag).not.toContain('candidateGroups');
    expect(tag).not.toContain('tthc:role');
    expect(tag).not.toContain('countsTowardLimit');
    expect(readStep(task).countsTowardLimit).toBe(true);
  });

  it('refuses a budget that is not working time', () => {
    expect(() => stepUpdates('budget', '3 weeks')).toThrow(StepValueError);
    expect(() => stepUpdates('replyDeadline', 'd5')).toThrow(StepValueError);
    expect(stepUpdates('budget', '')).toEqual({ 'tthc:budget': undefined });
  });
});

describe('durations and the budget bar', () => {
  it('parses hours and days (1 d = 8 h)', () => {
    expect(budgetHours('4h')).toBe(4);
    expect(budgetHours('0.5d')).toBe(4);
    expect(budgetHours('7d')).toBe(56);
    expect(budgetHours('0,5d')).toBe(4);
    expect(budgetHours('P1D')).toBeUndefined();
    expect(formatDuration('0.5d', 'vi')).toBe('0,5 ngày');
    expect(formatDuration('1d', 'en')).toBe('1 day');
  });

  it('turns amber near the limit and red over it', () => {
    expect(budgetStatus(40, 80)).toEqual({ percent: 50, level: 'ok' });
    expect(budgetStatus(76, 80)).toEqual({ percent: 95, level: 'near' });
    expect(budgetStatus(96, 80)).toEqual({ percent: 100, level: 'over' });
    expect(budgetStatus(10, undefined).level).toBe('unknown');
  });
});

describe('step outcomes (tthc:outcomes)', () => {
  it('are written one per line from the panel into the canonical attribute, and read back by the tasklist parser', async () => {
    const { task, moddle, definitions } = await firstTask();
    applyUpdates(task, stepUpdates('outcomes', 'approve:Đồng ý, trình ký\n return! : Trả lại chuyên viên \n'));
    expect(task.get('tthc:outcomes')).toBe('approve:Đồng ý, trình ký; return!:Trả lại chuyên viên');
    expect(readStep(task).outcomes).toBe('approve:Đồng ý, trình ký; return!:Trả lại chuyên viên');
    const { xml } = await moddle.toXML(definitions);
    expect(xml).toContain('tthc:outcomes="approve:Đồng ý, trình ký; return!:Trả lại chuyên viên"');
    applyUpdates(task, stepUpdates('outcomes', ''));
    expect(task.get('tthc:outcomes')).toBeUndefined();
  });

  it('refuse a malformed key or a repeated one (the panel keeps the text with its error)', async () => {
    expect(() => stepUpdates('outcomes', 'Đồng ý:x')).toThrow(StepValueError);
    expect(() => stepUpdates('outcomes', 'approve:a; approve:b')).toThrow(StepValueError);
  });

  it('are listed in the step table in words, "reason required" marked', async () => {
    const { task, definitions } = await firstTask();
    applyUpdates(task, stepUpdates('outcomes', 'approve:Đồng ý; return!:Trả lại'));
    const vi = buildStepTable(definitions, 'vi').rows.find((r) => r.elementId === 'Task_Appraise')!;
    expect(vi.outcomes).toBe('Đồng ý; Trả lại (phải nêu lý do)');
    expect(buildStepTable(definitions, 'en').rows.find((r) => r.elementId === 'Task_Appraise')!.outcomes).toBe('Đồng ý; Trả lại (reason required)');
  });
});
