import type { RequestHandler } from 'express';
import multer from 'multer';
import { ApiError, badRequest } from '../http/errors.js';
import { FILE_LIMITS } from './limits.js';

/**
 * Multipart uploads held in memory (the limits keep that small), with multer's errors turned into the
 * platform's 4xx answers: one place decides how a too-large or malformed upload is answered.
 */
export function uploadFiles(opts: { fields?: number } = {}): RequestHandler {
  const fields = opts.fields ?? 4;
  const upload = multer({
    storage: multer.memoryStorage(),
    // Browsers send a file's name as raw UTF-8 bytes; multer's default (latin1) would turn "Dự thảo" into mojibake.
    defParamCharset: 'utf8',
    limits: { fileSize: FILE_LIMITS.maxFileBytes, files: FILE_LIMITS.maxFiles, fields, fieldSize: 64 * 1024, parts: FILE_LIMITS.maxFiles + fields },
  });
  return (req, res, next) => {
    upload.any()(req, res, (err: unknown) => {
      if (!err) return next();
      const e = err as { code?: string; message?: string };
      if (e.code === 'LIMIT_FILE_SIZE') return next(new ApiError(413, 'PayloadTooLarge', `Tệp vượt quá ${FILE_LIMITS.maxFileBytes / 1048576} MB / a file exceeds the per-file limit`));
      if (e.code?.startsWith('LIMIT_')) return next(badRequest(`Yêu cầu tải lên vượt giới hạn (${e.code}) / upload limit exceeded`));
      next(badRequest(`Tải tệp không thành công / upload failed: ${e.message ?? 'malformed multipart body'}`));
    });
  };
}

/** The files multer parsed for this request (none when the body was not multipart). */
export const uploadedFiles = (req: { files?: unknown }): Express.Multer.File[] => (Array.isArray(req.files) ? (req.files as Express.Multer.File[]) : []);
