import { messageCatalogue } from '../http/errors.js';

/** Every refusal of the model checker a person reads, by key, in Vietnamese and English. */
const VALIDATION_MESSAGES = {
  'validation.failed': { vi: 'Không kiểm tra được quy trình', en: 'The model could not be checked' },
  'validation.failedWith': { vi: 'Không kiểm tra được quy trình: {detail}', en: 'The model could not be checked: {detail}' },
  'validation.tooComplex': { vi: 'Quy trình quá phức tạp để kiểm tra trong {seconds} giây', en: 'The model takes longer than {seconds} s to check' },
  'validation.stopping': { vi: 'Máy chủ đang dừng', en: 'The server is stopping' },
  'validation.ownerBusy': { vi: 'Bạn đang có một lần kiểm tra quy trình chưa xong', en: 'You already have a model being checked; wait for it' },
  'validation.queueFull': { vi: 'Máy chủ đang kiểm tra nhiều quy trình, hãy thử lại sau ít phút', en: 'Too many models are being checked; retry shortly' },
} as const;

export const validationError = messageCatalogue(VALIDATION_MESSAGES);
