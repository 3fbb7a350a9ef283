/**
 * The namespace of our BPMN extension attributes (`tthc:budget`, …), as the moddle descriptor
 * server/validation/tthc-moddle.json declares it. Import-free: the designer bundles this file too.
 */
export const TTHC_NS = 'http://tthc-platform.github.io/schema/1.0/bpmn';
