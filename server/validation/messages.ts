import { messageCatalogue, textCatalogue, type LocalizedText } from '../http/errors.js';

/** Every refusal of the model checker a person reads, by key, in Vietnamese and English. */
const VALIDATION_MESSAGES = {
  'validation.failed': { vi: 'Không kiểm tra được quy trình', en: 'The model could not be checked' },
  'validation.failedWith': { vi: 'Không kiểm tra được quy trình (chi tiết kỹ thuật: {detail})', en: 'The model could not be checked: {detail}' },
  'validation.tooComplex': { vi: 'Quy trình quá phức tạp để kiểm tra trong {seconds} giây', en: 'The model takes longer than {seconds} s to check' },
  'validation.stopping': { vi: 'Máy chủ đang dừng', en: 'The server is stopping' },
  'validation.ownerBusy': { vi: 'Bạn đang có một lần kiểm tra quy trình chưa xong', en: 'You already have a model being checked; wait for it' },
  'validation.queueFull': { vi: 'Máy chủ đang kiểm tra nhiều quy trình, hãy thử lại sau ít phút', en: 'Too many models are being checked; retry shortly' },
  // A document that is not BPMN at all (BpmnInputError's codes); the English is the parser's own, more precise sentence.
  'validation.xml.too-large': { vi: 'Tệp quy trình quá lớn', en: 'The process model is too large' },
  'validation.xml.doctype': { vi: 'Không chấp nhận XML có khai báo DOCTYPE hoặc ENTITY', en: 'XML with a DOCTYPE or ENTITY declaration is refused' },
  'validation.xml.not-xml': { vi: 'Nội dung không phải XML', en: 'The content is not XML' },
  'validation.xml.too-deep': { vi: 'Quy trình lồng nhau quá sâu (tối đa 10 cấp quy trình con)', en: 'The process nests too deep (at most 10 levels of sub-processes)' },
  'validation.xml.not-bpmn': { vi: 'Không phải tài liệu BPMN 2.0 hợp lệ', en: 'Not a valid BPMN 2.0 document' },
} as const;

export const validationError = messageCatalogue(VALIDATION_MESSAGES);
const validationText = textCatalogue(VALIDATION_MESSAGES);

/** Why a document is no BPMN, keyed: the Vietnamese from the table, the English the parser's own sentence. */
export const xmlInputText = (code: 'too-large' | 'not-xml' | 'doctype' | 'not-bpmn' | 'too-deep', message: string): LocalizedText =>
  ({ ...validationText(`validation.xml.${code}`), en: message });

/**
 * A warning of the XML reader (moddle-xml, English) as a person reads it: the common ones said in
 * Vietnamese with their place; any other keeps the reader's sentence as a technical detail. The
 * English is the reader's own sentence.
 */
export function xmlWarningText(warning: string): { vi: string; en: string } {
  const unparsable = /^unparsable content (.*?)\s*detected\s+line: (\d+)\s+column: (\d+)\s+nested error: ([^]*)$/.exec(warning);
  const unknownAttribute = /^unknown attribute <(.+)>$/.exec(warning);
  const unresolved = /^unresolved reference <(.+)>$/.exec(warning);
  const vi = unparsable
    ? `không đọc được ${unparsable[1] ? `nội dung ${unparsable[1]}` : 'một phần nội dung'} ở dòng ${unparsable[2]}, cột ${unparsable[3]}; phần này bị bỏ qua (chi tiết kỹ thuật: ${unparsable[4]!.trim()})`
    : unknownAttribute
      ? `thuộc tính <${unknownAttribute[1]}> không thuộc BPMN 2.0 hay phần mở rộng được hỗ trợ; thuộc tính này bị bỏ qua`
      : unresolved
        ? `tham chiếu tới <${unresolved[1]}> không trỏ tới phần tử nào trong tệp`
        : `chi tiết kỹ thuật: ${warning}`;
  return { vi: `Cảnh báo khi đọc XML: ${vi}`, en: warning };
}
