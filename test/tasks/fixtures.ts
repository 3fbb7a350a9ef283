/**
 * The commune step table of TTHC.md §4 as an executable process with a review loop:
 * receive (one-stop) → assign (division head) → appraise (specialist) → review (division head:
 * approve | return!) → [return] back to appraise | sign (leader) → issue (clerical) → return result.
 */
interface Step { id: string; name: string; role: string; budget: string; outcomes?: string; extra?: string }
const STEPS: Step[] = [
  { id: 'B1', name: 'Tiếp nhận hồ sơ', role: 'one-stop-officer', budget: '4h' },
  { id: 'B2', name: 'Phân công thụ lý', role: 'division-head', budget: '4h' },
  { id: 'B3', name: 'Thẩm định hồ sơ', role: 'specialist', budget: '2d' },
  { id: 'B4', name: 'Xem xét, trình ký', role: 'division-head', budget: '4h', outcomes: 'approve:Đồng ý, trình ký; return!:Trả lại chuyên viên' },
  { id: 'B5', name: 'Ký duyệt', role: 'leader', budget: '1d' },
  { id: 'B6', name: 'Đóng dấu, phát hành', role: 'clerical', budget: '4h' },
  { id: 'B7', name: 'Trả kết quả', role: 'one-stop-officer', budget: '1h', extra: ' tthc:countsTowardLimit="false"' },
];

export function reviewLoopProcess(key = 'tasklist_demo'): string {
  const x = (i: number) => 180 + i * 150;
  const tasks = STEPS.map((s) => `<bpmn:userTask id="${s.id}" name="${s.name}" camunda:candidateGroups="${s.role}" tthc:role="${s.role}" tthc:budget="${s.budget}"${s.outcomes ? ` tthc:outcomes="${s.outcomes}"` : ''}${s.extra ?? ''}/>`).join('\n  ');
  // Layout: start, B1, B2, merge, B3, B4, gw, B5, B6, B7, end in one row; the return flow loops under.
  const order = ['start', 'B1', 'B2', 'merge', 'B3', 'B4', 'gw', 'B5', 'B6', 'B7', 'end'];
  const size = (id: string) => (id === 'start' || id === 'end' ? [36, 36] : id === 'merge' || id === 'gw' ? [50, 50] : [100, 80]);
  const pos = new Map(order.map((id, i) => { const [w, h] = size(id); return [id, { x: x(i) - w! / 2, y: 200 - h! / 2, w: w!, h: h! }]; }));
  const flows: Array<[string, string, string, string?]> = [
    ['f0', 'start', 'B1'], ['f1', 'B1', 'B2'], ['f2', 'B2', 'merge'], ['f3', 'merge', 'B3'], ['f4', 'B3', 'B4'], ['f5', 'B4', 'gw'],
    ['fApprove', 'gw', 'B5'], ['fReturn', 'gw', 'merge', "${outcome == 'return'}"], ['f7', 'B5', 'B6'], ['f8', 'B6', 'B7'], ['f9', 'B7', 'end'],
  ];
  const flowXml = flows.map(([id, s, t, cond]) => `<bpmn:sequenceFlow id="${id}" sourceRef="${s}" targetRef="${t}"${id === 'fReturn' ? ' name="Trả lại"' : ''}>${cond ? `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${cond.replace(/'/g, '&apos;')}</bpmn:conditionExpression>` : ''}</bpmn:sequenceFlow>`).join('\n  ');
  const shapes = order.map((id) => { const p = pos.get(id)!; return `<bpmndi:BPMNShape id="${id}_di" bpmnElement="${id}"${id === 'gw' || id === 'merge' ? ' isMarkerVisible="true"' : ''}><dc:Bounds x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}"/></bpmndi:BPMNShape>`; }).join('\n    ');
  const edges = flows.map(([id, s, t]) => {
    const a = pos.get(s)!; const b = pos.get(t)!;
    const pts = id === 'fReturn'
      ? [[a.x + a.w / 2, a.y + a.h], [a.x + a.w / 2, 300], [b.x + b.w / 2, 300], [b.x + b.w / 2, b.y + b.h]]
      : [[a.x + a.w, 200], [b.x, 200]];
    return `<bpmndi:BPMNEdge id="${id}_di" bpmnElement="${id}">${pts.map(([px, py]) => `<di:waypoint x="${px}" y="${py}"/>`).join('')}</bpmndi:BPMNEdge>`;
  }).join('\n    ');
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn" id="Defs_${key}" targetNamespace="http://tthc-platform.github.io/processes">
<bpmn:process id="${key}" name="Cấp giấy phép (quy trình mẫu)" isExecutable="true">
  <bpmn:startEvent id="start" name="Hồ sơ được nộp"/>
  ${tasks}
  <bpmn:exclusiveGateway id="merge"/>
  <bpmn:exclusiveGateway id="gw" name="Kết quả xem xét" default="fApprove"/>
  <bpmn:endEvent id="end" name="Đã trả kết quả"/>
  ${flowXml}
</bpmn:process>
<bpmndi:BPMNDiagram id="Diagram_${key}"><bpmndi:BPMNPlane id="Plane_${key}" bpmnElement="${key}">
    ${shapes}
    ${edges}
</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>`;
}
