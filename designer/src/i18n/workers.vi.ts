/** The notification bell and the incidents page (Vietnamese). */
export const workersVi = {
  'bell.label': 'Thông báo',
  'bell.unread': 'chưa đọc',
  'bell.empty': 'Không có thông báo',
  'bell.readAll': 'Đánh dấu đã đọc tất cả',
  'nav.incidents': 'Sự cố xử lý tự động',
  'incidents.title': 'Sự cố của tác vụ tự động (worker)',
  'incidents.empty': 'Không có sự cố.',
  'incidents.dossier': 'Hồ sơ',
  'incidents.step': 'Bước',
  'incidents.topic': 'Chủ đề',
  'incidents.error': 'Lỗi',
  'incidents.since': 'Từ lúc',
  'incidents.retry': 'Thử lại',
  'incidents.retried': 'Đã đặt lại số lần thử; worker sẽ xử lý lại.',
} as const;
