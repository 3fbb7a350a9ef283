import StepPropertiesProvider from './StepPropertiesProvider.js';
import RoleSyncBehavior from './RoleSyncBehavior.js';

export default {
  __init__: ['tthcStepPropertiesProvider', 'tthcRoleSyncBehavior'],
  tthcStepPropertiesProvider: ['type', StepPropertiesProvider],
  tthcRoleSyncBehavior: ['type', RoleSyncBehavior],
};
