import { catalogueKeys, messageCatalogue, textCatalogue } from '../http/errors.js';

/** Every refusal of apologies, extensions and reminders (mẫu 04) a person reads, by key, in Vietnamese and English. */
const DEADLINE_MESSAGES = {
  'deadlines.notInstant': {
    vi: '{field}: cần thời điểm ISO-8601 có múi giờ, ví dụ 2026-03-02T17:00:00+07:00',
    en: '{field}: an ISO-8601 instant with an offset is required, e.g. 2026-03-02T17:00:00+07:00',
  },
  'deadlines.reasonRequired': { vi: 'reason: cần nêu lý do chậm trễ', en: 'reason: the reason for the delay is required' },
  'deadlines.signerRequired': { vi: 'signedBy: cần người ký thư xin lỗi', en: 'signedBy: the signer is required' },
  'deadlines.notAfterOriginal': { vi: 'newDueAt: ngày hẹn mới phải sau hạn ban đầu {original}', en: 'newDueAt: the new date must be after the original due date {original}' },
  'deadlines.beyondMaximum': { vi: 'newDueAt: ngày hẹn mới vượt quá thời hạn tối đa ({latest})', en: 'newDueAt: the new date is beyond the statutory maximum ({latest})' },
  'deadlines.alreadyExtended': {
    vi: 'Hồ sơ {code} đã được gia hạn một lần (đến {until}); không gia hạn lần thứ hai',
    en: 'Dossier {code} was already extended once (to {until}); it cannot be extended again',
  },
  'deadlines.giveDelayReason': { vi: 'nêu lý do chậm trễ', en: 'give the reason for the delay' },
  'deadlines.newDueInstant': { vi: 'cần thời điểm ISO-8601 có múi giờ', en: 'an ISO-8601 instant with an offset is required' },
  'deadlines.notApologyStep': { vi: 'Công việc này không phải bước lập thư xin lỗi', en: 'This task is not the apology step' },
  'deadlines.taskNotFound': { vi: 'Không tìm thấy công việc {id}', en: 'Task {id} not found' },
  'deadlines.noDueDate': { vi: 'Hồ sơ {code} chưa có hạn giải quyết', en: 'Dossier {code} has no due date' },
  'deadlines.noApology': {
    vi: 'Hồ sơ {code} chưa có thư xin lỗi và hẹn lại ngày trả kết quả',
    en: 'Dossier {code} has no apology (form 04) on record',
  },
} as const;

export const deadlineError = messageCatalogue(DEADLINE_MESSAGES);
/** A key of this catalogue as a zod message. */
export const deadlineKey = catalogueKeys(DEADLINE_MESSAGES);

/** A reminder item a worker sent malformed: its own error, in English (workers log it), with its key. */
const REMINDER_ERRORS = {
  'deadlines.reminder.noCode': { vi: 'dossierCode: cần mã hồ sơ', en: 'dossierCode: the dossier code is required' },
  'deadlines.reminder.badDue': { vi: 'dueAt: cần thời điểm ISO-8601 có múi giờ', en: 'dueAt: an ISO-8601 instant with an offset is required' },
  'deadlines.reminder.noUnit': { vi: 'unitId: cần đơn vị', en: 'unitId: the unit is required' },
} as const;

export const reminderError = textCatalogue(REMINDER_ERRORS);
