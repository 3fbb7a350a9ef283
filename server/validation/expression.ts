import { expressionProblem } from '../engine/index.js';

/**
 * Checks that a condition is an expression the engine can evaluate: written as `${…}` (or `#{…}`),
 * parsed by the engine's own expression parser (variables, literals, comparisons, boolean and
 * conditional operators; no method calls). Returns why not in both languages, or undefined when fine.
 */
export function checkExpression(text: string): { vi: string; en: string } | undefined {
  if (!/^\s*[$#]\{[\s\S]*\}\s*$/.test(text)) return { vi: 'điều kiện phải viết dưới dạng ${…}', en: 'a condition must be written as ${…}' };
  return expressionProblem(text.trim()) ?? undefined;
}
