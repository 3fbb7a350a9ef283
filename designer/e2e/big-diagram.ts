/**
 * A synthetic diagram with `tasks` user tasks in rows of `perRow` (≈ 2 elements per task plus DI): the
 * open-time benchmark, and the review's short and long diagrams (one long row). `budgets` overrides a
 * task's budget by id (1h otherwise).
 */
export function bigDiagramXml(tasks: number, o: { perRow?: number; budgets?: Record<string, string> } = {}): string {
  const perRow = o.perRow ?? 15;
  const nodes: string[] = [];
  const flows: string[] = [];
  const shapes: string[] = [];
  const edges: string[] = [];
  const ids = ['Start', ...Array.from({ length: tasks }, (_, i) => `T${i}`), 'End'];
  const pos = (i: number) => ({ x: 100 + (i % perRow) * 140, y: 80 + Math.floor(i / perRow) * 140 });
  ids.forEach((id, i) => {
    const p = pos(i);
    if (id === 'Start') {
      nodes.push(`<bpmn:startEvent id="Start"/>`);
      shapes.push(`<bpmndi:BPMNShape id="Start_di" bpmnElement="Start"><dc:Bounds x="${p.x + 32}" y="${p.y + 22}" width="36" height="36"/></bpmndi:BPMNShape>`);
    } else if (id === 'End') {
      nodes.push(`<bpmn:endEvent id="End"/>`);
      shapes.push(`<bpmndi:BPMNShape id="End_di" bpmnElement="End"><dc:Bounds x="${p.x + 32}" y="${p.y + 22}" width="36" height="36"/></bpmndi:BPMNShape>`);
    } else {
      nodes.push(`<bpmn:userTask id="${id}" name="Bước ${i}: thẩm định hồ sơ" tthc:role="specialist" camunda:candidateGroups="specialist" tthc:budget="${o.budgets?.[id] ?? '1h'}"/>`);
      shapes.push(`<bpmndi:BPMNShape id="${id}_di" bpmnElement="${id}"><dc:Bounds x="${p.x}" y="${p.y}" width="100" height="80"/></bpmndi:BPMNShape>`);
    }
    if (i > 0) {
      const a = pos(i - 1);
      flows.push(`<bpmn:sequenceFlow id="F${i}" sourceRef="${ids[i - 1]}" targetRef="${id}"/>`);
      edges.push(`<bpmndi:BPMNEdge id="F${i}_di" bpmnElement="F${i}"><di:waypoint x="${a.x + 100}" y="${a.y + 40}"/><di:waypoint x="${p.x}" y="${p.y + 40}"/></bpmndi:BPMNEdge>`);
    }
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:tthc="http://tthc-platform.github.io/schema/1.0/bpmn" id="Big" targetNamespace="http://bpmn.io/schema/bpmn">
<bpmn:process id="BigProcess" isExecutable="true">${nodes.join('')}${flows.join('')}</bpmn:process>
<bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane id="Pl" bpmnElement="BigProcess">${shapes.join('')}${edges.join('')}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>`;
}
