import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { FILE_LIMITS } from './limits.js';
import { fileError } from './messages.js';

/**
 * Uploaded files (dossier components). Bytes live outside the web root, under `<DATA_DIR>/files/`,
 * content-addressed by sha256 (`ab/abcdef….bin`, never the uploaded name); `stored_file` rows say
 * what was uploaded, by whom, for which owner. The type is decided by the content's magic bytes,
 * never by the name or the declared type: PDF, JPEG and PNG only.
 */
export type FileKind = 'application/pdf' | 'image/jpeg' | 'image/png';

export { uploadFiles, uploadedFiles } from './upload.js';

export interface StoredFile { id: string; fileName: string; mime: FileKind; size: number; sha256: string; label: string }

/** A `stored_file` row as PostgreSQL returns it (migrations/0610_files.ts): bigint `size` as text (written as a number). */
interface StoredFileRow {
  id: string; owner_type: string; owner_id: string; label: string; file_name: string; mime: FileKind; size: string | number;
  sha256: string; storage_key: string; created_at: Date;
}

const toStoredFile = (r: StoredFileRow): StoredFile => ({ id: r.id, fileName: r.file_name, mime: r.mime, size: Number(r.size), sha256: r.sha256, label: r.label });

/** The content's type from its first bytes, or undefined when it is none of PDF, JPEG, PNG. */
export function sniff(buf: Buffer): FileKind | undefined {
  if (buf.length >= 5 && buf.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'image/jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return undefined;
}

/** Checks a batch of uploads against the limits and the allowed types; throws a 4xx naming the file. */
export function checkUploads(files: Array<{ name: string; buffer: Buffer }>, already: { bytes: number; files: number } = { bytes: 0, files: 0 }): FileKind[] {
  if (files.length + already.files > FILE_LIMITS.maxFiles) throw fileError(400, 'InvalidRequestException', 'files.tooMany', { max: FILE_LIMITS.maxFiles });
  let total = already.bytes;
  return files.map((f) => {
    if (f.buffer.length === 0) throw fileError(400, 'InvalidRequestException', 'files.empty', { name: f.name });
    if (f.buffer.length > FILE_LIMITS.maxFileBytes) throw fileError(413, 'PayloadTooLarge', 'files.fileTooLarge', { name: f.name, mb: FILE_LIMITS.maxFileBytes / 1048576 });
    total += f.buffer.length;
    if (total > FILE_LIMITS.maxTotalBytes) throw fileError(413, 'PayloadTooLarge', 'files.totalTooLarge', { mb: FILE_LIMITS.maxTotalBytes / 1048576 });
    const kind = sniff(f.buffer);
    if (!kind) throw fileError(415, 'UnsupportedMediaType', 'files.badType', { name: f.name });
    return kind;
  });
}

export function createFileStore(deps: { knex: Knex; dir: string }) {
  const root = path.resolve(deps.dir);

  const pathOf = (sha: string) => path.join(root, sha.slice(0, 2), `${sha}.bin`);

  return {
    /**
     * Writes the bytes (once per content) and records the file inside the caller's transaction.
     * A rolled-back transaction leaves at most an unreferenced content file, never a row without bytes.
     */
    async save(trx: Knex.Transaction, owner: { type: string; id: string }, f: { name: string; label?: string; buffer: Buffer; mime: FileKind }): Promise<StoredFile> {
      const sha = crypto.createHash('sha256').update(f.buffer).digest('hex');
      const target = pathOf(sha);
      if (!fs.existsSync(target)) {
        await fs.promises.mkdir(path.dirname(target), { recursive: true });
        const tmp = `${target}.${process.pid}.${crypto.randomUUID()}.tmp`;
        await fs.promises.writeFile(tmp, f.buffer, { mode: 0o600 });
        await fs.promises.rename(tmp, target);
      }
      const fileName = path.basename(f.name).replace(/[\u0000-\u001f]/g, '').slice(0, 200) || 'tep';
      const [row] = await trx<StoredFileRow>('stored_file').insert({
        owner_type: owner.type, owner_id: owner.id, label: f.label ?? '', file_name: fileName, mime: f.mime, size: f.buffer.length, sha256: sha, storage_key: `${sha.slice(0, 2)}/${sha}.bin`,
      }).returning('id');
      return { id: row!.id, fileName, mime: f.mime, size: f.buffer.length, sha256: sha, label: f.label ?? '' };
    },

    async list(db: Knex | Knex.Transaction, owner: { type: string; id: string }): Promise<StoredFile[]> {
      const rows = await db<StoredFileRow>('stored_file').where({ owner_type: owner.type, owner_id: owner.id }).orderBy('created_at');
      return rows.map(toStoredFile);
    },

    /** Bytes already stored for this owner, so a later upload is held to the per-owner total. */
    async totalSize(db: Knex | Knex.Transaction, owner: { type: string; id: string }): Promise<{ bytes: number; files: number }> {
      const row = await db('stored_file').where({ owner_type: owner.type, owner_id: owner.id }).sum({ bytes: 'size' }).count({ files: '*' })
        .first<{ bytes: string | number | null; files: string | number } | undefined>();
      return { bytes: Number(row?.bytes ?? 0), files: Number(row?.files ?? 0) };
    },

    /** The bytes of a file of this owner (the caller has checked the owner's scope). */
    async read(db: Knex, owner: { type: string; id: string }, fileId: string): Promise<{ file: StoredFile; body: Buffer } | undefined> {
      const r = await db<StoredFileRow>('stored_file').where({ id: fileId, owner_type: owner.type, owner_id: owner.id }).first();
      if (!r) return undefined;
      const body = await fs.promises.readFile(path.join(root, r.storage_key));
      return { file: toStoredFile(r), body };
    },
  };
}

export type FileStore = ReturnType<typeof createFileStore>;
