/**
 * The engine's own errors: why a command was refused, free of HTTP. The routers map them to HTTP
 * in one place (`engineErrorToHttp` in server/engine-rest/errors.ts): `/engine-rest` answers
 * Camunda's `{type, message}` with Camunda's status codes, `/api` the platform's `{type, message, key}`.
 */

/** What went wrong, as a caller can act on it. */
export type EngineErrorKind =
  /** No such definition, instance, task or external task (or none the caller may see). */
  | 'NotFound'
  /** A malformed argument: variables, names, retries, a business key, an empty deployment or modification. */
  | 'InvalidInput'
  /** A model refused at deployment: the element and the reason. */
  | 'InvalidModel'
  /** The model cannot go on at this point (an expression failing, no outgoing flow applies, an endless loop). */
  | 'ModelFailure'
  /** The process definition is suspended: it starts nothing. */
  | 'Suspended'
  /** The instance has ended, or the task / external task / subscription no longer waits. */
  | 'NotWaiting'
  /** The task is claimed by or assigned to someone else; the external task is locked by another worker, or the lock expired. */
  | 'HeldByOther'
  /** A message no instance waits for and no process starts with, or one that matches several. */
  | 'NoMatch'
  /** Not possible for this instance or definition (a start of a process that starts by an event; modifying a bpmn-engine instance). */
  | 'Unsupported'
  /** The request conflicts with an earlier one (an idempotency key reused for another start). */
  | 'Conflict';

import { reasonText, type CompileKey, type Finding, type FindingParams } from './compile/messages.js';

interface Entry { kind: EngineErrorKind; type: string; vi: string; en: string }

const NOT_FOUND = { kind: 'NotFound', type: 'NotFound' } as const;
const INPUT = { kind: 'InvalidInput', type: 'InvalidRequestException' } as const;
const BAD_USER = 'BadUserRequestException';
const NO_MATCH = { kind: 'NoMatch', type: 'MismatchingMessageCorrelationException' } as const;

/** Person-facing texts by key, in Vietnamese and English; `type` is Camunda's exception name (`/engine-rest` answers it). */
export const ENGINE_MESSAGES = {
  'engine.definitionNotFound': { ...NOT_FOUND, vi: 'Không có định nghĩa quy trình {id}', en: 'Process definition {id} not found' },
  'engine.definitionIdNotFound': { ...NOT_FOUND, vi: 'Không có định nghĩa quy trình mã {id}', en: 'No matching definition with id {id}' },
  'engine.definitionKeyNotFound': { ...NOT_FOUND, vi: 'Không có quy trình với khóa {key}', en: 'No matching process definition with key: {key}' },
  'engine.noDefinitionWithKey': { ...NOT_FOUND, vi: 'Không có quy trình với khóa \'{key}\'', en: 'No process definition with key \'{key}\'' },
  'engine.noDefinition': { ...NOT_FOUND, vi: 'Không có định nghĩa quy trình {id}', en: 'No process definition {id}' },
  'engine.instanceNotFound': { ...NOT_FOUND, vi: 'Không có phiên xử lý {id}', en: 'Process instance {id} not found' },
  'engine.instanceDoesNotExist': { ...NOT_FOUND, vi: 'Không có phiên xử lý {id}', en: 'Process instance with id {id} does not exist' },
  'engine.taskNotFound': { ...NOT_FOUND, vi: 'Không tìm thấy công việc {id}', en: 'Cannot find task with id {id}' },
  'engine.externalTaskNotFound': { ...NOT_FOUND, vi: 'Không có tác vụ tự động {id}', en: 'External task with id {id} does not exist' },
  'engine.jobNotFound': { ...NOT_FOUND, vi: 'Không có hẹn giờ hay bước chạy nền {id}', en: 'Job with id {id} does not exist' },

  'engine.deployNoResource': { ...INPUT, vi: 'Gói triển khai cần ít nhất một tệp .bpmn', en: 'A deployment needs at least one .bpmn resource' },
  'engine.notBpmnFile': { ...INPUT, vi: 'Tệp \'{name}\' không phải tệp BPMN (.bpmn)', en: 'Resource \'{name}\' is not a BPMN file (.bpmn)' },
  'engine.modificationEmpty': { ...INPUT, vi: 'Thao tác sửa phiên xử lý cần ít nhất một chỉ dẫn', en: 'A modification needs at least one instruction' },
  'engine.definitionOrKey': { ...INPUT, vi: 'Cần definitionId hoặc key', en: 'Either definitionId or key is required' },
  'engine.businessKeyInvalid': { ...INPUT, vi: 'businessKey phải là chuỗi tối đa 255 ký tự', en: 'businessKey must be a string of at most 255 characters' },
  'engine.retriesInvalid': { ...INPUT, vi: 'retries phải là số nguyên không âm', en: 'retries must be a non-negative integer' },
  'engine.jobRetriesInvalid': { ...INPUT, vi: 'retries phải là số nguyên từ 1 trở lên: số lần chạy lại được cấp cho hẹn giờ', en: 'retries must be an integer of at least 1: the attempts given back to the job' },
  'engine.signalName': { ...INPUT, vi: 'Tín hiệu cần tên tối đa 255 ký tự', en: 'A signal needs a name of at most 255 characters' },
  'engine.migrateSameDefinition': { ...INPUT, vi: 'Phiên bản nguồn và phiên bản đích là một', en: 'The source and target process definitions are the same' },
  'engine.migrateOtherProcess': { ...INPUT, vi: 'Chỉ chuyển được giữa các phiên bản của cùng một quy trình: \'{from}\' không phải \'{to}\'', en: 'Instances can only move between versions of one process: \'{from}\' is not \'{to}\'' },
  'engine.unitFixed': { kind: 'InvalidInput', type: BAD_USER, vi: 'unitId: đơn vị của hồ sơ đang xử lý không thay đổi được ({unit})', en: 'unitId: the unit of a running process instance ({unit}) cannot change' },
  'engine.variablesNotObject': { ...INPUT, vi: '\'{where}\' phải là một đối tượng gồm các giá trị có kiểu', en: '\'{where}\' must be an object of typed values' },
  'engine.variableName': { ...INPUT, vi: 'Tên biến không hợp lệ \'{name}\'', en: 'Invalid variable name \'{name}\'' },
  'engine.variableNotObject': { ...INPUT, vi: 'Biến \'{name}\' phải là đối tượng {value, type, valueInfo}', en: 'Variable \'{name}\' must be an object {value, type, valueInfo}' },
  'engine.variableUnknownField': { ...INPUT, vi: 'Biến \'{name}\': trường lạ \'{field}\'', en: 'Variable \'{name}\': unknown field \'{field}\'' },
  'engine.variableType': { ...INPUT, vi: 'Biến \'{name}\': kiểu \'{type}\' không được hỗ trợ', en: 'Variable \'{name}\': unsupported type \'{type}\'' },
  'engine.variableString': { ...INPUT, vi: 'Biến \'{name}\' kiểu {type} phải là chuỗi', en: 'Variable \'{name}\' of type {type} must be a string' },
  'engine.variableBoolean': { ...INPUT, vi: 'Biến \'{name}\' kiểu {type} phải là true hoặc false', en: 'Variable \'{name}\' of type {type} must be true or false' },
  'engine.variableInteger': { ...INPUT, vi: 'Biến \'{name}\' kiểu {type} phải là số nguyên', en: 'Variable \'{name}\' of type {type} must be an integer' },
  'engine.variableNumber': { ...INPUT, vi: 'Biến \'{name}\' kiểu {type} phải là số', en: 'Variable \'{name}\' of type {type} must be a number' },
  'engine.variableDate': { ...INPUT, vi: 'Biến \'{name}\' kiểu {type} phải là ngày giờ dạng 2026-01-31T08:00:00.000+0700', en: 'Variable \'{name}\' of type {type} must be a date like 2026-01-31T08:00:00.000+0700' },
  'engine.variableJsonString': { ...INPUT, vi: 'Biến \'{name}\' kiểu {type} phải là chuỗi JSON', en: 'Variable \'{name}\' of type {type} must be a JSON string' },
  'engine.variableJson': { ...INPUT, vi: 'Biến \'{name}\' kiểu {type} không phải JSON hợp lệ', en: 'Variable \'{name}\' of type {type} is not valid JSON' },
  'engine.variableFormat': { ...INPUT, vi: 'Biến \'{name}\' kiểu {type} phải dùng serializationDataFormat application/json', en: 'Variable \'{name}\' of type {type} must use serializationDataFormat application/json' },

  'engine.modelRefusedAt': { kind: 'InvalidModel', type: 'ParseException', vi: '{resource}: phần tử “{elementId}”: {reason}', en: '{resource}: element \'{elementId}\': {reason}' },
  'engine.modelRefused': { kind: 'InvalidModel', type: 'ParseException', vi: '{resource}: {reason}', en: '{resource}: {reason}' },
  'engine.bpmnEngineCannotLoad': { kind: 'InvalidModel', type: 'ParseException', vi: '{resource}: bpmn-engine không nạp được: {reason}', en: '{resource}: bpmn-engine cannot load it: {reason}' },

  'engine.modelFailure': { kind: 'ModelFailure', type: 'ProcessEngineException', vi: 'Quy trình không thể tiếp tục: {reason}', en: '{reason}' },

  'engine.definitionSuspended': { kind: 'Suspended', type: BAD_USER, vi: 'Quy trình {id} đang tạm dừng', en: 'Process definition {id} is suspended' },

  'engine.instanceEnded': { kind: 'NotWaiting', type: BAD_USER, vi: 'Phiên xử lý {id} đã kết thúc ({state})', en: 'Process instance {id} has ended ({state})' },
  'engine.taskNotWaiting': { kind: 'NotWaiting', type: BAD_USER, vi: 'Công việc \'{id}\' không còn chờ xử lý', en: 'Task \'{id}\' is no longer waiting' },
  'engine.externalTaskInactive': { kind: 'NotWaiting', type: BAD_USER, vi: 'Tác vụ tự động {id} không còn hoạt động', en: 'External task {id} is no longer active' },

  'engine.taskClaimed': { kind: 'HeldByOther', type: 'TaskAlreadyClaimedException', vi: 'Công việc \'{id}\' đã được người khác nhận.', en: 'Task \'{id}\' is already claimed by someone else.' },
  'engine.taskAssigned': { kind: 'HeldByOther', type: BAD_USER, vi: 'Công việc \'{id}\' đang giao cho {assignee}; hãy nhận việc trước', en: 'Task \'{id}\' is assigned to {assignee}; claim it first' },
  'engine.lockedByOther': { kind: 'HeldByOther', type: BAD_USER, vi: 'Tác vụ tự động {id} không thể do \'{worker}\' hoàn thành: nó đang bị \'{holder}\' khóa.', en: 'External Task {id} cannot be completed by worker \'{worker}\'. It is locked by worker \'{holder}\'.' },
  'engine.lockExpired': { kind: 'HeldByOther', type: BAD_USER, vi: 'Tác vụ tự động {id}: khóa của \'{worker}\' đã hết hạn', en: 'External Task {id}: the lock of worker \'{worker}\' has expired' },

  'engine.messageAmbiguous': { ...NO_MATCH, vi: 'Không khớp được thông điệp \'{name}\': {count} phiên xử lý cùng khớp; hãy nêu businessKey hoặc processInstanceId, hoặc dùng "all": true', en: 'Cannot correlate message \'{name}\': {count} process instances match; give a businessKey or processInstanceId, or use "all": true' },
  'engine.messageNotWaited': { ...NO_MATCH, vi: 'Phiên xử lý {id} không còn chờ \'{name}\'', en: 'Process instance {id} no longer waits for \'{name}\'' },
  'engine.messageStartsMany': { ...NO_MATCH, vi: 'Thông điệp \'{name}\' khởi tạo {count} quy trình', en: 'Message \'{name}\' starts {count} processes' },
  'engine.messageNoMatch': { ...NO_MATCH, vi: 'Không khớp được thông điệp \'{name}\': không phiên xử lý nào chờ và không quy trình nào bắt đầu bằng nó', en: 'Cannot correlate message \'{name}\': no process instance waits for it and no process starts with it' },

  'engine.startByEventOnly': { kind: 'Unsupported', type: BAD_USER, vi: 'Quy trình \'{key}\' bắt đầu bằng thông điệp hoặc hẹn giờ, không khởi tạo trực tiếp được', en: 'Process \'{key}\' starts by a message or timer, not directly' },
  'engine.modifyBpmnEngine': { kind: 'Unsupported', type: BAD_USER, vi: 'Phiên xử lý {id} chạy trên bpmn-engine; hãy chuyển nó sang một phiên bản triển khai cho bộ thông dịch của nền tảng trước', en: 'Process instance {id} runs on bpmn-engine; migrate it to a version deployed for the native interpreter first' },

  'engine.idempotencyKeyReused': { kind: 'Conflict', type: 'IdempotencyKeyReused', vi: 'Idempotency-Key đã dùng cho một yêu cầu khác', en: 'the Idempotency-Key was already used for a different start' },
} satisfies Record<string, Entry>;

export type EngineMessageKey = keyof typeof ENGINE_MESSAGES;

export class EngineError extends Error {
  readonly kind: EngineErrorKind;
  /** Camunda's exception name for it (`/engine-rest` answers it as `type`). */
  readonly type: string;
  /** The message by key in Vietnamese and English (`message` is the English one); a refused model's is its finding's key. */
  readonly text: { key: EngineMessageKey | CompileKey; vi: string; en: string; viDetails?: unknown };
  /** Extra facts for the caller (a refused model's findings). */
  readonly details?: unknown;
  /** The element a refusal is about (InvalidModel). */
  readonly elementId?: string;

  constructor(key: EngineMessageKey, params: FindingParams = {}, extra: { details?: unknown; elementId?: string } = {}) {
    const e: Entry = ENGINE_MESSAGES[key];
    // A refused model: its first finding (the one `reason` gives in English) read in each language, the step by its name.
    const refused = e.kind === 'InvalidModel' ? firstFinding(extra.details) : undefined;
    const all: FindingParams = refused
      ? { ...params, reason: reasonText(refused), elementId: { vi: refused.elementName ?? refused.elementId ?? '', en: refused.elementId ?? '' } }
      : params;
    const fill = (s: string, lang: 'vi' | 'en') => s.replace(/\{(\w+)\}/g, (m, k: string) => {
      const v = all[k];
      return v === undefined ? m : typeof v === 'object' ? v[lang] : String(v);
    });
    const en = fill(e.en, 'en');
    super(en);
    this.name = 'EngineError';
    this.kind = e.kind;
    this.type = e.type;
    this.text = { key: refused?.key ?? key, vi: fill(e.vi, 'vi'), en };
    // A refused model's findings read in Vietnamese too (`details` stays English: Camunda's tools read it).
    if (refused) this.text.viDetails = { ...(extra.details as object), findings: findingsOf(extra.details).map((f) => (isKeyed(f) ? { ...f, message: reasonText(f).vi } : f)) };
    if (extra.details !== undefined) this.details = extra.details;
    if (extra.elementId !== undefined) this.elementId = extra.elementId;
  }
}

const findingsOf = (details: unknown): unknown[] => (details as { findings?: unknown[] } | undefined)?.findings ?? [];
const isKeyed = (f: unknown): f is Finding => Boolean((f as Partial<Finding> | undefined)?.key && (f as Partial<Finding>).params);

/** The first finding of a refused model's details (`{findings}`), when it is keyed. */
function firstFinding(details: unknown): Finding | undefined {
  const f = findingsOf(details)[0];
  return isKeyed(f) ? f : undefined;
}

/** Whether `err` is the engine's refusal, optionally of one of these kinds. */
export function isEngineError(err: unknown, ...kinds: EngineErrorKind[]): err is EngineError {
  return err instanceof EngineError && (!kinds.length || kinds.includes(err.kind));
}
