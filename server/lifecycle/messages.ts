import { catalogueKeys, messageCatalogue, textCatalogue } from '../http/errors.js';

/** Every refusal of the process lifecycle a person reads, by key, in Vietnamese and English. */
const LIFECYCLE_MESSAGES = {
  'lifecycle.invalidState': { vi: 'Không thể {actionVi} khi phiên bản đang ở trạng thái "{stateVi}"', en: 'Cannot {action} a version that is "{state}"' },
  'lifecycle.noVersion': { vi: 'Không có phiên bản quy trình {id}', en: 'No process version {id}' },
  'lifecycle.mayNotDraft': {
    vi: 'Bạn không có quyền soạn thảo quy trình này: chỉ chủ quy trình của {agency} (cơ quan quản lý lĩnh vực) được soạn thảo',
    en: 'You may not draft this process: only process owners of {agency} (the agency managing the field) may draft it',
  },
  'lifecycle.fourEyes': { vi: 'Người soạn thảo không được tự phê duyệt hoặc từ chối phiên bản của mình', en: 'The author of a version cannot approve or reject it (four-eyes rule)' },
  'lifecycle.outsideScope': { vi: 'Thủ tục này nằm ngoài phạm vi phê duyệt của bạn', en: 'This procedure is outside your approval scope' },
  'lifecycle.engineUnavailable': { vi: 'Máy thực thi quy trình chưa sẵn sàng, hãy thử lại sau', en: 'The process engine is not available; try again later' },
  'lifecycle.procedureWithdrawn': { vi: 'Thủ tục đã bị bãi bỏ', en: 'The procedure is withdrawn' },
  'lifecycle.staleDraft': { vi: 'Bản nháp đã được lưu bởi người khác (lần lưu {revision}); hãy tải lại', en: 'The draft was saved by someone else (revision {revision}); reload it' },
  'lifecycle.hasErrors': { vi: 'Quy trình còn {n} lỗi cần sửa trước khi gửi duyệt', en: 'The process has {n} error(s) to fix before it can be submitted' },
  'lifecycle.changedWhileChecking': { vi: 'Bản nháp vừa thay đổi trong khi kiểm tra; hãy gửi lại', en: 'The draft changed while it was being checked; submit again' },
  'lifecycle.identicalToActive': { vi: 'Bản nháp giống hệt phiên bản {n} đang áp dụng: không có gì để phê duyệt', en: 'The draft is identical to active version {n}: there is nothing to approve' },
  'lifecycle.effectiveBeforeDecision': { vi: 'Ngày hiệu lực không được trước ngày quyết định', en: 'The effective date cannot be before the decision date' },
  'lifecycle.unknownLevel': { vi: 'Cấp thực hiện "{level}" không có trong danh mục', en: 'Unknown level "{level}"' },
  'lifecycle.otherProcedure': { vi: 'Phiên bản {id} thuộc thủ tục khác', en: 'Version {id} belongs to another procedure' },
  'lifecycle.notAuthor': { vi: 'Chỉ người soạn thảo hoặc chủ quy trình được rút phiên bản đã gửi duyệt', en: 'Only the author or a process owner may withdraw a submitted version' },
  'lifecycle.mayNotAttachDecision': { vi: 'Chỉ người phê duyệt quy trình này được đính kèm quyết định đã ký', en: 'Only an approver of this process may attach the signed decision' },
  'lifecycle.decisionNeedsApproval': { vi: 'Chỉ đính kèm quyết định đã ký cho phiên bản đã được phê duyệt', en: 'The signed decision can be attached only to an approved version' },
  'lifecycle.decisionNotPdf': { vi: 'Tệp "{name}" không phải PDF: quyết định đã ký phải là tệp PDF', en: 'File "{name}" is not a PDF: the signed decision must be a PDF' },
  'lifecycle.noDecisionFile': { vi: 'Không có tệp quyết định {id} của phiên bản này', en: 'No decision file {id} for this version' },
  'lifecycle.rejectNeedsComment': { vi: 'Từ chối cần có ý kiến nêu lý do', en: 'A rejection needs a comment' },
  'lifecycle.diffOtherProcedure': { vi: 'Hai phiên bản thuộc hai thủ tục khác nhau, không so sánh được', en: 'The versions belong to different procedures' },
  'lifecycle.noFile': { vi: 'Chưa chọn tệp quyết định', en: 'No file was chosen' },
  'lifecycle.tooManyValidations': { vi: 'Kiểm tra quy trình quá nhiều lần, hãy đợi một phút', en: 'Too many validations; wait a minute' },
  'lifecycle.modelTooLarge': { vi: 'Quy trình quá lớn (tối đa {max} phần tử XML)', en: 'The process is too large (at most {max} XML elements)' },
  'lifecycle.cannotMigrate': { vi: 'Máy thực thi không hỗ trợ chuyển hồ sơ đang chạy', en: 'The engine cannot migrate running instances' },
  'lifecycle.migrateFromRequired': { vi: 'fromVersionId: hãy chọn phiên bản cần chuyển hồ sơ đi', en: 'fromVersionId: name the version whose instances move' },
  'lifecycle.migrateFromUnknown': { vi: 'fromVersionId: không có phiên bản {id}', en: 'fromVersionId: no process version {id}' },
  'lifecycle.migrateFromTarget': { vi: 'fromVersionId: phiên bản nguồn trùng phiên bản đích', en: 'fromVersionId: the version to migrate from is the target itself' },
  'lifecycle.migrateFromOtherProcess': { vi: 'fromVersionId: phiên bản thuộc quy trình khác', en: 'fromVersionId: the version belongs to another process (procedure or level)' },
  'lifecycle.migrateFromState': {
    vi: 'fromVersionId: phiên bản {n} đang ở trạng thái "{stateVi}"; chỉ chuyển hồ sơ từ phiên bản đã bị thay thế hoặc ngừng áp dụng',
    en: 'fromVersionId: version {n} is "{state}"; only a superseded or retired version that ran can be migrated from',
  },
  'lifecycle.migrateNotRunning': { vi: 'instanceIds: không phải hồ sơ đang chạy trên phiên bản {n}: {ids}', en: 'instanceIds: not running on version {n}: {ids}' },
} as const;

export const lifecycleError = messageCatalogue(LIFECYCLE_MESSAGES);
/** A key of this catalogue as a zod message. */
export const lifecycleKey = catalogueKeys(LIFECYCLE_MESSAGES);

/** The notes the platform itself records in a version's history: `comment` holds the Vietnamese, `details.noteEn` the English. */
const LIFECYCLE_NOTES = {
  'lifecycle.note.supersededBy': { vi: 'Thay bằng phiên bản {n}', en: 'Replaced by version {n}' },
  'lifecycle.note.activatesOn': { vi: 'Áp dụng từ ngày {date}', en: 'Activates on {date}' },
  'lifecycle.note.procedureWithdrawn': { vi: 'Thủ tục bị bãi bỏ', en: 'The procedure was withdrawn' },
  'lifecycle.note.dryRun': { vi: 'Chạy thử: {movable} hồ sơ chuyển được, {blocked} không', en: 'Dry run: {movable} movable, {blocked} not' },
  'lifecycle.note.migrated': { vi: 'Đã chuyển {movable} hồ sơ sang phiên bản {n}, {blocked} giữ nguyên', en: 'Moved {movable} instances to version {n}, {blocked} left' },
} as const;

const noteText = textCatalogue(LIFECYCLE_NOTES);

/** A history note in both languages, as `store.record` takes it. */
export function lifecycleNote(key: keyof typeof LIFECYCLE_NOTES, params: Record<string, string | number> = {}, details: Record<string, unknown> = {}): { comment: string; details: Record<string, unknown> } {
  const t = noteText(key, params);
  return { comment: t.vi, details: { ...details, noteKey: key, noteEn: t.en } };
}
