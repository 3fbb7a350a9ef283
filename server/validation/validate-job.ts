import { parseDefinitions, type Interpreter } from '../engine/model.js';
import { createValidator } from './index.js';
import type { ProcedureRules, ValidationResult } from './types.js';

/** What a pool thread is asked: validate a model, or compile it for deployment. */
export type ValidationJob =
  | { kind: 'validate'; xml: string; procedure?: ProcedureRules; engineCheck: boolean; interpreter?: Interpreter }
  | { kind: 'compile'; xml: string; interpreter?: Interpreter };

export async function runJob(job: ValidationJob): Promise<unknown> {
  if (job.kind === 'compile') return parseDefinitions(job.xml, job.interpreter);
  const validator = createValidator(job.engineCheck
    ? { checkDeployable: async (xml) => (await parseDefinitions(xml, job.interpreter)).findings }
    : {});
  const out: ValidationResult = await validator.validate(job.xml, job.procedure, { engineCheck: job.engineCheck });
  return out;
}
