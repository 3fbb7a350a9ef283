/** The staff tasklist: tabs over the engine's open tasks, hand-overs, outcomes, live updates. */
export { createTasksService } from './service.js';
export { createTasksRouter } from './router.js';
export { createTaskEvents } from './events.js';
export { createStepCatalog } from './outcomes.js';
export { OutcomeFormatError, parseOutcomes } from './outcome-format.js';
export { createTimeline } from './timeline.js';
export { createTimelineRouter } from './timeline-router.js';
