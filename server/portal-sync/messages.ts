import { catalogueKeys, messageCatalogue } from '../http/errors.js';

/** Every refusal of the national-portal synchronisation screens, by key, in Vietnamese and English. */
const PORTAL_SYNC_MESSAGES = {
  'portalSync.recordId': { vi: 'mã bản ghi là số', en: 'a numeric record id' },
  'portalSync.notADate': { vi: '"{day}" không phải ngày hợp lệ', en: '"{day}" is not a valid date' },
  'portalSync.fromAfterTo': { vi: 'from: phải trước to', en: 'from: must be before to' },
  'portalSync.noRecord': { vi: 'Không có bản ghi đồng bộ {id}', en: 'No sync record {id}' },
} as const;

export const portalSyncError = messageCatalogue(PORTAL_SYNC_MESSAGES);
/** A key of this catalogue as a zod message. */
export const portalSyncKey = catalogueKeys(PORTAL_SYNC_MESSAGES);
