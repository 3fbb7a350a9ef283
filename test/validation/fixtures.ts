import { generateProcessXml, type StepSpec } from '../../server/lifecycle/template.js';

export const STEPS: StepSpec[] = [
  { name: 'Tiếp nhận hồ sơ', role: 'one-stop-officer', budget: '4h', form: '01' },
  { name: 'Thẩm định hồ sơ', role: 'specialist', budget: '2d' },
  { name: 'Ký duyệt', role: 'leader', budget: '4h' },
  { name: 'Trả kết quả', role: 'one-stop-officer', budget: '4h', countsTowardLimit: false },
];

/** A clean process (24 counted hours) with supplement and refusal branches. */
export const goodXml = (steps: StepSpec[] = STEPS, opts: { supplement?: boolean; refusal?: boolean } = {}) =>
  generateProcessXml({ processId: 'P_test', name: 'Quy trình thử', steps, supplement: opts.supplement ?? true, refusal: opts.refusal ?? true });

/** Replaces the first occurrence of `from` in the good process; fails loudly if the fixture drifted. */
export function mutate(xml: string, from: string, to: string): string {
  if (!xml.includes(from)) throw new Error(`fixture does not contain ${from}`);
  return xml.replace(from, to);
}

