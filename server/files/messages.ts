import { messageCatalogue } from '../http/errors.js';

/** Every refusal of an upload a person reads, by key, in Vietnamese and English. */
const FILE_MESSAGES = {
  'files.tooMany': { vi: 'Tối đa {max} tệp cho một hồ sơ', en: 'At most {max} files per dossier' },
  'files.empty': { vi: 'Tệp "{name}" rỗng', en: 'File "{name}" is empty' },
  'files.fileTooLarge': { vi: 'Tệp "{name}" vượt quá {mb} MB', en: 'File "{name}" exceeds {mb} MB' },
  'files.anyTooLarge': { vi: 'Tệp vượt quá {mb} MB', en: 'A file exceeds {mb} MB' },
  'files.totalTooLarge': { vi: 'Tổng dung lượng tệp vượt quá {mb} MB', en: 'The files exceed {mb} MB in total' },
  'files.badType': { vi: 'Tệp "{name}" không phải PDF, JPEG hoặc PNG (kiểm tra theo nội dung)', en: 'File "{name}" is not a PDF, JPEG or PNG by its content' },
  'files.tooManyFiles': { vi: 'Tối đa {max} tệp trong một lần gửi', en: 'At most {max} files in one upload' },
  'files.tooManyFields': { vi: 'Biểu mẫu gửi lên có quá nhiều trường (tối đa {max})', en: 'The form sent has too many fields (at most {max})' },
  'files.fieldTooLong': { vi: 'Một trường của biểu mẫu gửi lên quá dài (tối đa {kb} KB)', en: 'A field of the form sent is too long (at most {kb} KB)' },
  'files.unexpectedFile': { vi: 'Tệp gửi kèm ở trường không được nhận tệp', en: 'A file was sent in a field that takes no file' },
  'files.uploadLimit': { vi: 'Yêu cầu tải lên vượt giới hạn (mã kỹ thuật {code})', en: 'Upload limit exceeded ({code})' },
  'files.uploadFailed': { vi: 'Tải tệp không thành công: không đọc được nội dung biểu mẫu gửi lên (chi tiết kỹ thuật: {detail})', en: 'Upload failed: {detail}' },
} as const;

export const fileError = messageCatalogue(FILE_MESSAGES);
