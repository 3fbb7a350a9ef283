/**
 * Checks that a condition is an expression the engine can evaluate: `${…}` holding
 * variable paths, literals, comparisons and boolean operators, and nothing else
 * (no method calls, no assignments, no script). Returns an error text, or undefined when fine.
 */
export function checkExpression(text: string): string | undefined {
  const m = /^\s*\$\{([\s\S]*)\}\s*$/.exec(text);
  if (!m) return 'a condition must be written as ${…}';
  let tokens: string[];
  try {
    tokens = tokenize(m[1]!);
  } catch (err) {
    return (err as Error).message;
  }
  if (!tokens.length) return 'the expression is empty';
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => tokens[pos++];
  const BIN = new Set(['||', '&&', 'or', 'and', '==', '!=', '<', '>', '<=', '>=', 'eq', 'ne', 'lt', 'gt', 'le', 'ge', '+', '-', '*', '/']);

  function unary(): void {
    const t = peek();
    if (t === '!' || t === 'not' || t === '-' || t === 'empty') { take(); unary(); return; }
    primary();
  }
  function primary(): void {
    const t = take();
    if (t === undefined) throw new Error('the expression ends too early');
    if (t === '(') {
      expr();
      if (take() !== ')') throw new Error('a parenthesis is not closed');
      return;
    }
    if (/^(['"]).*\1$/s.test(t) || /^\d+(\.\d+)?$/.test(t)) return;
    if (/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(t)) {
      if (peek() === '(') throw new Error(`function calls are not supported: ${t}(…)`);
      return;
    }
    throw new Error(`unexpected "${t}"`);
  }
  function expr(): void {
    unary();
    while (peek() !== undefined && BIN.has(peek()!)) { take(); unary(); }
  }
  try {
    expr();
    if (pos < tokens.length) return `unexpected "${tokens[pos]}"`;
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\d+(?:\.\d+)?)|([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)|(==|!=|<=|>=|&&|\|\||[<>!()+\-*/]))/y;
  let i = 0;
  while (i < s.length) {
    if (/^\s*$/.test(s.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw new Error(`unexpected "${s.slice(i).trim().slice(0, 10)}"`);
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
    i = re.lastIndex;
  }
  return out;
}
