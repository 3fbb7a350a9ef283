/**
 * Starting points for a new draft. The standard template is the usual one-stop step table
 * (TTHC.md §4, Cao Bằng example): receive, assign, appraise, review, approve, clerical, return.
 */
export interface TemplateStep {
  id: string;
  name: string;
  type: 'bpmn:UserTask' | 'bpmn:ServiceTask';
  role?: string;
  budget?: string;
  form?: string;
  countsTowardLimit?: boolean;
  topic?: string;
}

export const STANDARD_STEPS: TemplateStep[] = [
  { id: 'Receive', name: 'Tiếp nhận hồ sơ', type: 'bpmn:UserTask', role: 'one-stop-officer', budget: '0.5d', form: '01' },
  { id: 'Assign', name: 'Phân công xử lý', type: 'bpmn:UserTask', role: 'division-head', budget: '0.5d' },
  { id: 'Appraise', name: 'Thẩm định hồ sơ', type: 'bpmn:UserTask', role: 'specialist', budget: '7d' },
  { id: 'Review', name: 'Xem xét, trình ký', type: 'bpmn:UserTask', role: 'division-head', budget: '0.5d' },
  { id: 'Approve', name: 'Ký duyệt', type: 'bpmn:UserTask', role: 'leader', budget: '1d' },
  { id: 'Clerical', name: 'Vào sổ, đóng dấu', type: 'bpmn:UserTask', role: 'clerical', budget: '0.5d' },
  { id: 'Return', name: 'Trả kết quả', type: 'bpmn:UserTask', role: 'one-stop-officer', countsTowardLimit: false },
];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

function tag(type: string): string {
  return type.replace('bpmn:', 'bpmn:').replace(/^bpmn:(\w)/, (_, c: string) => `bpmn:${c.toLowerCase()}`);
}

/** BPMN XML (with diagram) of a straight line of steps between a start and an end event. */
export function processXml(opts: { processId?: string; name: string; steps: TemplateStep[] }): string {
  const pid = opts.processId ?? 'Process_1';
  const y = 120;
  const nodes: string[] = [];
  const flows: string[] = [];
  const shapes: string[] = [];
  const edges: string[] = [];
  const ids = ['StartEvent_1', ...opts.steps.map((s) => `Task_${s.id}`), 'EndEvent_1'];
  const xs: number[] = [];
  let x = 160;
  for (let i = 0; i < ids.length; i++) {
    xs.push(x);
    x += i === 0 || i === ids.length - 2 ? 130 : 150;
  }
  nodes.push(`<bpmn:startEvent id="StartEvent_1" name="Nhận hồ sơ"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>`);
  shapes.push(`<bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="${xs[0]}" y="${y + 22}" width="36" height="36" /></bpmndi:BPMNShape>`);
  opts.steps.forEach((s, i) => {
    const id = ids[i + 1]!;
    const attrs = [
      `id="${id}"`, `name="${esc(s.name)}"`,
      s.role ? `camunda:candidateGroups="${s.role}" tthc:role="${s.role}"` : '',
      s.budget ? `tthc:budget="${s.budget}"` : '',
      s.form ? `tthc:form="${s.form}"` : '',
      s.countsTowardLimit === false ? 'tthc:countsTowardLimit="false"' : '',
      s.topic ? `camunda:type="external" camunda:topic="${s.topic}"` : '',
    ].filter(Boolean).join(' ');
    nodes.push(`<${tag(s.type)} ${attrs}><bpmn:incoming>Flow_${i + 1}</bpmn:incoming><bpmn:outgoing>Flow_${i + 2}</bpmn:outgoing></${tag(s.type)}>`);
    shapes.push(`<bpmndi:BPMNShape id="${id}_di" bpmnElement="${id}"><dc:Bounds x="${xs[i + 1]}" y="${y}" width="100" height="80" /></bpmndi:BPMNShape>`);
  });
  const endX = xs[ids.length - 1]!;
  nodes.push(`<bpmn:endEvent id="EndEvent_1" name="Hoàn thành"><bpmn:incoming>Flow_${ids.length - 1}</bpmn:incoming></bpmn:endEvent>`);
  shapes.push(`<bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1"><dc:Bounds x="${endX}" y="${y + 22}" width="36" height="36" /></bpmndi:BPMNShape>`);
  for (let i = 0; i < ids.length - 1; i++) {
    const from = ids[i]!;
    const to = ids[i + 1]!;
    flows.push(`<bpmn:sequenceFlow id="Flow_${i + 1}" sourceRef="${from}" targetRef="${to}" />`);
    const x1 = xs[i]! + (i === 0 ? 36 : 100);
    edges.push(`<bpmndi:BPMNEdge id="Flow_${i + 1}_di" bpmnElement="Flow_${i + 1}"><di:waypoint x="${x1}" y="${y + 40}" /><di:waypoint x="${xs[i + 1]}" y="${y + 40}" /></bpmndi:BPMNEdge>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="TTHC designer" exporterVersion="1.0">
  <bpmn:process id="${pid}" name="${esc(opts.name)}" isExecutable="true">
    ${nodes.join('\n    ')}
    ${flows.join('\n    ')}
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="${pid}">
      ${shapes.join('\n      ')}
      ${edges.join('\n      ')}
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
}

export const TEMPLATES = {
  standard: (name: string) => processXml({ name, steps: STANDARD_STEPS }),
  blank: (name: string) => processXml({ name, steps: [] }),
} as const;
export type TemplateName = keyof typeof TEMPLATES;
