/** Reading moddle elements (the parsed BPMN tree): shared by the compiler's files. */

export type El = any;

export function body(x: El): string | undefined {
  return x && typeof x.body === 'string' && x.body.trim() ? x.body.trim() : undefined;
}
export function camunda(el: El, name: string): string | undefined {
  const v = el?.get ? el.get(`camunda:${name}`) : undefined;
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

/**
 * A moddle element as the deployment check reads it (model.ts): bpmn-moddle ships no types, so this states the
 * properties read, each optional where BPMN XML may leave it out. `El` above is the same tree, untyped, until
 * the compiler's files read it through this too.
 */
export interface ModdleElement {
  $type: string;
  id: string;
  name?: string;
  /** Attributes moddle does not know (our tthc: extension, namespace declarations), by qualified name. */
  $attrs?: Record<string, string>;
  $parent?: ModdleElement;
  /** An extension attribute by qualified name (camunda:…). */
  get?(name: string): unknown;
  body?: unknown;
  language?: unknown;
  // bpmn:Definitions
  imports?: Array<{ importType?: unknown; namespace?: unknown }>;
  rootElements?: ModdleElement[];
  // processes, collaborations, containers
  isExecutable?: boolean;
  flowElements?: ModdleElement[];
  messageFlows?: Array<{ sourceRef?: ModdleElement; targetRef?: ModdleElement }>;
  processRef?: ModdleElement;
  // flow elements
  sourceRef?: ModdleElement;
  targetRef?: ModdleElement;
  conditionExpression?: ModdleElement;
  triggeredByEvent?: boolean;
  instantiate?: boolean;
  loopCharacteristics?: ModdleElement;
  loopCondition?: ModdleElement;
  loopCardinality?: ModdleElement;
  completionCondition?: ModdleElement;
  messageRef?: ModdleElement;
  signalRef?: ModdleElement;
  eventDefinitions?: ModdleElement[];
  eventDefinitionRef?: ModdleElement[];
  // event definitions
  condition?: ModdleElement;
  timeDate?: ModdleElement;
  timeDuration?: ModdleElement;
  timeCycle?: ModdleElement;
}
