import { catalogueKeys, messageCatalogue } from '../http/errors.js';

/** Every refusal of consultations (lấy ý kiến) a person reads, by key, in Vietnamese and English. */
const CONSULTATION_MESSAGES = {
  'consultations.stepKey': { vi: 'mã bước chỉ gồm chữ, số và . _ : -', en: 'step id: letters, digits and . _ : - only' },
  'consultations.opinion': {
    vi: 'ý kiến: đồng ý, đồng ý có điều kiện hoặc không đồng ý (agree | agree_with_conditions | disagree)',
    en: 'opinion: agree, agree with conditions or disagree (agree | agree_with_conditions | disagree)',
  },
  'consultations.agencyId': { vi: 'mã: chữ thường, số và -', en: 'id: lower-case letters, digits and -' },
  'consultations.notAnId': { vi: 'mã đề nghị không hợp lệ', en: 'not a consultation id' },
  'consultations.documentsNotJson': { vi: 'documents: không phải JSON hợp lệ', en: 'documents: not valid JSON' },
  'consultations.textRequired': { vi: 'text: cần nội dung ý kiến trả lời', en: 'text: the reply text is required' },
  'consultations.noFileStore': { vi: 'Chưa cấu hình kho tệp', en: 'File storage is not configured' },
  'consultations.receivedFuture': { vi: 'receivedAt: ngày nhận trả lời không được ở tương lai', en: 'receivedAt: the reply cannot be received in the future' },
  'consultations.notFound': { vi: 'Không tìm thấy đề nghị lấy ý kiến {id}', en: 'Consultation {id} not found' },
  'consultations.onlyRequesterByHand': {
    vi: 'Chỉ cán bộ của đơn vị đề nghị mới được ghi nhận ý kiến trả lời của cơ quan ngoài hệ thống',
    en: 'Only staff of the requesting unit may record an outside agency\'s reply',
  },
  'consultations.onlyConsulted': { vi: 'Chỉ cán bộ của đơn vị được lấy ý kiến mới được trả lời', en: 'Only staff of the consulted unit may reply' },
  'consultations.alreadyAnswered': { vi: 'Đề nghị lấy ý kiến này đã được trả lời lúc {at}', en: 'This consultation was already answered at {at}' },
  'consultations.lateNeedsExplanation': {
    vi: 'explanation: Trả lời sau hạn ({due}) phải kèm văn bản giải trình lý do chậm trễ',
    en: 'explanation: a reply after the deadline ({due}) requires a written explanation of the delay',
  },
  'consultations.noAgency': { vi: 'Bước {step} không có cơ quan được lấy ý kiến (tthc:consultAgency)', en: 'Step {step} names no consulted agency (tthc:consultAgency)' },
  'consultations.unknownAgency': { vi: 'Không có đơn vị hoặc cơ quan "{agency}" để lấy ý kiến', en: 'Unknown consulted unit or agency "{agency}"' },
  'consultations.badDeadline': {
    vi: 'Hạn trả lời "{deadline}" không phải thời gian làm việc (ví dụ "5d", "4h")',
    en: 'The reply deadline "{deadline}" is not a working-time duration (e.g. "5d", "4h")',
  },
  'consultations.noRequestingUnit': { vi: 'requestingUnitId: không xác định được đơn vị đề nghị', en: 'requestingUnitId: the requesting unit is unknown' },
  'consultations.notItself': { vi: 'Không lấy ý kiến chính đơn vị mình', en: 'A unit does not consult itself' },
  'consultations.dueNotInstant': { vi: 'dueAt: cần thời điểm ISO-8601', en: 'dueAt: an ISO-8601 instant is required' },
  'consultations.receivedNotInstant': { vi: 'receivedAt: cần thời điểm ISO-8601', en: 'receivedAt: an ISO-8601 instant is required' },
  'consultations.answersItself': {
    vi: 'Đơn vị được lấy ý kiến có trên hệ thống và tự trả lời; không ghi nhận thay',
    en: 'The consulted unit is on the platform and answers itself; its reply cannot be recorded for it',
  },
  'consultations.fileNotFound': { vi: 'Không tìm thấy tệp', en: 'File not found' },
  'consultations.agencyIsUnit': { vi: '"{id}" là một đơn vị trên hệ thống', en: '"{id}" is a unit on the platform' },
} as const;

export const consultationError = messageCatalogue(CONSULTATION_MESSAGES);
/** A key of this catalogue as a zod message. */
export const consultationKey = catalogueKeys(CONSULTATION_MESSAGES);
