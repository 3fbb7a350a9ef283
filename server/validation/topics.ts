/**
 * External-task topics the platform's workers handle. A process may only use these:
 * a task on any other topic would wait forever. The workers import this same list.
 */
export const WORKER_TOPICS = [
  'tthc.remind-before-due',
  'tthc.consultation.request',
  'tthc.consultation.overdue',
  'tthc.overdue.escalate',
  'tthc.apology.issue',
  'tthc.notify-citizen',
  'tthc.sync-national-portal',
] as const;

/** Roles a candidate group may name; resolved to people in the dossier's unit at run time. */
export const TASK_ROLES = ['one-stop-officer', 'specialist', 'division-head', 'leader', 'clerical'] as const;
