import { catalogueKeys, messageCatalogue, textCatalogue } from '../http/errors.js';

/** The calendar administrator's refusals, by key, in Vietnamese and English (the admin screens show them as they come). */
const CALENDAR_MESSAGES = {
  'calendar.unknownUnit': { vi: 'Không tìm thấy đơn vị {unit}', en: 'Unknown unit: {unit}' },
  'calendar.weekdayNotWorking': { vi: 'Ngày {date} là ngày thường: chỉ thứ Bảy hoặc Chủ nhật mới có thể làm bù', en: '{date} is a weekday: only a Saturday or Sunday can be made a working day' },
  'calendar.dayNotListed': { vi: 'Ngày {date} không có trong danh sách ngày nghỉ hoặc ngày làm bù', en: '{date} is not a listed day off or working day' },
  'calendar.swapOtherYear': { vi: 'Cả hai ngày hoán đổi phải thuộc năm {year}', en: 'Both dates of a swap must be in {year}' },
  'calendar.swapNotWeekend': { vi: 'Ngày làm bù {date} phải là thứ Bảy hoặc Chủ nhật', en: 'The working day {date} must be a Saturday or Sunday' },
  'calendar.swapOffIsWeekend': { vi: 'Ngày nghỉ {date} đã là ngày cuối tuần: hãy chọn một ngày thường', en: 'The day off {date} is already a weekend day: choose a weekday' },
  'calendar.alreadyOff': { vi: 'Ngày {date} đã là ngày nghỉ ({name})', en: '{date} is already a day off ({name})' },
  'calendar.alreadyConfirmed': { vi: 'Năm {year} đã được xác nhận', en: '{year} is already confirmed' },
  'calendar.alreadyStored': { vi: 'Năm {year} đã được lưu: hãy sửa từng ngày thay vì tính lại', en: '{year} is already stored: edit its days instead of recomputing' },
  'calendar.noOwnHours': { vi: 'Đơn vị {unit} không có giờ làm việc riêng', en: 'Unit {unit} has no working hours of its own' },
  'calendar.yearRange': { vi: 'Năm phải là số nguyên từ {min} đến {max}', en: 'Year must be an integer between {min} and {max}' },
  'calendar.notADate': { vi: 'Không phải ngày hợp lệ (YYYY-MM-DD): {date}', en: 'Not a date (YYYY-MM-DD): {date}' },
  'calendar.dateNotInYear': { vi: 'Ngày {date} không thuộc năm {year}', en: '{date} is not in {year}' },
  'calendar.oneLimit': { vi: 'chỉ cho một trong hai: workingDays hoặc workingHours', en: 'give exactly one of workingDays or workingHours' },
  'calendar.tooManyRequests': { vi: 'Quá nhiều yêu cầu, hãy thử lại sau', en: 'Too many requests; try again later' },
  'calendar.badClock': { vi: 'Khoảng giờ thứ {n}: giờ phải có dạng HH:MM', en: 'Interval {n}: times must be HH:MM' },
  'calendar.endNotAfterStart': { vi: 'Khoảng giờ thứ {n}: {end} không sau {start}', en: 'Interval {n}: {end} is not after {start}' },
  'calendar.intervalsOverlap': { vi: 'Các khoảng giờ làm việc chồng lên nhau', en: 'The working-hour intervals overlap' },
  'calendar.range.invalidDate': { vi: 'Ngày không hợp lệ', en: 'Invalid date' },
  'calendar.range.years': { vi: 'Ngày phải nằm trong các năm từ {min} đến {max}', en: 'Dates must fall between {min} and {max}' },
  'calendar.range.workingTime': { vi: 'Thời gian làm việc vượt quá phạm vi lịch ({min}–{max})', en: 'Working time beyond the calendar ({min}–{max})' },
  'calendar.toBeforeFrom': { vi: 'Ngày kết thúc (to) không được trước ngày bắt đầu (from)', en: 'to must not be before from' },
  'calendar.rangeTooLong': { vi: 'Khoảng ngày tối đa 3 năm', en: 'The range may cover at most 3 years' },
  'calendar.notice.notInYear': { vi: '{field}: ngày {date} không thuộc năm {year}', en: '{field}: {date} is not in {year}' },
  'calendar.notice.twice': { vi: '{field}: ngày {date} có hai lần', en: '{field}: {date} is listed twice' },
  'calendar.notice.notWeekend': { vi: '{field}: ngày {date} không phải thứ Bảy hoặc Chủ nhật', en: '{field}: {date} is not a weekend day' },
} as const;

const keyed = messageCatalogue(CALENDAR_MESSAGES);
/** The texts themselves, for problems a notice check collects before any refusal. */
export const calendarText = textCatalogue(CALENDAR_MESSAGES);
/** A key of this catalogue as a zod message. */
export const calendarKey = catalogueKeys(CALENDAR_MESSAGES);

/** Dates in a refusal read dd/mm/yyyy, as everywhere else a person reads one. */
export const calendarError: typeof keyed = (status, type, key, params = {}, details) => keyed(status, type, key,
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, '$3/$2/$1') : v])), details);
