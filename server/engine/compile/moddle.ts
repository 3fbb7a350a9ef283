/** Reading moddle elements (the parsed BPMN tree): shared by the compiler's files. */

export type El = any;

export function body(x: El): string | undefined {
  return x && typeof x.body === 'string' && x.body.trim() ? x.body.trim() : undefined;
}
export function camunda(el: El, name: string): string | undefined {
  const v = el?.get ? el.get(`camunda:${name}`) : undefined;
  return v === undefined || v === null || v === '' ? undefined : String(v);
}
