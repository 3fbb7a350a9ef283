import { describe, expect, it } from '@jest/globals';
import { describeChanges, indexElements } from '../src/tthc/describe-changes.js';
import { parse } from './helpers.js';

const doc = (processId: string, tasks: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn" id="D" targetNamespace="x">
  <bpmn:process id="${processId}" isExecutable="true">${tasks}</bpmn:process>
</bpmn:definitions>`;

/**
 * A draft made from a template replaces the seed version's process whole (another process id): the
 * differ reports one process removed and one added. The approver still reads the steps' changes.
 */
describe('changes in words for a replaced process', () => {
  it('compares the steps by name: changed fields, added and removed steps', async () => {
    const before = (await parse(doc('Process_Seed', `
      <bpmn:userTask id="B1" name="Tiếp nhận hồ sơ" tthc:role="one-stop-officer" tthc:budget="4h" />
      <bpmn:userTask id="B2" name="Phân công thụ lý" tthc:role="division-head" tthc:budget="4h" />
      <bpmn:userTask id="B6" name="Tra cứu, lấy ý kiến Công an tỉnh" tthc:role="specialist" tthc:budget="5d" />`))).definitions;
    const after = (await parse(doc('tthc_2_000488_province', `
      <bpmn:userTask id="Task_Receive" name="Tiếp nhận hồ sơ" tthc:role="one-stop-officer" tthc:budget="0.5d" />
      <bpmn:userTask id="Task_Assign" name="Phân công thụ lý" tthc:role="division-head" tthc:budget="4h" />
      <bpmn:userTask id="Task_Appraise" name="Thẩm định hồ sơ" tthc:role="specialist" tthc:budget="5d" />`))).definitions;
    const diff = {
      added: [{ id: 'tthc_2_000488_province', type: 'bpmn:Process', name: 'x' }],
      removed: [{ id: 'Process_Seed', type: 'bpmn:Process', name: 'x' }],
      changed: [], layoutChanged: [],
    };
    const { lines } = describeChanges(diff, indexElements(before), indexElements(after), 'vi');
    // What moves the time promised to the citizen comes first, then the steps added and removed.
    expect(lines).toEqual([
      { id: 'Task_Receive', oldId: 'B1', kind: 'changed', text: "Thời hạn của 'Tiếp nhận hồ sơ': 4 giờ → 0,5 ngày" },
      { id: 'Task_Appraise', kind: 'added', text: "Thêm bước 'Thẩm định hồ sơ' (Chuyên viên, 5 ngày)" },
      { id: 'B6', kind: 'removed', text: "Bỏ bước 'Tra cứu, lấy ý kiến Công an tỉnh'" },
    ]);
    expect(lines.some((l) => /Process|Quy trình/.test(l.text))).toBe(false);
    const en = describeChanges(diff, indexElements(before), indexElements(after), 'en').lines.map((l) => l.text);
    expect(en).toContain("Budget of 'Tiếp nhận hồ sơ': 4 hours → 0.5 days");
  });
});
