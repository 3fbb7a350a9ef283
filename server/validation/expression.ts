import { checkExpression as engineCheck } from '../engine/index.js';

/**
 * Checks that a condition is an expression the engine can evaluate: written as `${…}` (or `#{…}`),
 * parsed by the engine's own expression parser (variables, literals, comparisons, boolean and
 * conditional operators; no method calls). Returns an error text, or undefined when fine.
 */
export function checkExpression(text: string): string | undefined {
  if (!/^\s*[$#]\{[\s\S]*\}\s*$/.test(text)) return 'a condition must be written as ${…}';
  return engineCheck(text.trim()) ?? undefined;
}
