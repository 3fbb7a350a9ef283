import { TTHC_NS } from '../engine/index.js';

/** One row of an approved step table (TTHC.md §4): who does what within which budget. */
export interface StepSpec {
  name: string;
  /** A role (candidate group); for consultation steps, the officer who sends the request. */
  role: string;
  /** Working time: "4h", "0.5d". */
  budget: string;
  form?: string;
  countsTowardLimit?: boolean;
  /** A consultation of another agency, sent by the worker on `tthc.consultation.request`. */
  consultAgency?: string;
  replyDeadline?: string;
}

export interface TemplateSpec {
  processId: string;
  name: string;
  steps: StepSpec[];
  /** Adds the "request supplement (form 02)" loop back to reception. */
  supplement?: boolean;
  /** Adds the "refuse (form 03)" branch after reception. */
  refusal?: boolean;
}

/** The message a consultation step's catch event waits for (server/consultations/ correlates it). */
const CONSULTATION_REPLY_MESSAGE = 'tthc.consultation.reply';

interface Box { id: string; x: number; y: number; w: number; h: number }
interface Node extends Box { xml: string }
interface Flow { id: string; from: Box; to: Box; xml: string; points: Array<[number, number]> }

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const SIZE = { event: [36, 36], task: [100, 80], gateway: [50, 50] } as const;
const MAIN_Y = 260;
const SUPPLEMENT_Y = 410;
const REFUSAL_Y = 110;
const LOOP_Y = 500;

/** bpmnlint and bpmn-js read a node's connections from its own incoming/outgoing children. */
function withFlows(n: Node, flows: Flow[]): string {
  const refs = [
    ...flows.filter((f) => f.to.id === n.id).map((f) => `<bpmn:incoming>${f.id}</bpmn:incoming>`),
    ...flows.filter((f) => f.from.id === n.id).map((f) => `<bpmn:outgoing>${f.id}</bpmn:outgoing>`),
  ];
  const tag = /^<([\w:]+)/.exec(n.xml)![1];
  if (!refs.length) return n.xml;
  // Self-closing: the refs become its children; otherwise they go first (before event definitions).
  return /\/>$/.test(n.xml) ? n.xml.replace(/\s*\/>$/, `>${refs.join('')}</${tag}>`) : n.xml.replace(/^(<[^>]*[^/])>/, `$1>${refs.join('')}`);
}

/**
 * Generates an executable BPMN process (camunda + tthc attributes, with diagram layout so it
 * renders in bpmn-js) from a step table. Used for the seed catalogue and for new drafts.
 */
export function generateProcessXml(spec: TemplateSpec): string {
  const nodes: Node[] = [];
  const flows: Flow[] = [];
  let x = 100;
  const place = (id: string, kind: keyof typeof SIZE, cx: number, cy: number, xml: string): Node => {
    const [w, h] = SIZE[kind];
    const n = { id, x: cx, y: cy - h / 2, w, h, xml };
    nodes.push(n);
    return n;
  };
  const next = (id: string, kind: keyof typeof SIZE, xml: string): Node => {
    const n = place(id, kind, x, MAIN_Y, xml);
    x += SIZE[kind][0] + 60;
    return n;
  };
  let flowNo = 0;
  const flow = (from: Box, to: Box, opts: { name?: string; condition?: string; points?: Array<[number, number]> } = {}): Flow => {
    const id = `Flow_${++flowNo}`;
    const cond = opts.condition ? `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${esc(opts.condition)}</bpmn:conditionExpression>` : '';
    const name = opts.name ? ` name="${esc(opts.name)}"` : '';
    const points = opts.points ?? [[from.x + from.w, from.y + from.h / 2], [to.x, to.y + to.h / 2]];
    const f = { id, from, to, points, xml: `<bpmn:sequenceFlow id="${id}"${name} sourceRef="${from.id}" targetRef="${to.id}"${cond ? `>${cond}</bpmn:sequenceFlow>` : ' />'}` };
    flows.push(f);
    return f;
  };
  const userTask = (id: string, s: StepSpec) => {
    const attrs = [
      `id="${id}"`, `name="${esc(s.name)}"`,
      `camunda:candidateGroups="${esc(s.role)}"`, `tthc:role="${esc(s.role)}"`, `tthc:budget="${esc(s.budget)}"`,
      s.form ? `tthc:form="${esc(s.form)}"` : '',
      s.countsTowardLimit === false ? 'tthc:countsTowardLimit="false"' : '',
    ].filter(Boolean);
    return `<bpmn:userTask ${attrs.join(' ')} />`;
  };
  const consultTask = (id: string, s: StepSpec) => {
    const attrs = [
      `id="${id}"`, `name="${esc(s.name)}"`, 'camunda:type="external"', 'camunda:topic="tthc.consultation.request"',
      `tthc:role="${esc(s.role)}"`, `tthc:budget="${esc(s.budget)}"`,
      `tthc:consultAgency="${esc(s.consultAgency!)}"`, `tthc:replyDeadline="${esc(s.replyDeadline ?? s.budget)}"`,
    ];
    return `<bpmn:serviceTask ${attrs.join(' ')} />`;
  };

  const start = next('StartEvent_1', 'event', '<bpmn:startEvent id="StartEvent_1" name="Hồ sơ được nộp" />');
  let prev: Box = start;
  let merge: Node | undefined;
  if (spec.supplement) {
    merge = next('Gateway_Merge', 'gateway', '<bpmn:exclusiveGateway id="Gateway_Merge" />');
    flow(prev, merge);
    prev = merge;
  }
  spec.steps.forEach((s, i) => {
    const id = `Step_B${i + 1}`;
    const task = next(id, 'task', s.consultAgency ? consultTask(id, s) : userTask(id, s));
    flow(prev, task);
    prev = task;
    if (s.consultAgency) {
      // The process waits here for the reply, correlated by the platform (or POST /message on Camunda 7).
      const wait = next(`${id}_Reply`, 'event', `<bpmn:intermediateCatchEvent id="${id}_Reply" name="Nhận ý kiến trả lời"><bpmn:messageEventDefinition id="${id}_ReplyDef" messageRef="Message_ConsultReply" /></bpmn:intermediateCatchEvent>`);
      flow(prev, wait);
      prev = wait;
    }
    if (i === 0 && (spec.supplement || spec.refusal)) {
      const gw = next('Gateway_Check', 'gateway', '<bpmn:exclusiveGateway id="Gateway_Check" name="Hồ sơ hợp lệ?" default="Flow_Valid" />');
      flow(prev, gw);
      prev = gw;
      const gx = gw.x + gw.w / 2;
      if (spec.supplement) {
        const req = place('Task_Supplement', 'task', gw.x + 90, SUPPLEMENT_Y,
          '<bpmn:userTask id="Task_Supplement" name="Yêu cầu bổ sung hồ sơ (mẫu 02)" camunda:candidateGroups="one-stop-officer" tthc:role="one-stop-officer" tthc:budget="4h" tthc:form="02" tthc:countsTowardLimit="false" />');
        const recv = place('Task_ReceiveSupplement', 'task', req.x + 160, SUPPLEMENT_Y,
          '<bpmn:userTask id="Task_ReceiveSupplement" name="Nhận hồ sơ bổ sung" camunda:candidateGroups="one-stop-officer" tthc:role="one-stop-officer" tthc:budget="4h" tthc:countsTowardLimit="false" />');
        flow(gw, req, { name: 'Thiếu thành phần', condition: "${decision == 'supplement'}", points: [[gx, gw.y + gw.h], [gx, SUPPLEMENT_Y], [req.x, SUPPLEMENT_Y]] });
        flow(req, recv);
        const mx = merge!.x + merge!.w / 2;
        flow(recv, merge!, { points: [[recv.x + recv.w / 2, recv.y + recv.h], [recv.x + recv.w / 2, LOOP_Y], [mx, LOOP_Y], [mx, merge!.y + merge!.h]] });
      }
      if (spec.refusal) {
        const refuse = place('Task_Refuse', 'task', gw.x + 90, REFUSAL_Y,
          '<bpmn:userTask id="Task_Refuse" name="Từ chối tiếp nhận (mẫu 03)" camunda:candidateGroups="one-stop-officer" tthc:role="one-stop-officer" tthc:budget="4h" tthc:form="03" tthc:countsTowardLimit="false" />');
        const end = place('EndEvent_Refused', 'event', refuse.x + 160, REFUSAL_Y, '<bpmn:endEvent id="EndEvent_Refused" name="Không tiếp nhận" />');
        flow(gw, refuse, { name: 'Không đủ điều kiện', condition: "${decision == 'refuse'}", points: [[gx, gw.y], [gx, REFUSAL_Y], [refuse.x, REFUSAL_Y]] });
        flow(refuse, end);
      }
    }
  });
  const end = next('EndEvent_Done', 'event', '<bpmn:endEvent id="EndEvent_Done" name="Đã trả kết quả" />');
  const last = flow(prev, end);
  // The flow leaving the check gateway on the main row is its default ("valid") flow.
  if (spec.supplement || spec.refusal) {
    const f = flows.find((fl) => fl.from.id === 'Gateway_Check' && fl.to.id === 'Step_B2') ?? (spec.steps.length === 1 ? last : undefined);
    if (f) {
      f.xml = f.xml.replace(`id="${f.id}"`, 'id="Flow_Valid" name="Hợp lệ"');
      f.id = 'Flow_Valid';
    }
  }

  const shapes = nodes.map((n) => `<bpmndi:BPMNShape id="${n.id}_di" bpmnElement="${n.id}"${n.id.startsWith('Gateway') ? ' isMarkerVisible="true"' : ''}><dc:Bounds x="${n.x}" y="${n.y}" width="${n.w}" height="${n.h}" /></bpmndi:BPMNShape>`);
  const edges = flows.map((f) => `<bpmndi:BPMNEdge id="${f.id}_di" bpmnElement="${f.id}">${f.points.map(([px, py]) => `<di:waypoint x="${px}" y="${py}" />`).join('')}</bpmndi:BPMNEdge>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"',
    '  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    `  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:tthc="${TTHC_NS}"`,
    `  id="Definitions_${esc(spec.processId)}" targetNamespace="http://tthc-platform.github.io/processes">`,
    ...(spec.steps.some((s) => s.consultAgency) ? [`  <bpmn:message id="Message_ConsultReply" name="${CONSULTATION_REPLY_MESSAGE}" />`] : []),
    `  <bpmn:process id="${esc(spec.processId)}" name="${esc(spec.name)}" isExecutable="true">`,
    ...nodes.map((n) => `    ${withFlows(n, flows)}`),
    ...flows.map((f) => `    ${f.xml}`),
    '  </bpmn:process>',
    `  <bpmndi:BPMNDiagram id="Diagram_1"><bpmndi:BPMNPlane id="Plane_1" bpmnElement="${esc(spec.processId)}">`,
    ...shapes.map((s) => `    ${s}`),
    ...edges.map((e) => `    ${e}`),
    '  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>',
    '</bpmn:definitions>',
    '',
  ].join('\n');
}
