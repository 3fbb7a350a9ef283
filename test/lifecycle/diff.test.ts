import { describe, expect, it } from '@jest/globals';
import { diffXml } from '../../server/lifecycle/diff.js';

const xml = (attrs: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true"><bpmn:userTask id="T" name="Thẩm định" ${attrs} /></bpmn:process>
</bpmn:definitions>`;

/** The review says changes from the older version to the newer one: old → new, whatever the differ's own order. */
describe('diffXml attribute values', () => {
  it('a modified attribute reads old → new', async () => {
    const d = await diffXml(xml('tthc:budget="2d"'), xml('tthc:budget="1d"'));
    expect(d.changed[0]!.attrs!.budget).toEqual({ old: '2d', new: '1d' });
  });
  it('an added attribute reads nothing → new', async () => {
    const d = await diffXml(xml('tthc:budget="2d"'), xml('tthc:budget="2d" tthc:outcomes="approve:Đồng ý; return!:Trả lại"'));
    expect(d.changed[0]!.attrs!.outcomes).toEqual({ old: null, new: 'approve:Đồng ý; return!:Trả lại' });
  });
  it('a removed attribute reads old → nothing', async () => {
    const d = await diffXml(xml('tthc:budget="2d" tthc:form="04"'), xml('tthc:budget="2d"'));
    expect(d.changed[0]!.attrs!.form).toEqual({ old: '04', new: null });
  });
});
