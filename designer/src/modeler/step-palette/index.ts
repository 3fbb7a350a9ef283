import StepPalette from './StepPalette.js';
import ReminderBehavior from './ReminderBehavior.js';

export default {
  __init__: ['tthcStepPalette', 'tthcReminderBehavior'],
  tthcStepPalette: ['type', StepPalette],
  tthcReminderBehavior: ['type', ReminderBehavior],
};
