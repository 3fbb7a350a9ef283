import Modeler from 'bpmn-js/lib/Modeler.js';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule } from 'bpmn-js-properties-panel';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import { moddleExtensions } from './extensions.js';
import translateModule from './translate/index.js';
import stepPropertiesModule from './step-properties/index.js';
import stepPaletteModule from './step-palette/index.js';
import liveValidationModule from './live-validation/index.js';
import makeRoomModule from './make-room/index.js';
import tthcModeModule from './tthc-mode/index.js';
import type { LiveValidationConfig } from './live-validation/LiveValidation.js';

/** `advanced`: the properties panel shows the Camunda engine internals too (administrators). */
export function createModeler(opts: { container: HTMLElement; propertiesParent: HTMLElement; validation: LiveValidationConfig; advanced?: boolean }): Modeler {
  return new Modeler({
    container: opts.container,
    // The official's fields open at once; the rest stays folded.
    propertiesPanel: { parent: opts.propertiesParent, layout: { groups: { 'tthc-step': { open: true }, general: { open: true } } } },
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule,
      translateModule, stepPropertiesModule, stepPaletteModule, liveValidationModule, makeRoomModule, tthcModeModule,
    ],
    tthcMode: { advanced: !!opts.advanced },
    moddleExtensions,
    tthcValidation: opts.validation,
  });
}
