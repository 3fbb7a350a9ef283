import { dossierError } from './messages.js';

/** National dossier status codes (TTHC.md §3, used for national-portal sync). */
export const STATUS = {
  NEW: 1, ACCEPTED: 2, REFUSED: 3, PROCESSING: 4, SUPPLEMENT: 5, PAYMENT: 6, WITHDRAWN: 7, STOPPED: 8, RESOLVED: 9, RETURNED: 10,
} as const;
export type Status = (typeof STATUS)[keyof typeof STATUS];

export const STATUS_NAMES: Record<Status, { vi: string; en: string }> = {
  1: { vi: 'Mới đăng ký', en: 'New (filed online)' },
  2: { vi: 'Được tiếp nhận', en: 'Accepted' },
  3: { vi: 'Không được tiếp nhận', en: 'Refused' },
  4: { vi: 'Đang xử lý', en: 'Processing' },
  5: { vi: 'Yêu cầu bổ sung', en: 'Supplement requested' },
  6: { vi: 'Yêu cầu nghĩa vụ tài chính', en: 'Payment requested' },
  7: { vi: 'Công dân yêu cầu rút hồ sơ', en: 'Withdrawn at the citizen’s request' },
  8: { vi: 'Dừng xử lý', en: 'Stopped' },
  9: { vi: 'Đã xử lý xong', en: 'Resolved' },
  10: { vi: 'Đã trả kết quả', en: 'Result returned' },
};

/**
 * Every legal transition. `0` is "no dossier yet": in person a dossier is born accepted (2),
 * refused (3) or awaiting a supplement (5); online it is born new (1).
 * 2 is transient (the process starts at once → 4); 5 returns to 2 (accepted at reception once
 * complete) or 4 (processing resumes); 3, 7, 8 and 10 are final.
 */
export const TRANSITIONS: Readonly<Record<number, readonly Status[]>> = {
  0: [1, 2, 3, 5],
  1: [2, 3, 5, 7],
  2: [4, 7],
  3: [],
  4: [5, 6, 7, 8, 9],
  5: [2, 3, 4, 7, 8],
  6: [4, 7, 8],
  7: [],
  8: [],
  9: [10],
  10: [],
};

export const FINAL_STATUSES: ReadonlySet<number> = new Set([3, 7, 8, 10]);

export const isStatus = (n: number): n is Status => Number.isInteger(n) && n >= 1 && n <= 10;

export function canTransition(from: number, to: number): boolean {
  return (TRANSITIONS[from] ?? []).includes(to as Status);
}

const label = (s: number, lang: 'vi' | 'en') => (isStatus(s) ? `${s} (${STATUS_NAMES[s][lang]})` : String(s));

/** 409 naming both states when a transition is not in the table. */
export function assertTransition(from: number, to: number): void {
  if (canTransition(from, to)) return;
  throw dossierError(409, 'Conflict', 'dossiers.illegalTransition', { fromVi: label(from, 'vi'), toVi: label(to, 'vi'), fromEn: label(from, 'en'), toEn: label(to, 'en') }, { from, to });
}
