import { messageCatalogue } from '../http/errors.js';

/** Every refusal of the SOS board a person reads, by key, in Vietnamese and English. */
const SOS_MESSAGES = {
  'sos.dossierNotFound': { vi: 'Không tìm thấy hồ sơ', en: 'Dossier not found' },
  'sos.boardOnly': { vi: 'Chỉ lãnh đạo đơn vị và thanh tra xem bảng SOS', en: 'Only the unit\'s leaders and inspectors see the SOS board' },
  'sos.alreadyOpen': { vi: 'Hồ sơ đã có SOS đang mở', en: 'The dossier already has an open SOS' },
  'sos.reasonRequired': { vi: 'Cần nêu lý do SOS (ít nhất 5 ký tự)', en: 'Give the reason for the SOS (at least 5 characters)' },
  'sos.dossierClosed': { vi: 'Hồ sơ đã kết thúc, không thể báo SOS', en: 'The dossier is closed; no SOS can be raised' },
  'sos.actionRequired': { vi: 'Cần ghi biện pháp xử lý (ít nhất 5 ký tự)', en: 'Record the action taken (at least 5 characters)' },
  'sos.notFound': { vi: 'Không tìm thấy SOS', en: 'SOS not found' },
  'sos.alreadyResolved': { vi: 'SOS đã được {by} xử lý', en: 'The SOS was already resolved by {by}' },
} as const;

export const sosError = messageCatalogue(SOS_MESSAGES);
