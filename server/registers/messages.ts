import { messageCatalogue } from '../http/errors.js';

/** Every refusal of the registers (sổ theo dõi) a person reads, by key, in Vietnamese and English. */
const REGISTER_MESSAGES = {
  'registers.toBeforeFrom': { vi: 'query.to: không được trước ngày bắt đầu (from)', en: 'query.to: must not be before from' },
  'registers.tooLong': { vi: 'query.to: mỗi sổ tối đa hai năm', en: 'query.to: at most two years per register' },
  'registers.noUnit': { vi: 'Không có đơn vị {unit}', en: 'No unit {unit}' },
} as const;

export const registerError = messageCatalogue(REGISTER_MESSAGES);
