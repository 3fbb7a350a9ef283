import { catalogueKeys, messageCatalogue, textCatalogue } from '../http/errors.js';

/** Every refusal of notifications a person (or a worker's log) reads, by key, in Vietnamese and English. */
const NOTIFICATION_MESSAGES = {
  'notifications.inAppLink': { vi: 'đường dẫn trong ứng dụng bắt đầu bằng #/', en: 'an in-app link starting with #/' },
  'notifications.oneRecipient': { vi: 'cần ít nhất một người nhận', en: 'at least one recipient is required' },
  'notifications.badPhone': { vi: 'số điện thoại không hợp lệ', en: 'invalid phone number' },
  'notifications.effectKey': { vi: 'chỉ chữ, số và . _ : + - /', en: 'letters, digits and . _ : + - / only' },
  'notifications.notInstant': { vi: 'thời điểm ISO-8601 có múi giờ', en: 'an ISO-8601 instant with an offset' },
  'notifications.deliveryFailed': { vi: 'Chưa gửi được thông báo, sẽ thử lại', en: 'Delivery failed; it will be retried' },
  'notifications.unknownTemplate': { vi: 'Mẫu thông báo không tồn tại: {name}', en: 'Unknown notification template: {name}' },
  'notifications.badParams': { vi: 'Tham số mẫu {name} không hợp lệ: {detail}', en: 'Invalid parameters of template {name}: {detail}' },
  'notifications.noEmail': {
    vi: 'Chưa cấu hình máy chủ thư (SMTP_URL) nên chưa gửi được thư đề nghị',
    en: 'Email is not configured (SMTP_URL); the request letter cannot be sent',
  },
} as const;

export const notificationError = messageCatalogue(NOTIFICATION_MESSAGES);
export const notificationText = textCatalogue(NOTIFICATION_MESSAGES);
/** A key of this catalogue as a zod message. */
export const notificationKey = catalogueKeys(NOTIFICATION_MESSAGES);
