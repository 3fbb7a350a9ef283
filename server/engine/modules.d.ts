// bpmn-moddle 10 ships no types; the engine only calls fromXML on it.
declare module 'bpmn-moddle';
