import { catalogueKeys, messageCatalogue, textCatalogue } from '../http/errors.js';

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
  'catalog.csv.textAfterQuote': { vi: 'Tệp CSV lỗi cú pháp ở dòng {line}: có chữ sau dấu ngoặc kép đóng', en: 'Malformed CSV, line {line}: text after a closing quote' },
  'catalog.csv.quoteInCell': { vi: 'Tệp CSV lỗi cú pháp ở dòng {line}: dấu ngoặc kép giữa ô không đặt trong ngoặc kép', en: 'Malformed CSV, line {line}: a quote inside an unquoted cell' },
  'catalog.csv.unclosedQuote': { vi: 'Tệp CSV lỗi cú pháp ở dòng {line}: ô trong ngoặc kép chưa đóng', en: 'Malformed CSV, line {line}: a quoted cell is not closed' },
  'catalog.emptyCsv': { vi: 'Tệp CSV trống', en: 'The CSV file is empty' },
  'catalog.missingColumns': { vi: 'Tệp CSV thiếu cột: {columns}', en: 'The CSV header lacks: {columns}' },
  'catalog.unknownColumns': { vi: 'Tệp CSV có cột không rõ: {columns}', en: 'Unknown CSV columns: {columns}' },
  'catalog.levelIdFormat': { vi: 'mã viết thường (chữ, số, gạch nối), vd. "commune"', en: 'a lower-case id such as "commune"' },
  'catalog.codeFormat': { vi: 'mã thủ tục quốc gia, vd. 1.001806', en: 'a national procedure code such as 1.001806' },
  'catalog.giveDuration': { vi: 'cho {value, unit} hoặc workingDays hoặc workingHours', en: 'give {value, unit} or workingDays or workingHours' },
  'catalog.unknownLevel': { vi: 'Không có cấp thực hiện "{level}"', en: 'Unknown level "{level}"' },
  'catalog.unknownUnit': { vi: 'Không có đơn vị "{unit}"', en: 'Unknown unit "{unit}"' },
  'catalog.import.twice': { vi: 'code: mã {code} xuất hiện hai lần trong tệp', en: 'code: {code} appears twice in the file' },
  'catalog.import.mayNotEdit': { vi: 'managingAgencyId: bạn không có quyền sửa thủ tục do {agency} quản lý', en: 'managingAgencyId: you may not edit procedures managed by {agency}' },
  'catalog.import.cellCount': { vi: 'Dòng cần {expected} ô, có {found} ô', en: 'expected {expected} cells, found {found}' },
  'catalog.import.notBool': { vi: '{name}: "{value}" không phải true/false (có/không)', en: '{name}: "{value}" is not true/false' },
  'catalog.import.notNumber': { vi: '{name}: "{value}" không phải là số', en: '{name}: "{value}" is not a number' },
  'catalog.import.notWhole': { vi: '{name}: số lượng "{value}" không phải số nguyên', en: '{name}: quantity "{value}" is not a whole number' },
  'catalog.tooManyRows': { vi: 'Mỗi tệp tối đa {max} thủ tục', en: 'At most {max} procedures per file' },
} as const;

export const catalogError = messageCatalogue(CATALOG_MESSAGES);
/** The texts themselves, for the rows an import report rejects. */
export const catalogText = textCatalogue(CATALOG_MESSAGES);
/** A key of this catalogue as a zod message. */
export const catalogKey = catalogueKeys(CATALOG_MESSAGES);
