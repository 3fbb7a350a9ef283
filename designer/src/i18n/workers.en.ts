/** The notification bell and the incidents page (English). */
export const workersEn = {
  'bell.label': 'Notifications',
  'bell.unread': 'unread',
  'bell.empty': 'No notifications',
  'bell.readAll': 'Mark all read',
  'nav.incidents': 'Worker incidents',
  'incidents.title': 'Incidents of external-task workers',
  'incidents.empty': 'No incidents.',
  'incidents.dossier': 'Dossier',
  'incidents.step': 'Step',
  'incidents.topic': 'Topic',
  'incidents.error': 'Error',
  'incidents.since': 'Since',
  'incidents.retry': 'Retry',
  'incidents.retried': 'Retries reset; a worker will pick the task up again.',
} as const;
