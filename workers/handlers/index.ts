import type { Topic } from '../config.js';
import type { TopicHandler } from '../runner.js';
import { remindConsultation, requestConsultation } from './consult.js';
import { escalateOverdue, issueApology, remindBeforeDue } from './deadline.js';
import { notifyCitizen } from './notify.js';
import { syncNationalPortal } from './portal.js';

/** The handler of each topic. Topics without one here are not subscribed. */
export const HANDLERS: Partial<Record<Topic, TopicHandler>> = {
  'tthc.notify-citizen': notifyCitizen,
  'tthc.remind-before-due': remindBeforeDue,
  'tthc.apology.issue': issueApology,
  'tthc.overdue.escalate': escalateOverdue,
  'tthc.sync-national-portal': syncNationalPortal,
  'tthc.consultation.request': requestConsultation,
  'tthc.consultation.overdue': remindConsultation,
};
