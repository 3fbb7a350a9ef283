/**
 * Structural limits of a deployable model, checked before anything recursive touches it
 * (moddle, the model walk, bpmn-engine): a hostile model must get a finding, not a stack overflow
 * at deployment or an instance that dies later.
 */

/** The largest BPMN document accepted anywhere: drafts, validation, engine deployments (real ones are a few hundred KB). */
export const MAX_XML_BYTES = 2 * 1024 * 1024;

/**
 * The one safety check before any parser sees a BPMN text: its size, then DOCTYPE and ENTITY declarations
 * (external entities, billion laughs), which have no place in a process model.
 */
export function xmlSafetyProblem(xml: string): { kind: 'too-large' | 'doctype'; message: string } | null {
  if (Buffer.byteLength(xml, 'utf8') > MAX_XML_BYTES) return { kind: 'too-large', message: `The process model exceeds ${MAX_XML_BYTES / 1024 / 1024} MB` };
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return { kind: 'doctype', message: 'XML with a DOCTYPE or ENTITY declaration is not accepted' };
  return null;
}

/** Sub-processes inside sub-processes: real procedures use 2–3; 10 is generous. */
export const MAX_SUBPROCESS_DEPTH = 10;
/** XML element nesting of the whole document (definitions, process, sub-processes, extensions, diagram). */
const MAX_XML_DEPTH = 64;
/**
 * XML elements of the whole document (flow elements, their extensions and diagram shapes: about
 * four per step). Real procedures have tens of steps (seed models: under 200 elements); 20,000
 * admits some 4,000 steps and keeps one model's validation to a bounded piece of a worker's time.
 */
export const MAX_XML_ELEMENTS = 20_000;

/**
 * The deepest element nesting of an XML text, by a linear scan (no recursion, no parser), or
 * stops counting once past `stopAt`. Comments, CDATA, processing instructions and declarations
 * do not count.
 */
export function xmlDepth(xml: string, stopAt = Infinity): number {
  return xmlShape(xml, stopAt).depth;
}

/** Deepest nesting and number of elements, in one linear scan; stops once either passes its limit. */
export function xmlShape(xml: string, stopDepth = Infinity, stopElements = Infinity): { depth: number; elements: number } {
  let depth = 0;
  let max = 0;
  let elements = 0;
  let i = xml.indexOf('<');
  while (i !== -1 && i < xml.length) {
    const c = xml[i + 1];
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      i = end === -1 ? -1 : xml.indexOf('<', end + 3);
      continue;
    }
    if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9);
      i = end === -1 ? -1 : xml.indexOf('<', end + 3);
      continue;
    }
    const close = xml.indexOf('>', i + 1);
    if (close === -1) break;
    if (c === '/') depth--;
    else if (c !== '?' && c !== '!') {
      if (++elements > stopElements) return { depth: max, elements };
      if (xml[close - 1] !== '/') {
        depth++;
        if (depth > max) {
          max = depth;
          if (max > stopDepth) return { depth: max, elements };
        }
      }
    }
    i = xml.indexOf('<', close + 1);
  }
  return { depth: max, elements };
}

/** What is wrong with a model's nesting or size (the limit passed in `max`), or null. */
export function structureProblem(xml: string): { code: 'too-deep' | 'too-large'; message: string; max: number } | null {
  const s = xmlShape(xml, MAX_XML_DEPTH, MAX_XML_ELEMENTS);
  if (s.depth > MAX_XML_DEPTH) return { code: 'too-deep', message: `The model nests elements deeper than ${MAX_XML_DEPTH} levels`, max: MAX_XML_DEPTH };
  if (s.elements > MAX_XML_ELEMENTS) return { code: 'too-large', message: `The model has more than ${MAX_XML_ELEMENTS} XML elements`, max: MAX_XML_ELEMENTS };
  return null;
}
