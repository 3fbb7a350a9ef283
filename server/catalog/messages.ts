import { messageCatalogue } from '../http/errors.js';

/** Every refusal of the procedure catalogue a person reads, by key, in Vietnamese and English. */
const CATALOG_MESSAGES = {
  'catalog.mayNotEdit': {
    vi: 'Bạn không có quyền sửa thủ tục do {agency} quản lý',
    en: 'You may not edit procedures managed by {agency}',
  },
  'catalog.noProcedure': { vi: 'Không có thủ tục {id}', en: 'No procedure {id}' },
  'catalog.codeExists': { vi: 'Mã thủ tục {code} đã có trong danh mục', en: 'Procedure code {code} already exists' },
  'catalog.staleRevision': { vi: 'Thủ tục đã được sửa (lần sửa {revision}); hãy tải lại', en: 'The procedure changed since (revision {revision}); reload it' },
  'catalog.agencyChanged': { vi: 'Thủ tục vừa được chuyển đơn vị; hãy tải lại', en: 'The procedure changed agency meanwhile; reload it' },
  'catalog.importEmpty': { vi: 'Tệp nhập trống', en: 'The import file is empty' },
  'catalog.badJson': { vi: 'Tệp không phải JSON hợp lệ', en: 'The file is not valid JSON' },
  'catalog.jsonNotArray': { vi: 'Tệp JSON phải là một mảng thủ tục', en: 'The JSON file must be an array of procedures' },
  'catalog.badCsv': { vi: 'Tệp CSV lỗi cú pháp: {detail}', en: 'Malformed CSV: {detail}' },
  'catalog.emptyCsv': { vi: 'Tệp CSV trống', en: 'The CSV file is empty' },
  'catalog.missingColumns': { vi: 'Tệp CSV thiếu cột: {columns}', en: 'The CSV header lacks: {columns}' },
  'catalog.unknownColumns': { vi: 'Tệp CSV có cột không rõ: {columns}', en: 'Unknown CSV columns: {columns}' },
  'catalog.tooManyRows': { vi: 'Mỗi tệp tối đa {max} thủ tục', en: 'At most {max} procedures per file' },
} as const;

export const catalogError = messageCatalogue(CATALOG_MESSAGES);
