/** Reading moddle elements (the parsed BPMN tree): shared by the compiler's files. */

/** A formal expression's text (conditionExpression, timeDuration, …), trimmed; undefined when empty. */
export function body(x: ModdleElement | undefined): string | undefined {
  return x && typeof x.body === 'string' && x.body.trim() ? x.body.trim() : undefined;
}
export function camunda(el: Pick<ModdleElement, 'get'> | undefined, name: string): string | undefined {
  const v = el?.get ? el.get(`camunda:${name}`) : undefined;
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

/**
 * A moddle element as the deployment check (model.ts) and the compiler read it: bpmn-moddle ships no types, so
 * this states the properties read, each optional where BPMN XML may leave it out.
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
  parallelMultiple?: boolean;
  extensionElements?: { values?: ModdleElement[] };
  default?: ModdleElement;
  attachedToRef?: ModdleElement;
  cancelActivity?: boolean;
  isInterrupting?: boolean;
  isForCompensation?: boolean;
  startQuantity?: unknown;
  completionQuantity?: unknown;
  gatewayDirection?: string;
  activationCondition?: ModdleElement;
  calledElement?: unknown;
  artifacts?: ModdleElement[];
  // ad-hoc subprocesses
  ordering?: string;
  cancelRemainingInstances?: boolean;
  // camunda extension elements: camunda:In / camunda:Out, camunda:InputOutput and its parameters' values
  variables?: unknown;
  source?: unknown;
  sourceExpression?: unknown;
  target?: unknown;
  local?: unknown;
  businessKey?: unknown;
  inputParameters?: ModdleElement[];
  outputParameters?: ModdleElement[];
  definition?: ModdleElement;
  value?: unknown;
  items?: ModdleElement[];
  entries?: ModdleElement[];
  key?: unknown;
  // event definitions
  condition?: ModdleElement;
  timeDate?: ModdleElement;
  timeDuration?: ModdleElement;
  timeCycle?: ModdleElement;
  errorRef?: ModdleElement & { errorCode?: string };
  escalationRef?: ModdleElement & { escalationCode?: string };
  activityRef?: ModdleElement;
  waitForCompletion?: boolean;
  // loop characteristics (§13.2.6, §13.2.7)
  isSequential?: boolean;
  loopDataInputRef?: ModdleElement;
  inputDataItem?: ModdleElement;
  loopMaximum?: unknown;
  testBefore?: boolean;
  behavior?: string;
  complexBehaviorDefinition?: Array<{ condition?: ModdleElement; event?: ModdleElement }>;
  noneBehaviorEventRef?: ModdleElement;
  oneBehaviorEventRef?: ModdleElement;
}
