import { TTHC_URI } from './model.js';

/**
 * Files from other tools sometimes bind a prefix we use to another namespace (a MIWG model binds
 * `camunda:` to http://activiti.org/bpmn). moddle-xml then cannot export the document ("no namespace
 * uri given for prefix <ns0>"), so such prefixes are renamed before import. Nothing else changes.
 */
const RESERVED: Record<string, string> = {
  bpmn: 'http://www.omg.org/spec/BPMN/20100524/MODEL',
  bpmndi: 'http://www.omg.org/spec/BPMN/20100524/DI',
  dc: 'http://www.omg.org/spec/DD/20100524/DC',
  di: 'http://www.omg.org/spec/DD/20100524/DI',
  camunda: 'http://camunda.org/schema/1.0/bpmn',
  tthc: TTHC_URI,
};

export function renameConflictingPrefixes(xml: string): { xml: string; renamed: string[] } {
  const renamed: string[] = [];
  let out = xml;
  for (const m of xml.matchAll(/xmlns:([\w.-]+)\s*=\s*"([^"]*)"/g)) {
    const [, prefix, uri] = m as unknown as [string, string, string];
    const expected = RESERVED[prefix];
    if (!expected || expected === uri) continue;
    let alias = `${prefix}_${renamed.length + 1}`;
    while (out.includes(`${alias}:`)) alias += '_';
    // Prefixes occur in tag names (<p:x, </p:x), attribute names ( p:x=) and the declaration.
    out = out
      .replace(new RegExp(`xmlns:${prefix}(\\s*=)`, 'g'), `xmlns:${alias}$1`)
      .replace(new RegExp(`(<\\/?)${prefix}:`, 'g'), `$1${alias}:`)
      .replace(new RegExp(`(\\s)${prefix}:([\\w.-]+\\s*=)`, 'g'), `$1${alias}:$2`);
    renamed.push(`${prefix}→${alias}`);
  }
  return { xml: out, renamed };
}
