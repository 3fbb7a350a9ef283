import StepPropertiesProvider from './StepPropertiesProvider.js';

export default {
  __init__: ['tthcStepPropertiesProvider'],
  tthcStepPropertiesProvider: ['type', StepPropertiesProvider],
};
