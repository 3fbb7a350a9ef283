import { describe, expect, it } from '@jest/globals';
import { TEMPLATES } from '../src/tthc/templates.js';
import { buildStepTable } from '../src/tthc/steps.js';
import { longestPathOf } from '../src/tthc/graph.js';
import { fixture, parse } from './helpers.js';

describe('step table', () => {
  it('lists the standard template as the Cao Bằng table: 10 working days', async () => {
    const { definitions, warnings } = await parse(TEMPLATES.standard('Cấp phiếu lý lịch tư pháp'));
    expect(warnings).toEqual([]);
    const table = buildStepTable(definitions, 'vi');
    expect(table.rows.map((r) => r.step)).toEqual(['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B9']);
    expect(table.rows.map((r) => r.task)).toEqual([
      'Tiếp nhận hồ sơ', 'Phân công xử lý', 'Yêu cầu bổ sung hồ sơ', 'Từ chối tiếp nhận hồ sơ',
      'Thẩm định hồ sơ', 'Xem xét, trình ký', 'Ký duyệt', 'Vào sổ, đóng dấu', 'Trả kết quả',
    ]);
    const row = (task: string) => table.rows.find((r) => r.task === task)!;
    expect(row('Tiếp nhận hồ sơ')).toMatchObject({ who: 'Bộ phận Một cửa', time: '0,5 ngày', form: 'Mẫu 01', counted: true });
    expect(row('Yêu cầu bổ sung hồ sơ')).toMatchObject({ form: 'Mẫu 02', time: 'Không tính', counted: false });
    expect(row('Từ chối tiếp nhận hồ sơ')).toMatchObject({ form: 'Mẫu 03', counted: false });
    expect(row('Thẩm định hồ sơ')).toMatchObject({ who: 'Chuyên viên', time: '7 ngày' });
    expect(row('Trả kết quả')).toMatchObject({ time: 'Không tính', counted: false });
    // Side branches are marked (the annex numbers them after the main steps); the hand-back is on the main path.
    expect(table.rows.filter((r) => r.branch).map((r) => r.task)).toEqual(['Yêu cầu bổ sung hồ sơ', 'Từ chối tiếp nhận hồ sơ']);
    expect(table.totalHours).toBe(80);
    expect(table.totalText).toBe('80 giờ = 10 ngày làm việc');
  });

  it('speaks English when asked', async () => {
    const { definitions } = await parse(TEMPLATES.standard('x'));
    const table = buildStepTable(definitions, 'en');
    expect(table.rows[1]).toMatchObject({ task: 'Phân công xử lý', who: 'Division head', time: '0.5 days' });
    expect(table.totalText).toBe('80 h = 10 working days');
  });

  it('orders branches by flow, cuts the supplement loop and leaves reminder side paths out', async () => {
    const { definitions } = await parse(fixture('branching.bpmn'));
    const table = buildStepTable(definitions, 'vi');
    const ids = table.rows.map((r) => r.elementId);
    expect(ids[0]).toBe('Receive');
    expect(ids.at(-1)).toBe('Sign');
    expect(new Set(ids)).toEqual(new Set(['Receive', 'Supplement', 'Appraise', 'Consult', 'Sign']));
    expect(ids).not.toContain('RemindWorker');
    const consult = table.rows.find((r) => r.elementId === 'Consult')!;
    expect(consult.who).toBe('Sở Xây dựng');
    expect(table.rows.find((r) => r.elementId === 'Supplement')!.time).toBe('Không tính');
  });

  it('takes the longest parallel branch for the total (4h + 6d + 1d), not the sum of both branches', async () => {
    const { definitions } = await parse(fixture('branching.bpmn'));
    const lp = longestPathOf(definitions);
    expect(lp.totalHours).toBe(4 + 48 + 8);
    expect(lp.elementIds).toEqual(['S', 'Receive', 'Complete', 'Fork', 'Consult', 'Join', 'Sign', 'E']);
  });

  it('gives an empty table and zero total for a blank process', async () => {
    const { definitions } = await parse(TEMPLATES.blank('x'));
    const table = buildStepTable(definitions, 'vi');
    expect(table.rows).toEqual([]);
    expect(table.totalHours).toBe(0);
  });
});
