import { catalogueKeys, messageCatalogue } from '../http/errors.js';

/** Every refusal the citizens' portal shows, by key, in Vietnamese and English. */
const PUBLIC_MESSAGES = {
  'public.factor': { vi: '4 chữ số cuối của số điện thoại hoặc số định danh', en: 'the last 4 digits of the phone or ID number' },
  'public.noMatch': { vi: 'Không tìm thấy hồ sơ với mã và 4 số cuối đã nhập', en: 'No dossier matches this code and these digits' },
  'public.tooManyLookups': { vi: 'Quá nhiều lần tra cứu, vui lòng thử lại sau', en: 'Too many lookups; try again later' },
  'public.dataNotJson': { vi: 'data: không phải JSON hợp lệ', en: 'data: not valid JSON' },
  'public.fileNoComponent': {
    vi: 'Tệp "{file}": trường "{field}" không ứng với thành phần hồ sơ nào',
    en: 'File "{file}": field "{field}" does not name a listed component',
  },
} as const;

export const publicError = messageCatalogue(PUBLIC_MESSAGES);
/** A key of this catalogue as a zod message. */
export const publicKey = catalogueKeys(PUBLIC_MESSAGES);
