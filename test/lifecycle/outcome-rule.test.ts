import { describe, expect, it } from '@jest/globals';
import { outcomeFindings } from '../../server/lifecycle/outcome-rule.js';

const xml = (outcomes: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true"><bpmn:userTask id="T" name="Xem xét, trình ký" tthc:outcomes="${outcomes}" /></bpmn:process>
</bpmn:definitions>`;

describe('outcomes at design time', () => {
  it('well-formed outcomes pass', async () => {
    expect(await outcomeFindings(xml('approve:Đồng ý, trình ký; return!:Trả lại chuyên viên'))).toEqual([]);
  });
  it('a key the tasklist cannot read is an error naming the step, in both languages', async () => {
    const [f] = await outcomeFindings(xml('Đồng ý:trình ký'));
    expect(f).toMatchObject({ ruleId: 'tthc/outcomes-format', severity: 'error', elementId: 'T' });
    expect(f!.message.vi).toBe('Bước "Xem xét, trình ký": mã kết quả "Đồng ý" không hợp lệ (chữ thường không dấu, số, gạch ngang)');
    expect(f!.message.en).toContain('is not valid');
  });
  it('a repeated key is an error', async () => {
    const [f] = await outcomeFindings(xml('approve:a; approve!:b'));
    expect(f!.message.en).toBe('Step "Xem xét, trình ký": outcome key "approve" is repeated');
  });
  it('documents without outcomes are not parsed again', async () => {
    expect(await outcomeFindings('<not xml')).toEqual([]);
  });
});
