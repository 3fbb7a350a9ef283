import { lintXml } from './lint.js';
import { BpmnInputError, parseBpmn, type ModdleElement } from './moddle.js';
import { checkDomainRules } from './rules.js';
import { reasonText, type Interpreter } from '../engine/index.js';
import { xmlInputText, xmlWarningText } from './messages.js';
import { worthOffloading, type ValidationPool } from './pool.js';
import type { DeployabilityCheck, Finding, ProcedureRules, ValidationResult } from './types.js';

export { WORKER_TOPICS } from './topics.js';
export { DOMAIN_RULES } from './rules.js';
export { LINT_MESSAGES_VI, lintMode, stopLintWorker } from './lint.js';
export { BpmnInputError, isType, parseBpmn, MAX_XML_BYTES, type ModdleElement } from './moddle.js';
export { createValidationPool, worthOffloading } from './pool.js';
export { xmlInputText } from './messages.js';
export type { Finding, ValidationResult } from './types.js';

export interface Validator {
  /** Never throws for bad input: unparseable XML becomes a single `xml/parse` error finding. */
  /**
   * `engineCheck: false` skips the engine's own deployability check (it re-parses the model for
   * the engine, ~4× the cost of everything else): the designer's as-you-type path. The domain
   * rules already refuse what the engine refuses (script tasks, OR-joins, expressions); submit
   * always runs the full check.
   */
  validate(xml: unknown, procedure?: ProcedureRules, opts?: ValidateOptions): Promise<ValidationResult>;
}

interface ValidateOptions {
  engineCheck?: boolean;
  /** The user asking (the pool runs one large validation per owner at a time). */
  owner?: string;
  /** Sees the parsed model (where the validation runs), to gather facts other rules need. */
  inspect?: (definitions: ModdleElement) => void;
}

export interface ValidatorDeps {
  checkDeployable?: DeployabilityCheck;
  /**
   * Run the validation of a large model (`worthOffloading`) on this pool's threads instead of the server's event loop; the engine
   * check there compiles for `interpreter` (the engine's), as `checkDeployable` would. `owner`
   * (a user) is capped at the pool's per-owner concurrency (429 beyond it).
   */
  offload?: { pool: ValidationPool; interpreter?: Interpreter };
}

export function createValidator(deps: ValidatorDeps = {}): Validator {
  const offload = deps.offload;
  return {
    async validate(xml, procedure, opts = {}) {
      if (offload && typeof xml === 'string' && worthOffloading(xml)) {
        const engineCheck = opts.engineCheck !== false && !!deps.checkDeployable;
        return offload.pool.validate({ xml, procedure, engineCheck, interpreter: offload.interpreter }, opts.owner);
      }
      let parsed;
      try {
        parsed = await parseBpmn(xml);
      } catch (err) {
        if (!(err instanceof BpmnInputError)) throw err;
        return {
          findings: [{ ruleId: `xml/${err.code}`, severity: 'error', message: { vi: xmlInputText(err.code, err.message).vi, en: err.message } }],
          longestPath: { totalHours: 0, elementIds: [] },
        };
      }
      opts.inspect?.(parsed.definitions);
      const linting = lintXml(xml as string, parsed.definitions);
      const domain = checkDomainRules(parsed.definitions, procedure);
      const lint = await linting;
      const findings: Finding[] = [...lint, ...domain.findings];
      for (const w of parsed.warnings) {
        findings.push({ ruleId: 'xml/warning', severity: 'warning', message: xmlWarningText(w) });
      }
      if (deps.checkDeployable && opts.engineCheck !== false) {
        for (const f of await deps.checkDeployable(xml as string)) {
          const text = f.key ? reasonText({ key: f.key, params: f.params ?? {} }) : { vi: f.message, en: f.message };
          findings.push({ ruleId: 'engine/deployable', severity: 'error', elementId: f.elementId, message: { vi: `Máy thực thi không chạy được: ${text.vi}`, en: text.en } });
        }
      }
      return { findings, longestPath: domain.longestPath };
    },
  };
}

export const hasErrors = (findings: Finding[]) => findings.some((f) => f.severity === 'error');
