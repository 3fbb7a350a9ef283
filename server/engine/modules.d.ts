// bpmn-moddle 10 ships no types; the engine only calls fromXML on it. Its element tree is read through
// compile/moddle.ts (ModdleElement), so what fromXML answers is unknown here.
declare module 'bpmn-moddle' {
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>);
    fromXML(xml: string, typeName?: string): Promise<{ rootElement?: unknown; warnings?: unknown; elementsById?: unknown }>;
  }
}
