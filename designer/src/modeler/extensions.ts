import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import tthcModdle from '../../../server/validation/tthc-moddle.json' with { type: 'json' };

/** Moddle packages every canvas (modeler and viewers) reads: Camunda 7 and our tthc:* attributes. */
export const moddleExtensions = { camunda: camundaModdle, tthc: tthcModdle };
