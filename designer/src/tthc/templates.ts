/**
 * Starting points for a new draft. The standard template is the usual one-stop process
 * (TTHC.md §4, Cao Bằng example: 10 working days): receive, check (supplement with form 02 /
 * refuse with form 03), assign, appraise, review, approve, clerical, return.
 */
interface TemplateStep {
  id: string;
  name: string;
  type: 'bpmn:UserTask' | 'bpmn:ServiceTask';
  role?: string;
  budget?: string;
  form?: string;
  countsTowardLimit?: boolean;
  topic?: string;
}

const STANDARD_STEPS: TemplateStep[] = [
  { id: 'Receive', name: 'Tiếp nhận hồ sơ', type: 'bpmn:UserTask', role: 'one-stop-officer', budget: '0.5d', form: '01' },
  { id: 'Assign', name: 'Phân công xử lý', type: 'bpmn:UserTask', role: 'division-head', budget: '0.5d' },
  { id: 'Appraise', name: 'Thẩm định hồ sơ', type: 'bpmn:UserTask', role: 'specialist', budget: '7d' },
  { id: 'Review', name: 'Xem xét, trình ký', type: 'bpmn:UserTask', role: 'division-head', budget: '0.5d' },
  { id: 'Approve', name: 'Ký duyệt', type: 'bpmn:UserTask', role: 'leader', budget: '1d' },
  { id: 'Clerical', name: 'Vào sổ, đóng dấu', type: 'bpmn:UserTask', role: 'clerical', budget: '0.5d' },
  { id: 'Return', name: 'Trả kết quả', type: 'bpmn:UserTask', role: 'one-stop-officer', countsTowardLimit: false },
];

const SUPPLEMENT: TemplateStep = { id: 'Supplement', name: 'Yêu cầu bổ sung hồ sơ', type: 'bpmn:UserTask', role: 'one-stop-officer', form: '02', countsTowardLimit: false };
const REFUSE: TemplateStep = { id: 'Refuse', name: 'Từ chối tiếp nhận hồ sơ', type: 'bpmn:UserTask', role: 'one-stop-officer', form: '03', countsTowardLimit: false };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

interface Node { id: string; xml: (inc: string[], out: string[]) => string; x: number; y: number; w: number; h: number }
interface Flow { id: string; from: string; to: string; name?: string; condition?: string }

function stepNode(s: TemplateStep, x: number, y: number): Node {
  const tag = s.type === 'bpmn:UserTask' ? 'bpmn:userTask' : 'bpmn:serviceTask';
  const attrs = [
    `id="Task_${s.id}"`, `name="${esc(s.name)}"`,
    s.role ? `camunda:candidateGroups="${s.role}" tthc:role="${s.role}"` : '',
    s.budget ? `tthc:budget="${s.budget}"` : '',
    s.form ? `tthc:form="${s.form}"` : '',
    s.countsTowardLimit === false ? 'tthc:countsTowardLimit="false"' : '',
    s.topic ? `camunda:type="external" camunda:topic="${s.topic}"` : '',
  ].filter(Boolean).join(' ');
  return { id: `Task_${s.id}`, x, y, w: 100, h: 80, xml: (inc, out) => `<${tag} ${attrs}>${refs(inc, out)}</${tag}>` };
}

function refs(inc: string[], out: string[]): string {
  return inc.map((f) => `<bpmn:incoming>${f}</bpmn:incoming>`).join('') + out.map((f) => `<bpmn:outgoing>${f}</bpmn:outgoing>`).join('');
}

function event(kind: 'startEvent' | 'endEvent', id: string, name: string, x: number, y: number): Node {
  return { id, x, y, w: 36, h: 36, xml: (inc, out) => `<bpmn:${kind} id="${id}" name="${esc(name)}">${refs(inc, out)}</bpmn:${kind}>` };
}

/** Waypoints: straight when aligned, else down (or up) from the source then across. */
function waypoints(a: Node, b: Node): Array<[number, number]> {
  const ay = a.y + a.h / 2;
  const by = b.y + b.h / 2;
  if (Math.abs(ay - by) < 1) return [[a.x + a.w, ay], [b.x, by]];
  const ax = a.x + a.w / 2;
  return [[ax, by > ay ? a.y + a.h : a.y], [ax, by], [b.x, by]];
}

function document(processId: string, name: string, nodes: Node[], flows: Flow[]): string {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const inc = (id: string) => flows.filter((f) => f.to === id).map((f) => f.id);
  const out = (id: string) => flows.filter((f) => f.from === id).map((f) => f.id);
  const flowXml = flows.map((f) => {
    const cond = f.condition ? `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${esc(f.condition)}</bpmn:conditionExpression>` : '';
    return `<bpmn:sequenceFlow id="${f.id}"${f.name ? ` name="${esc(f.name)}"` : ''} sourceRef="${f.from}" targetRef="${f.to}">${cond}</bpmn:sequenceFlow>`;
  });
  const shapes = nodes.map((n) => `<bpmndi:BPMNShape id="${n.id}_di" bpmnElement="${n.id}"${n.id.startsWith('Gateway') ? ' isMarkerVisible="true"' : ''}><dc:Bounds x="${n.x}" y="${n.y}" width="${n.w}" height="${n.h}" /></bpmndi:BPMNShape>`);
  const edges = flows.map((f) => `<bpmndi:BPMNEdge id="${f.id}_di" bpmnElement="${f.id}">${waypoints(byId.get(f.from)!, byId.get(f.to)!).map(([x, y]) => `<di:waypoint x="${x}" y="${y}" />`).join('')}</bpmndi:BPMNEdge>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="TTHC designer" exporterVersion="1.0">
  <bpmn:process id="${processId}" name="${esc(name)}" isExecutable="true">
    ${nodes.map((n) => n.xml(inc(n.id), out(n.id))).join('\n    ')}
    ${flowXml.join('\n    ')}
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="${processId}">
      ${shapes.join('\n      ')}
      ${edges.join('\n      ')}
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
}

/** A straight line of steps between a start and an end event. */
function processXml(opts: { processId?: string; name: string; steps: TemplateStep[] }): string {
  const y = 120;
  const nodes: Node[] = [event('startEvent', 'StartEvent_1', 'Nhận hồ sơ', 160, y + 22)];
  let x = 260;
  for (const s of opts.steps) { nodes.push(stepNode(s, x, y)); x += 150; }
  nodes.push(event('endEvent', 'EndEvent_1', 'Hoàn thành', x + 20, y + 22));
  const flows: Flow[] = nodes.slice(1).map((n, i) => ({ id: `Flow_${i + 1}`, from: nodes[i]!.id, to: n.id }));
  return document(opts.processId ?? 'Process_1', opts.name, nodes, flows);
}

/** The standard process: the check after receiving branches to supplement (02) or refusal (03). */
function standardXml(name: string): string {
  const y = 120;
  const [receive, ...rest] = STANDARD_STEPS;
  const nodes: Node[] = [event('startEvent', 'StartEvent_1', 'Nhận hồ sơ', 160, y + 22), stepNode(receive!, 240, y)];
  const gateway: Node = {
    id: 'Gateway_Check', x: 385, y: y + 15, w: 50, h: 50,
    xml: (inc, out) => `<bpmn:exclusiveGateway id="Gateway_Check" name="Hồ sơ hợp lệ?" default="Flow_Valid">${refs(inc, out)}</bpmn:exclusiveGateway>`,
  };
  nodes.push(gateway);
  let x = 480;
  for (const s of rest) { nodes.push(stepNode(s, x, y)); x += 140; }
  nodes.push(event('endEvent', 'EndEvent_1', 'Hoàn thành', x + 10, y + 22));
  nodes.push(stepNode(SUPPLEMENT, 480, y + 140), event('endEvent', 'EndEvent_Supplement', 'Chờ bổ sung', 632, y + 162));
  nodes.push(stepNode(REFUSE, 480, y + 270), event('endEvent', 'EndEvent_Refuse', 'Đã từ chối', 632, y + 292));
  const main = nodes.filter((n) => n.y <= y + 22 && !n.id.startsWith('EndEvent_S') && !n.id.startsWith('EndEvent_R'));
  const flows: Flow[] = [];
  main.slice(1).forEach((n, i) => flows.push({ id: n.id === 'Task_Assign' ? 'Flow_Valid' : `Flow_${i + 1}`, from: main[i]!.id, to: n.id, name: n.id === 'Task_Assign' ? 'Hợp lệ' : undefined }));
  flows.push(
    { id: 'Flow_Incomplete', from: 'Gateway_Check', to: 'Task_Supplement', name: 'Chưa đầy đủ', condition: "${ketQuaKiemTra == 'bo-sung'}" },
    { id: 'Flow_Supplement_End', from: 'Task_Supplement', to: 'EndEvent_Supplement' },
    { id: 'Flow_Invalid', from: 'Gateway_Check', to: 'Task_Refuse', name: 'Không đủ điều kiện', condition: "${ketQuaKiemTra == 'tu-choi'}" },
    { id: 'Flow_Refuse_End', from: 'Task_Refuse', to: 'EndEvent_Refuse' },
  );
  return document('Process_1', name, nodes, flows);
}

export const TEMPLATES = {
  standard: (name: string) => standardXml(name),
  blank: (name: string) => processXml({ name, steps: [] }),
} as const;
export type TemplateName = keyof typeof TEMPLATES;
