import { MAX_XML_BYTES, structureProblem, xmlSafetyProblem } from '../engine/index.js';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const camunda = require('camunda-bpmn-moddle/resources/camunda.json') as object;
const tthc = require('./tthc-moddle.json') as object;

export { MAX_XML_BYTES };

/** A moddle element: typed loosely on purpose, the rules read only a few properties. */
export interface ModdleElement {
  $type: string;
  id?: string;
  name?: string;
  $parent?: ModdleElement;
  $attrs?: Record<string, string>;
  get(name: string): unknown;
  [key: string]: unknown;
}

export interface ParsedBpmn {
  definitions: ModdleElement;
  /** Parser warnings (unknown elements, unresolved references). */
  warnings: string[];
}

/** Input that is not a BPMN document at all: callers answer 400 (or a finding), never 500. */
export class BpmnInputError extends Error {
  constructor(readonly code: 'too-large' | 'not-xml' | 'doctype' | 'not-bpmn' | 'too-deep', message: string) {
    super(message);
  }
}

interface Moddle {
  fromXML(xml: string, typeName?: string): Promise<{ rootElement: unknown; warnings: Array<{ message: string }> }>;
  toXML(element: unknown, options?: { format?: boolean }): Promise<{ xml: string }>;
}

// bpmn-moddle ships no type declarations NodeNext can find; a string specifier keeps it untyped
// here instead of declaring the module globally (which would clash with other areas' imports).
const MODDLE_PKG = 'bpmn-moddle';
const { BpmnModdle } = (await import(MODDLE_PKG)) as { BpmnModdle: new (packages: object) => Moddle };

function createModdle(): Moddle {
  return new BpmnModdle({ camunda, tthc });
}

const shared = createModdle();

/**
 * Parses BPMN 2.0 XML with the camunda and tthc extensions. DOCTYPE and entity declarations
 * are refused outright (entity expansion and external entities have no place in a process model).
 */
export async function parseBpmn(xml: unknown): Promise<ParsedBpmn> {
  if (typeof xml !== 'string' || !xml.trim()) throw new BpmnInputError('not-xml', 'The process model is empty');
  const unsafe = xmlSafetyProblem(xml);
  if (unsafe) throw new BpmnInputError(unsafe.kind, unsafe.message);
  if (!xml.trimStart().startsWith('<')) throw new BpmnInputError('not-xml', 'The process model is not XML');
  // Before the parser and every recursive walk: deep nesting is refused, not a stack overflow.
  const shape = structureProblem(xml);
  if (shape) throw new BpmnInputError(shape.code, shape.message);
  let result: { rootElement: unknown; warnings: Array<{ message: string }> };
  try {
    result = (await shared.fromXML(xml, 'bpmn:Definitions'));
  } catch (err) {
    throw new BpmnInputError('not-bpmn', `Not a BPMN 2.0 document: ${(err as Error).message.split('\n')[0]}`);
  }
  const definitions = result.rootElement as ModdleElement | undefined;
  if (!definitions || definitions.$type !== 'bpmn:Definitions') {
    throw new BpmnInputError('not-bpmn', 'Not a BPMN 2.0 document: the root element must be bpmn:definitions');
  }
  return { definitions, warnings: result.warnings.map((w) => w.message) };
}

export function isType(el: { $type: string } | undefined, ...types: string[]): boolean {
  if (!el) return false;
  const anyEl = el as unknown as { $instanceOf?: (t: string) => boolean };
  return types.some((t) => (anyEl.$instanceOf ? anyEl.$instanceOf(t) : el.$type === t));
}
