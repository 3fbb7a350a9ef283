import { messageCatalogue } from '../http/errors.js';

/** Every refusal of the work queue (claim, assign, release, complete) a person reads, by key, in Vietnamese and English. */
const TASK_MESSAGES = {
  'tasks.notFound': { vi: 'Không tìm thấy công việc {id}', en: 'Task {id} not found' },
  'tasks.alreadyCompleted': { vi: 'Công việc đã được {by} hoàn thành', en: 'The task was already completed by {by}' },
  'tasks.alreadyCompletedByOther': { vi: 'Công việc đã được người khác hoàn thành', en: 'The task was already completed by someone else' },
  'tasks.alreadyClaimedByOther': { vi: 'Công việc đã được người khác nhận', en: 'The task was already claimed by someone else' },
  'tasks.justReleased': { vi: 'Công việc vừa được trả lại, chưa giao cho ai', en: 'The task was just released and is assigned to nobody' },
  'tasks.alreadyClaimed': { vi: 'Công việc đã được {by} nhận', en: 'The task was already claimed by {by}' },
  'tasks.noLongerOpen': { vi: 'Công việc không còn chờ xử lý', en: 'The task is no longer open' },
  'tasks.mayNotRelease': { vi: 'Chỉ người đang giữ hoặc trưởng phòng được trả lại công việc', en: 'Only the assignee or a division head may release the task' },
  'tasks.mayNotAssign': { vi: 'Chỉ trưởng phòng của đơn vị được phân công', en: 'Only a division head of the unit may assign' },
  'tasks.justReassigned': { vi: 'Công việc vừa được giao cho {to}', en: 'The task was just reassigned to {to}' },
  'tasks.notACandidate': { vi: '{username} không giữ vai trò {roles} tại đơn vị {unit}', en: '{username} does not hold the role {roles} in unit {unit}' },
  'tasks.reassignReason': { vi: 'Giao lại cần nêu lý do', en: 'A reassignment needs a reason' },
  'tasks.assignedToOther': { vi: 'Công việc đang do {by} xử lý', en: 'The task is assigned to {by}' },
  'tasks.outcomeRequired': { vi: 'Cần chọn kết quả xử lý: {outcomes}', en: 'Choose an outcome: {outcomes}' },
  'tasks.unknownOutcome': { vi: 'Bước "{step}" không có kết quả \'{outcome}\' (chỉ: {allowed})', en: 'Step "{step}" has no outcome \'{outcome}\' (only: {allowed})' },
  'tasks.noOutcomes': { vi: 'Bước "{step}" không có kết quả \'{outcome}\'', en: 'Step "{step}" declares no outcome \'{outcome}\'' },
  'tasks.outcomeNeedsReason': { vi: 'Kết quả "{outcome}" cần nêu lý do', en: 'The outcome "{outcome}" needs a reason' },
  'tasks.unknownDocuments': { vi: 'Tài liệu không thuộc hồ sơ này: {ids}', en: 'Documents not attached to this dossier: {ids}' },
  'tasks.dossierNotFound': { vi: 'Không tìm thấy hồ sơ {id}', en: 'Dossier {id} not found' },
} as const;

export const taskError = messageCatalogue(TASK_MESSAGES);
