import type { CompileKey, FindingParams } from '../engine/index.js';

type Severity = 'error' | 'warning';

/** One validation result, shown the same way by the server and the designer. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  elementId?: string;
  message: { vi: string; en: string };
}

export interface LongestPath {
  totalHours: number;
  limitHours?: number;
  elementIds: string[];
}

export interface ValidationResult {
  findings: Finding[];
  longestPath: LongestPath;
  /** What the pool's fact extractors found in the model (validated on a pool thread only). */
  facts?: Record<string, unknown>;
}

/** What the domain rules need to know about the procedure the process belongs to. */
export interface ProcedureRules {
  limit?: { value: number; unit: 'days' | 'hours' };
  requiresSupplementPath?: boolean;
  requiresRefusalPath?: boolean;
}

/** One engine refusal: English `message`, and (from the engine's compiler) its key and parameters for the other language. */
interface EngineFinding { elementId?: string; message: string; key?: CompileKey; params?: FindingParams }

/** Engine-side deployability check (script tasks, unsupported gateways, unparseable expressions). */
export type DeployabilityCheck = (xml: string) => Promise<EngineFinding[]> | EngineFinding[];
