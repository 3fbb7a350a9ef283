/** Upload limits (checkUploads in index.ts, multer in upload.ts); a file of its own so upload.ts need not import index.ts. */
export const FILE_LIMITS = {
  /** Per file. */
  maxFileBytes: 10 * 1024 * 1024,
  /** Per dossier (all files together). */
  maxTotalBytes: 30 * 1024 * 1024,
  maxFiles: 20,
};
