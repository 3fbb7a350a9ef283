/**
 * A small, safe evaluator for the JUEL subset Camunda Modeler writes: `${approved}`,
 * `${fee > 100000 && level == 'xa'}`, `#{a.b}`. Variables only: no eval, no Function,
 * no method calls, no access to JS globals or prototypes.
 */

type Token =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'id'; v: string }
  | { t: 'op'; v: string };

type Node =
  | { k: 'lit'; v: unknown }
  | { k: 'var'; name: string }
  | { k: 'prop'; obj: Node; name: Node }
  | { k: 'un'; op: string; a: Node }
  | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'cond'; c: Node; a: Node; b: Node }
  | { k: 'call'; obj: Node; method: string; args: Node[] };

/**
 * The few JUEL method calls models use on strings, lists and maps (`${test.contains("a")}`,
 * `${list.size() > 0}`): read-only, evaluated here, never dispatched to JavaScript.
 */
const METHODS: Record<string, number> = {
  contains: 1, startsWith: 1, endsWith: 1, equals: 1, equalsIgnoreCase: 1, containsKey: 1, get: 1,
  size: 0, length: 0, isEmpty: 0, toLowerCase: 0, toUpperCase: 0, trim: 0,
};

function callMethod(obj: unknown, method: string, args: unknown[]): unknown {
  const [a] = args;
  const str = typeof obj === 'string' ? obj : undefined;
  const list = Array.isArray(obj) ? obj : undefined;
  const map = obj !== null && typeof obj === 'object' && !list && !(obj instanceof Date) ? (obj as Record<string, unknown>) : undefined;
  switch (method) {
    case 'contains':
      if (str !== undefined) return str.includes(String(a));
      if (list) return list.some((x) => x === a);
      break;
    case 'startsWith': if (str !== undefined) return str.startsWith(String(a)); break;
    case 'endsWith': if (str !== undefined) return str.endsWith(String(a)); break;
    case 'equals': return obj === a;
    case 'equalsIgnoreCase': if (str !== undefined) return typeof a === 'string' && str.toLowerCase() === a.toLowerCase(); break;
    case 'containsKey': if (map) return Object.prototype.hasOwnProperty.call(map, String(a)); break;
    case 'get':
      if (list && typeof a === 'number') return list[a];
      if (map) return own(map, a);
      break;
    case 'size': case 'length':
      if (str !== undefined) return str.length;
      if (list) return list.length;
      if (map) return Object.keys(map).length;
      break;
    case 'isEmpty': if (str !== undefined || list || map) return isEmpty(obj); break;
    case 'toLowerCase': if (str !== undefined) return str.toLowerCase(); break;
    case 'toUpperCase': if (str !== undefined) return str.toUpperCase(); break;
    case 'trim': if (str !== undefined) return str.trim(); break;
  }
  const on = obj === null || obj === undefined ? 'null' : Array.isArray(obj) ? 'a list' : typeof obj;
  const onVi = on === 'null' ? 'giá trị rỗng (null)' : on === 'a list' ? 'một danh sách' : `giá trị kiểu ${on}`;
  throw new ExpressionError(`${method}() cannot be called on ${on}`, `không gọi được ${method}() trên ${onVi}`);
}

/** Why an expression cannot be read or evaluated: `message` in English, `vi` in Vietnamese (a refused model shows either). */
export class ExpressionError extends Error {
  constructor(message: string, readonly vi: string) { super(message); }
}

const WORD_OPS: Record<string, string> = {
  and: '&&', or: '||', not: '!', eq: '==', ne: '!=', lt: '<', gt: '>', le: '<=', ge: '>=', div: '/', mod: '%', empty: 'empty',
};
const KEYWORDS: Record<string, unknown> = { true: true, false: false, null: null };
const FORBIDDEN_PROPS = new Set(['__proto__', 'prototype', 'constructor']);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i))!;
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) { s += src[j + 1]; j += 2; continue; }
        s += src[j++];
      }
      if (j >= src.length) throw new ExpressionError('unterminated string literal', 'chuỗi ký tự chưa được đóng dấu nháy');
      out.push({ t: 'str', v: s });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_$\u00C0-\u1EF9]/.test(c)) {
      const m = /^[A-Za-z_$\u00C0-\u1EF9][\w$\u00C0-\u1EF9]*/.exec(src.slice(i))!;
      const w = m[0];
      if (w in WORD_OPS) out.push({ t: 'op', v: WORD_OPS[w]! });
      else out.push({ t: 'id', v: w });
      i += w.length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) { out.push({ t: 'op', v: two }); i += 2; continue; }
    if ('<>!+-*/%?:().[]'.includes(c)) { out.push({ t: 'op', v: c }); i++; continue; }
    throw new ExpressionError(`unexpected character '${c}'`, `ký tự không hợp lệ '${c}'`);
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  parse(): Node {
    const n = this.ternary();
    if (this.i < this.toks.length) throw new ExpressionError(`unexpected '${String(this.toks[this.i]!.v)}'`, `gặp '${String(this.toks[this.i]!.v)}' không đúng chỗ`);
    return n;
  }
  private peekOp(...ops: string[]): string | undefined {
    const t = this.toks[this.i];
    return t && t.t === 'op' && ops.includes(t.v) ? t.v : undefined;
  }
  private expectOp(op: string): void {
    if (!this.peekOp(op)) throw new ExpressionError(`expected '${op}'`, `thiếu '${op}'`);
    this.i++;
  }
  private ternary(): Node {
    const c = this.binary(0);
    if (this.peekOp('?')) {
      this.i++;
      const a = this.ternary();
      this.expectOp(':');
      const b = this.ternary();
      return { k: 'cond', c, a, b };
    }
    return c;
  }
  private static LEVELS = [['||'], ['&&'], ['==', '!='], ['<', '>', '<=', '>='], ['+', '-'], ['*', '/', '%']];
  private binary(level: number): Node {
    if (level >= Parser.LEVELS.length) return this.unary();
    let a = this.binary(level + 1);
    for (let op = this.peekOp(...Parser.LEVELS[level]!); op; op = this.peekOp(...Parser.LEVELS[level]!)) {
      this.i++;
      a = { k: 'bin', op, a, b: this.binary(level + 1) };
    }
    return a;
  }
  private unary(): Node {
    const op = this.peekOp('!', '-', 'empty');
    if (op) {
      this.i++;
      return { k: 'un', op, a: this.unary() };
    }
    return this.postfix();
  }
  private postfix(): Node {
    let n = this.primary();
    for (;;) {
      if (this.peekOp('.')) {
        this.i++;
        const t = this.toks[this.i++];
        if (!t || t.t !== 'id') throw new ExpressionError('expected a property name after "."', 'sau dấu "." phải là tên thuộc tính');
        if (this.peekOp('(')) {
          if (!(t.v in METHODS)) throw new ExpressionError(`method calls are not supported except ${Object.keys(METHODS).join(', ')} (on strings, lists and maps)`, `chỉ được gọi các phương thức ${Object.keys(METHODS).join(', ')} (trên chuỗi, danh sách và bảng)`);
          this.i++;
          const args: Node[] = [];
          if (!this.peekOp(')')) for (;;) { args.push(this.ternary()); if (!this.peekOp(',')) break; this.i++; }
          this.expectOp(')');
          if (args.length !== METHODS[t.v]) throw new ExpressionError(`${t.v}() takes ${METHODS[t.v]} argument(s)`, `${t.v}() nhận ${METHODS[t.v]} tham số`);
          n = { k: 'call', obj: n, method: t.v, args };
          continue;
        }
        n = { k: 'prop', obj: n, name: { k: 'lit', v: t.v } };
      } else if (this.peekOp('[')) {
        this.i++;
        const name = this.ternary();
        this.expectOp(']');
        n = { k: 'prop', obj: n, name };
      } else if (this.peekOp('(')) {
        throw new ExpressionError('method calls are not supported', 'không được gọi phương thức');
      } else return n;
    }
  }
  private primary(): Node {
    const t = this.toks[this.i++];
    if (!t) throw new ExpressionError('unexpected end of expression', 'biểu thức kết thúc giữa chừng');
    if (t.t === 'num' || t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'id') return t.v in KEYWORDS ? { k: 'lit', v: KEYWORDS[t.v] } : { k: 'var', name: t.v };
    if (t.v === '(') {
      const n = this.ternary();
      this.expectOp(')');
      return n;
    }
    throw new ExpressionError(`unexpected '${t.v}'`, `gặp '${t.v}' không đúng chỗ`);
  }
}

export type Vars = Readonly<Record<string, unknown>>;

function own(obj: unknown, key: unknown): unknown {
  if (obj === null || obj === undefined) return undefined;
  const k = String(key);
  if (FORBIDDEN_PROPS.has(k)) throw new ExpressionError(`property '${k}' is not accessible`, `không được truy cập thuộc tính '${k}'`);
  if (Array.isArray(obj) && k === 'length') return obj.length;
  if (typeof obj === 'string' && k === 'length') return obj.length;
  if (typeof obj !== 'object') return undefined;
  return Object.prototype.hasOwnProperty.call(obj, k) ? (obj as Record<string, unknown>)[k] : undefined;
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

function cmp(op: string, a: unknown, b: unknown): boolean {
  if (a instanceof Date) a = a.getTime();
  if (b instanceof Date) b = b.getTime();
  switch (op) {
    // JUEL compares numbers by value and other things by equality; never coerce via JS ==.
    case '==': return a === b || (a == null && b == null);
    case '!=': return !(a === b || (a == null && b == null));
    case '<': return (a as number) < (b as number);
    case '>': return (a as number) > (b as number);
    case '<=': return (a as number) <= (b as number);
    default: return (a as number) >= (b as number);
  }
}

function evalNode(n: Node, vars: Vars): unknown {
  switch (n.k) {
    case 'lit': return n.v;
    case 'var':
      if (!Object.prototype.hasOwnProperty.call(vars, n.name)) throw new ExpressionError(`Unknown property used in expression: ${n.name}`, `biểu thức dùng biến chưa có: ${n.name}`);
      return vars[n.name];
    case 'prop': return own(evalNode(n.obj, vars), evalNode(n.name, vars));
    case 'un': {
      const v = evalNode(n.a, vars);
      if (n.op === '!') return !v;
      if (n.op === 'empty') return isEmpty(v);
      return -(v as number);
    }
    case 'cond': return evalNode(n.c, vars) ? evalNode(n.a, vars) : evalNode(n.b, vars);
    case 'call': return callMethod(evalNode(n.obj, vars), n.method, n.args.map((x) => evalNode(x, vars)));
    case 'bin': {
      if (n.op === '&&') return Boolean(evalNode(n.a, vars)) && Boolean(evalNode(n.b, vars));
      if (n.op === '||') return Boolean(evalNode(n.a, vars)) || Boolean(evalNode(n.b, vars));
      const a = evalNode(n.a, vars);
      const b = evalNode(n.b, vars);
      switch (n.op) {
        case '+': return typeof a === 'string' || typeof b === 'string' ? String(a) + String(b) : (a as number) + (b as number);
        case '-': return (a as number) - (b as number);
        case '*': return (a as number) * (b as number);
        case '/': return (a as number) / (b as number);
        case '%': return (a as number) % (b as number);
        default: return cmp(n.op, a, b);
      }
    }
  }
}

interface Template { parts: Array<string | Node> }
const templateCache = new Map<string, Template>();

/** Parses a string that may contain `${…}` / `#{…}`; throws ExpressionError on bad syntax. */
function parseTemplate(text: string): Template {
  const hit = templateCache.get(text);
  if (hit) return hit;
  const parts: Array<string | Node> = [];
  let i = 0;
  while (i < text.length) {
    const start = text.slice(i).search(/[$#]\{/);
    if (start < 0) { parts.push(text.slice(i)); break; }
    if (start > 0) parts.push(text.slice(i, i + start));
    const open = i + start + 2;
    // Find the closing brace outside string literals.
    let j = open;
    let quote: string | null = null;
    for (; j < text.length; j++) {
      const c = text[j];
      if (quote) { if (c === '\\') j++; else if (c === quote) quote = null; } else if (c === '"' || c === "'") quote = c; else if (c === '}') break;
    }
    if (j >= text.length) throw new ExpressionError('missing closing "}"', 'thiếu dấu đóng "}"');
    const body = text.slice(open, j);
    if (!body.trim()) throw new ExpressionError('empty expression', 'biểu thức trống');
    parts.push(new Parser(tokenize(body)).parse());
    i = j + 1;
  }
  const t = { parts };
  if (templateCache.size > 5000) templateCache.clear();
  templateCache.set(text, t);
  return t;
}

export function hasExpression(text: string): boolean {
  return /[$#]\{/.test(text);
}

/** `${x}` alone returns x's value (any type); mixed text returns a string. */
export function evaluate(text: string, vars: Vars): unknown {
  const { parts } = parseTemplate(text);
  if (parts.length === 1 && typeof parts[0] !== 'string') return evalNode(parts[0]!, vars);
  return parts.map((p) => {
    if (typeof p === 'string') return p;
    const v = evalNode(p, vars);
    return v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
  }).join('');
}

/** Null when the text is valid; otherwise why not, in both languages. */
export function expressionProblem(text: string): { vi: string; en: string } | null {
  try {
    parseTemplate(text);
    return null;
  } catch (err) {
    return err instanceof ExpressionError ? { vi: err.vi, en: err.message } : { vi: String(err), en: String(err) };
  }
}
