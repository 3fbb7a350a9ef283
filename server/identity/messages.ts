import { ApiError, catalogueKeys, messageCatalogue } from '../http/errors.js';

/** Every refusal of logins, users, units and roles a person reads, by key, in Vietnamese and English. */
const IDENTITY_MESSAGES = {
  'identity.tooManyFromSource': {
    vi: 'Quá nhiều lần xác thực sai từ địa chỉ này, thử lại sau {retry} giây',
    en: 'Too many failed credential checks from this address; retry in {retry} s',
  },
  'identity.invalidCredentials': { vi: 'Tên đăng nhập hoặc mật khẩu không đúng', en: 'Wrong username or password' },
  'identity.loginLocked': { vi: 'Đăng nhập tạm khoá do nhập sai nhiều lần, thử lại sau {retry} giây', en: 'Too many failed attempts; retry in {retry} s' },
  'identity.tooManyLogins': { vi: 'Quá nhiều lần đăng nhập sai từ địa chỉ này', en: 'Too many failed logins from this address' },
  'identity.csrf': { vi: 'Thiếu hoặc sai mã chống giả mạo (X-CSRF-Token); hãy tải lại trang', en: 'Missing or invalid CSRF token; reload the page' },
  'identity.passwordShort': { vi: 'Mật khẩu phải có ít nhất 8 ký tự', en: 'The password needs at least 8 characters' },
  'identity.passwordLong': { vi: 'Mật khẩu tối đa 128 ký tự', en: 'The password has at most 128 characters' },
  'identity.passwordClasses': {
    vi: 'Mật khẩu cần ít nhất 3 trong 4 loại: chữ thường, chữ hoa, chữ số, ký hiệu',
    en: 'The password needs 3 of: lower case, upper case, digit, symbol',
  },
  'identity.passwordHasUsername': { vi: 'Mật khẩu không được chứa tên đăng nhập', en: 'The password must not contain the username' },
  'identity.authorCannotApprove': { vi: 'Người soạn thảo không được tự phê duyệt', en: 'The author cannot approve their own version (four-eyes)' },
  'identity.outsideApprovalScope': { vi: 'Ngoài phạm vi phê duyệt', en: 'Outside the approver\'s scope' },
  'identity.noUnit': { vi: 'Không có đơn vị {id}', en: 'No unit {id}' },
  'identity.unknownParent': { vi: 'Không có đơn vị cấp trên {id}', en: 'Unknown parent unit: {id}' },
  'identity.unknownKind': { vi: 'Không có loại đơn vị {kind}', en: 'Unknown unit kind: {kind}' },
  'identity.sessionUserGone': { vi: 'Tài khoản của phiên đăng nhập không còn tồn tại', en: 'The session\'s user no longer exists' },
  'identity.unitExists': { vi: 'Mã đơn vị {id} đã tồn tại', en: 'Unit id {id} already exists' },
  'identity.unitInUse': { vi: 'Đơn vị còn đơn vị con hoặc người giữ chức danh', en: 'The unit still has sub-units or role holders' },
  'identity.noUser': { vi: 'Không có người dùng {username}', en: 'No user {username}' },
  'identity.usernameExists': { vi: 'Tên đăng nhập {username} đã tồn tại', en: 'Username {username} already exists' },
  'identity.noSuchRole': { vi: '{username} không giữ {role} tại {unit}', en: '{username} does not hold {role} at {unit}' },
  'identity.slugFormat': { vi: 'chữ thường, chữ số và dấu gạch nối', en: 'lower-case letters, digits and hyphens (a slug)' },
  'identity.usernameFormat': { vi: 'chữ, chữ số, dấu chấm, gạch dưới, gạch nối', en: 'letters, digits, dot, underscore, hyphen' },
  'identity.noToken': { vi: 'Không có mã truy cập này', en: 'No such token' },
} as const;

type IdentityKey = keyof typeof IDENTITY_MESSAGES;
export type PasswordProblem = Extract<IdentityKey, `identity.password${string}`>;

export const identityError = messageCatalogue(IDENTITY_MESSAGES);
/** A key of this catalogue as a zod message. */
export const identityKey = catalogueKeys(IDENTITY_MESSAGES);

/** 429 before any credential check once an address has failed too often. */
export const tooManyFromSource = (retry: number): ApiError =>
  identityError(429, 'TooManyRequests', 'identity.tooManyFromSource', { retry }, { retryAfterSeconds: retry });

/** 400 naming every way a new password fails the policy, each field message in the reader's language. */
export function passwordRefused(field: string, problems: PasswordProblem[]): ApiError {
  const e = identityError(400, 'InvalidRequestException', problems[0]!, {}, problems.map((k) => ({ field, message: IDENTITY_MESSAGES[k].vi })));
  return new ApiError(e.status, e.type, e.message, e.details, { ...e.text!, enDetails: problems.map((k) => ({ field, message: IDENTITY_MESSAGES[k].en })) });
}

/** The policy's reasons as one English line (the operator reads it at start-up). */
export const passwordProblemsText = (problems: PasswordProblem[]): string => problems.map((k) => IDENTITY_MESSAGES[k].en).join('; ');
