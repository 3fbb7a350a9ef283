/** The staff tasklist: tabs over the engine's open tasks, hand-overs, outcomes, live updates. */
export { createTasksService, type TasksService, type TaskView, type NearDue } from './service.js';
export { createTasksRouter } from './router.js';
export { createTaskEvents, TASKS_CHANNEL, type TaskEvents } from './events.js';
export { createStepCatalog, parseOutcomes, type Outcome, type StepCatalog } from './outcomes.js';
export { recordDossierFacts, maskName, type DossierFacts } from './dossier-facts.js';
export { tasksStore } from './store.js';
export { createTimeline, punctuality, type Timeline, type TimelineService, type HandOver, type TimelineEntry } from './timeline.js';
export { createTimelineRouter } from './timeline-router.js';
