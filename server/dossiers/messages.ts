import { catalogueKeys, messageCatalogue } from '../http/errors.js';

/** Every refusal of dossier reception and processing a person reads, by key, in Vietnamese and English. */
const DOSSIER_MESSAGES = {
  'dossiers.notADossierId': { vi: 'không phải mã hồ sơ hợp lệ', en: 'not a dossier id' },
  'dossiers.notAFileId': { vi: 'không phải mã tệp hợp lệ', en: 'not a file id' },
  'dossiers.notAProcedureId': { vi: 'không phải mã thủ tục hợp lệ', en: 'not a procedure id' },
  'dossiers.listOneItem': { vi: 'liệt kê ít nhất một giấy tờ', en: 'list at least one item' },
  'dossiers.oneReason': { vi: 'nêu ít nhất một lý do cụ thể', en: 'give at least one specific reason' },
  'dossiers.giveReason': { vi: 'nêu lý do', en: 'give the reason' },
  'dossiers.formFile': { vi: 'mẫu 01, 02, 03 hoặc 05 dạng .pdf hoặc .docx', en: 'form 01, 02, 03 or 05 as .pdf or .docx' },
  'dossiers.fullNameShort': { vi: 'họ tên quá ngắn', en: 'full name too short' },
  'dossiers.badEmail': { vi: 'email không hợp lệ', en: 'invalid email' },
  'dossiers.badPersonalId': { vi: 'số định danh cá nhân phải gồm đúng 12 chữ số', en: 'the personal ID number must be exactly 12 digits' },
  'dossiers.badTaxCode': { vi: 'mã số thuế phải gồm 10 chữ số (hoặc 10-3)', en: 'the tax code must be 10 digits (or 10-3)' },
  'dossiers.badPhone': { vi: 'số điện thoại không hợp lệ (0xxxxxxxxx)', en: 'invalid phone number (0 followed by 9 digits)' },
  'dossiers.notADate': { vi: '"{day}" không phải ngày hợp lệ', en: '"{day}" is not a valid date' },
  'dossiers.notACode': { vi: 'code: không đúng dạng <mã cơ quan>-<yyMMdd>-<số>', en: 'code: not a dossier code (<agency>-<yyMMdd>-<number>)' },
  'dossiers.noDossier': { vi: 'Không có hồ sơ {id}', en: 'No dossier {id}' },
  'dossiers.unitOutOfScope': { vi: 'Không có đơn vị {unit} trong phạm vi của bạn', en: 'Unit {unit} is not in your scope' },
  'dossiers.giveUnit': { vi: 'unitId: chọn đơn vị tiếp nhận', en: 'unitId: give the receiving unit' },
  'dossiers.unknownProcedure': { vi: 'procedureId: không có thủ tục {id}', en: 'procedureId: unknown procedure {id}' },
  'dossiers.procedureWithdrawn': { vi: 'procedureId: thủ tục {code} đã bị bãi bỏ', en: 'procedureId: procedure {code} has been withdrawn' },
  'dossiers.componentNotListed': {
    vi: '{field}: "{name}" không có trong thành phần hồ sơ đã công bố của thủ tục {code}',
    en: '{field}: "{name}" is not on the published component list of procedure {code}',
  },
  'dossiers.componentTwice': { vi: '{field}: "{name}" bị trùng', en: '{field}: "{name}" is listed twice' },
  'dossiers.receivedNotInstant': { vi: 'receivedAt: không phải thời điểm hợp lệ', en: 'receivedAt: not a valid instant' },
  'dossiers.receivedFuture': { vi: 'receivedAt: thời điểm tiếp nhận ở tương lai', en: 'receivedAt: the received time is in the future' },
  'dossiers.receivedTooOld': { vi: 'receivedAt: quá 30 ngày trước', en: 'receivedAt: more than 30 days ago' },
  'dossiers.noActiveProcess': {
    vi: 'Thủ tục {code} chưa có quy trình điện tử đang áp dụng ở cấp {level}',
    en: 'Procedure {code} has no active process at level {level}',
  },
  'dossiers.unknownUnit': { vi: 'unitId: không có đơn vị {unit}', en: 'unitId: unknown unit {unit}' },
  'dossiers.rateAfterReturn': { vi: 'Chỉ đánh giá được sau khi đã trả kết quả', en: 'You can rate only after the result was returned' },
  'dossiers.alreadyRated': { vi: 'Hồ sơ đã được đánh giá', en: 'This dossier was already rated' },
  'dossiers.idempotencyReused': { vi: 'Idempotency-Key đã dùng cho một hồ sơ khác', en: 'The Idempotency-Key was already used for another dossier' },
  'dossiers.listSupplement': { vi: 'supplement: liệt kê các giấy tờ cần bổ sung', en: 'supplement: list the items to supplement' },
  'dossiers.giveRefusalReasons': { vi: 'refusal.reasons: nêu rõ lý do từ chối', en: 'refusal.reasons: give the specific reasons' },
  'dossiers.supplementOnce': {
    vi: 'Hồ sơ đã được yêu cầu bổ sung một lần; chỉ được yêu cầu bổ sung một lần',
    en: 'A supplement was already requested once for this dossier',
  },
  'dossiers.extensionReason': { vi: 'reason: nêu lý do gia hạn', en: 'reason: give the reason for the new date' },
  'dossiers.notProcessing': { vi: 'Hồ sơ {code} không còn đang xử lý', en: 'Dossier {code} is not being processed' },
  'dossiers.clock.already-extended': { vi: 'Hồ sơ đã được hẹn lại một lần', en: 'The due date has already been extended once' },
  'dossiers.clock.already-paused': { vi: 'Thời gian giải quyết đang tạm dừng', en: 'The clock is already paused' },
  'dossiers.clock.not-paused': { vi: 'Thời gian giải quyết không tạm dừng', en: 'The clock is not paused' },
  'dossiers.clock.paused': { vi: 'Hãy tiếp tục tính thời gian trước khi hẹn lại', en: 'Resume the clock before extending it' },
  'dossiers.clock.extension-not-later': { vi: 'Ngày hẹn mới phải sau ngày hẹn hiện tại', en: 'The new due date must be later than the current one' },
  'dossiers.noUnit': { vi: 'Không có đơn vị {unit}', en: 'No unit {unit}' },
  'dossiers.badAgencyCode': { vi: 'agencyCode: 2–20 chữ in hoa, số hoặc dấu chấm', en: 'agencyCode: 2–20 capital letters, digits or dots' },
  'dossiers.agencyCodeTaken': { vi: 'Mã cơ quan {code} đã được dùng', en: 'Agency code {code} is taken' },
  'dossiers.reasonRequired': { vi: 'reason: nêu lý do', en: 'reason: give the reason' },
  'dossiers.supplementNotListed': {
    vi: 'supplement.items.{i}: "{name}" không có trong thành phần hồ sơ đã công bố',
    en: 'supplement.items.{i}: "{name}" is not on the procedure\'s published component list',
  },
  'dossiers.illegalTransition': {
    vi: 'Không thể chuyển hồ sơ từ trạng thái {fromVi} sang {toVi}',
    en: 'A dossier cannot go from status {fromEn} to {toEn}',
  },
  'dossiers.notAccepted': { vi: 'Hồ sơ {code} chưa được tiếp nhận: chưa có giấy tiếp nhận', en: 'Dossier {code} has not been accepted yet (no receipt)' },
  'dossiers.noSupplementRequest': { vi: 'Hồ sơ {code} không có yêu cầu bổ sung', en: 'Dossier {code} has no supplement request' },
  'dossiers.notRefused': { vi: 'Hồ sơ {code} không bị từ chối', en: 'Dossier {code} was not refused' },
  'dossiers.notStopped': { vi: 'Hồ sơ {code} không bị dừng xử lý', en: 'Dossier {code} was not stopped' },
  'dossiers.noSuchFile': { vi: 'Không tìm thấy tệp {id} trong hồ sơ', en: 'No file {id} in this dossier' },
  'dossiers.noFileChosen': { vi: 'Chưa chọn tệp nào', en: 'No file in the request' },
  'dossiers.closedNoAttach': {
    vi: 'Hồ sơ {code} đã kết thúc (trạng thái {status}); không thể đính kèm thêm',
    en: 'Dossier {code} is closed (status {status}); no more files can be attached',
  },
} as const;

export const dossierError = messageCatalogue(DOSSIER_MESSAGES);
/** A key of this catalogue as a zod message. */
export const dossierKey = catalogueKeys(DOSSIER_MESSAGES);
