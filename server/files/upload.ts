import type { RequestHandler } from 'express';
import multer from 'multer';
import { FILE_LIMITS } from './limits.js';
import { fileError } from './messages.js';

/**
 * Multipart uploads held in memory (the limits keep that small), with multer's errors turned into the
 * platform's 4xx answers: one place decides how a too-large or malformed upload is answered.
 */
/** The longest text field a multipart form may carry. */
const FIELD_KB = 64;

export function uploadFiles(opts: { fields?: number } = {}): RequestHandler {
  const fields = opts.fields ?? 4;
  const upload = multer({
    storage: multer.memoryStorage(),
    // Browsers send a file's name as raw UTF-8 bytes; multer's default (latin1) would turn "Dự thảo" into mojibake.
    defParamCharset: 'utf8',
    limits: { fileSize: FILE_LIMITS.maxFileBytes, files: FILE_LIMITS.maxFiles, fields, fieldSize: FIELD_KB * 1024, parts: FILE_LIMITS.maxFiles + fields },
  });
  return (req, res, next) => {
    upload.any()(req, res, (err: unknown) => {
      if (!err) return next();
      const e = err as { code?: string; message?: string };
      if (e.code === 'LIMIT_FILE_SIZE') return next(fileError(413, 'PayloadTooLarge', 'files.anyTooLarge', { mb: FILE_LIMITS.maxFileBytes / 1048576 }));
      // multer's other limits, said as what the person sent too much of (its code only when it adds one).
      if (e.code === 'LIMIT_FILE_COUNT') return next(fileError(400, 'InvalidRequestException', 'files.tooManyFiles', { max: FILE_LIMITS.maxFiles }));
      if (e.code === 'LIMIT_FIELD_COUNT' || e.code === 'LIMIT_PART_COUNT') return next(fileError(400, 'InvalidRequestException', 'files.tooManyFields', { max: fields }));
      if (e.code === 'LIMIT_FIELD_VALUE' || e.code === 'LIMIT_FIELD_KEY') return next(fileError(400, 'InvalidRequestException', 'files.fieldTooLong', { kb: FIELD_KB }));
      if (e.code === 'LIMIT_UNEXPECTED_FILE') return next(fileError(400, 'InvalidRequestException', 'files.unexpectedFile'));
      if (e.code?.startsWith('LIMIT_')) return next(fileError(400, 'InvalidRequestException', 'files.uploadLimit', { code: e.code }));
      next(fileError(400, 'InvalidRequestException', 'files.uploadFailed', { detail: e.message ?? 'malformed multipart body' }));
    });
  };
}

/** The files multer parsed for this request (none when the body was not multipart). */
export const uploadedFiles = (req: { files?: unknown }): Express.Multer.File[] => (Array.isArray(req.files) ? (req.files as Express.Multer.File[]) : []);
