import { parseDefinitions, type Interpreter } from '../engine/index.js';
import { createValidator } from './index.js';
import type { ModdleElement } from './moddle.js';
import type { ProcedureRules, ValidationResult } from './types.js';

/** What a pool thread is asked: validate a model, or compile it for deployment. */
export type ValidationJob =
  | { kind: 'validate'; xml: string; procedure?: ProcedureRules; engineCheck: boolean; interpreter?: Interpreter; facts?: Record<string, FactSource> }
  | { kind: 'compile'; xml: string; interpreter?: Interpreter };

/** A module whose export takes the parsed model and returns plain data (e.g. the consultation steps). */
export interface FactSource { module: string; name: string }
type Extractor = (definitions: ModdleElement) => unknown;
const extractors = new Map<string, Extractor>();

async function extractor(src: FactSource): Promise<Extractor> {
  const key = `${src.module}#${src.name}`;
  let fn = extractors.get(key);
  if (!fn) {
    fn = (await import(src.module) as Record<string, Extractor>)[src.name]!;
    if (typeof fn !== 'function') throw new Error(`${key} is not a function`);
    extractors.set(key, fn);
  }
  return fn;
}

export async function runJob(job: ValidationJob): Promise<unknown> {
  if (job.kind === 'compile') return parseDefinitions(job.xml, job.interpreter);
  const validator = createValidator(job.engineCheck
    ? { checkDeployable: async (xml) => (await parseDefinitions(xml, job.interpreter)).findings }
    : {});
  const sources = Object.entries(job.facts ?? {});
  const fns = await Promise.all(sources.map(([, src]) => extractor(src)));
  let facts: Record<string, unknown> | undefined;
  const out: ValidationResult = await validator.validate(job.xml, job.procedure, {
    engineCheck: job.engineCheck,
    inspect: (definitions) => { facts = Object.fromEntries(sources.map(([name], i) => [name, fns[i]!(definitions)])); },
  });
  return facts ? { ...out, facts } : out;
}
