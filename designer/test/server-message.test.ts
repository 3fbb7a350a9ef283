import { afterEach, describe, expect, it } from '@jest/globals';
import { setLang } from '../src/i18n/index.js';
import { serverMessage } from '../src/i18n/server-message.js';

/** Whatever the server answers, the user reads a sentence in their language: never a raw server string or a "vi / en" pair. */
describe('serverMessage', () => {
  afterEach(() => setLang('vi'));

  it('shows a keyed message as sent (already in the requested language)', () => {
    expect(serverMessage({ status: 409, type: 'Conflict', key: 'calendar.alreadyOff', message: '2027-06-07 is already a day off (Tết)' })).toBe('2027-06-07 is already a day off (Tết)');
  });

  it('gives the reader\'s half of an older "tiếng Việt / English" pair', () => {
    const e = { status: 409, type: 'Conflict', message: 'Mã đơn vị xa-moi đã tồn tại / unit id already exists' };
    expect(serverMessage(e)).toBe('Mã đơn vị xa-moi đã tồn tại');
    setLang('en');
    expect(serverMessage(e)).toBe('Unit id already exists');
    expect(serverMessage({ status: 404, type: 'NotFound', message: 'Không có người dùng nam.nv / no user nam.nv' })).toBe('No user nam.nv');
  });

  it('turns an English-only or technical message into the sentence for its type, in both languages', () => {
    const zod = { status: 400, type: 'ValidationError', message: 'body.workingDate: Invalid string: must match pattern' };
    expect(serverMessage(zod)).toBe('Dữ liệu gửi lên chưa hợp lệ; hãy kiểm tra lại các trường đã nhập.');
    expect(serverMessage({ status: 403, type: 'Forbidden', message: 'You do not have permission for this action' })).toBe('Bạn không có quyền thực hiện thao tác này.');
    expect(serverMessage({ status: 500, type: 'InternalError', message: 'Internal server error' })).toMatch(/^Hệ thống gặp lỗi/);
    expect(serverMessage({ status: 502, type: 'HTTP502', message: 'Bad Gateway' })).toMatch(/^Hệ thống gặp lỗi/);
    expect(serverMessage(new Error('boom'))).toBe('Không thực hiện được thao tác; hãy thử lại.');
    setLang('en');
    expect(serverMessage(zod)).toBe('The data sent is not valid; check the fields you entered.');
    expect(serverMessage({ status: 0, type: 'NetworkError', message: 'Failed to fetch' })).toMatch(/^The server cannot be reached/);
  });

  it('a " / " inside a single-language message is not taken for a pair', () => {
    expect(serverMessage({ status: 400, type: 'InvalidRequestException', message: 'intervals: 08:00 / 12:00 overlap' })).toBe('Dữ liệu gửi lên chưa hợp lệ; hãy kiểm tra lại các trường đã nhập.');
  });
});
