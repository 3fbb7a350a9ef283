import { foldText, likeContains } from '../../server/text/fold.js';

describe('foldText', () => {
  it.each([
    ['Đăng ký khai sinh', 'dang ky khai sinh'],
    ['CHỨNG THỰC BẢN SAO', 'chung thuc ban sao'],
    ['Giấy phép  xây dựng\tnhà ở', 'giay phep xay dung nha o'],
    ['Ủy ban nhân dân xã Phước Thể', 'uy ban nhan dan xa phuoc the'],
    // precomposed and decomposed forms of the same word fold alike
    ['Hộ'.normalize('NFC'), 'ho'],
    ['Hộ'.normalize('NFD'), 'ho'],
  ])('%s → %s', (input, expected) => {
    expect(foldText(input)).toBe(expected);
  });

  it('escapes LIKE wildcards', () => {
    expect(likeContains('50%_off')).toBe('%50\\%\\_off%');
  });
});
