import { describe, expect, test } from '@jest/globals';
import { ENGINE_MESSAGES, EngineError, isEngineError } from '../../server/engine/errors.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('engine errors (server/engine/errors.ts)', () => {
  test('every message has a Vietnamese and an English text naming the same placeholders', () => {
    for (const [key, m] of Object.entries(ENGINE_MESSAGES)) {
      expect(key).toMatch(/^engine\.\w+$/);
      expect(m.vi.length).toBeGreaterThan(0);
      expect(m.en.length).toBeGreaterThan(0);
      expect([key, placeholders(m.vi)]).toEqual([key, placeholders(m.en)]);
    }
  });

  test('an error carries its kind, Camunda type, English message and both keyed texts', () => {
    const e = new EngineError('engine.taskAssigned', { id: 't1', assignee: 'lanhdao.xa' });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({
      kind: 'HeldByOther', type: 'BadUserRequestException', message: "Task 't1' is assigned to lanhdao.xa; claim it first",
      text: { key: 'engine.taskAssigned', vi: "Công việc 't1' đang giao cho lanhdao.xa; hãy nhận việc trước", en: "Task 't1' is assigned to lanhdao.xa; claim it first" },
    });
    expect(isEngineError(e)).toBe(true);
    expect(isEngineError(e, 'NotFound', 'HeldByOther')).toBe(true);
    expect(isEngineError(e, 'NotFound')).toBe(false);
    expect(isEngineError(new Error('x'))).toBe(false);
  });

  test('a refused model names its element and keeps the findings', () => {
    const findings = [{ elementId: 'gw', message: 'no outgoing flow' }];
    const e = new EngineError('engine.modelRefusedAt', { resource: 'a.bpmn', elementId: 'gw', reason: 'no outgoing flow' }, { details: { findings }, elementId: 'gw' });
    expect(e).toMatchObject({ kind: 'InvalidModel', type: 'ParseException', elementId: 'gw', details: { findings }, message: "a.bpmn: element 'gw': no outgoing flow" });
  });

  test('placeholders not given stay visible; values are not filled twice', () => {
    expect(new EngineError('engine.taskNotFound').message).toBe('Cannot find task with id {id}');
    expect(new EngineError('engine.taskNotFound', { id: '{id}x' }).message).toBe('Cannot find task with id {id}x');
  });
});
