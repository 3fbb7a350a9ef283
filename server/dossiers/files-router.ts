import type { Request } from 'express';
import { onField } from '../http/errors.js';
import { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { checkUploads, type FileStore, uploadedFiles, uploadFiles } from '../files/index.js';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import { parse, parseParams } from '../http/validate.js';
import type { DossierService } from './service.js';
import { FINAL_STATUSES } from './states.js';
import { dossierError, dossierKey } from './messages.js';

/**
 * `/api/dossiers/:id/files`: the documents of a dossier — the components the citizen filed and what
 * staff add while working on it (a step's draft decision, an opinion, a scanned supplement). Reading
 * the list or a file is scoped like the dossier itself; downloading is audited (the files hold
 * personal data). Uploading needs a staff role in the dossier's unit and an open dossier.
 */
export interface DossierFilesRouterDeps {
  dossiers: DossierService;
  files: FileStore;
  knex: Knex;
  recordAccess: (db: Knex, req: Request, target: { type: string; id: string }) => Promise<void>;
}

const Id = z.object({ id: z.uuid(dossierKey('dossiers.notADossierId')) });
const FileParams = z.object({ id: z.uuid(), fileId: z.uuid(dossierKey('dossiers.notAFileId')) });
const UploadFields = z.object({ label: z.string().trim().max(200).optional() }).strict();

const owner = (id: string) => ({ type: 'dossier', id });

export function createDossierFilesRouter(deps: DossierFilesRouterDeps): Router {
  const { dossiers, files, knex } = deps;
  const r = Router();

  r.get('/:id/files', guard('dossier:read'), doc({ summary: 'Tệp của hồ sơ (thành phần và tài liệu xử lý) / the dossier’s files', params: Id }), async (req, res) => {
    const { id } = parseParams(Id, req);
    await dossiers.get(id, req.principal!);
    sendJson(res, 200, { items: await files.list(knex, owner(id)) });
  });

  r.get('/:id/files/:fileId', guard('dossier:read'), doc({ summary: 'Tải một tệp của hồ sơ (ghi nhật ký) / download one file (audited)', params: FileParams, responseType: 'application/octet-stream' }), async (req, res) => {
    const { id, fileId } = parseParams(FileParams, req);
    await dossiers.get(id, req.principal!);
    const found = await files.read(knex, owner(id), fileId);
    if (!found) throw dossierError(404, 'NotFound', 'dossiers.noSuchFile', { id: fileId });
    await deps.recordAccess(knex, req, { type: 'dossier-file', id: fileId });
    const ascii = found.file.fileName.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/[^A-Za-z0-9._-]+/g, '_');
    res.setHeader('Content-Type', found.file.mime);
    res.setHeader('Content-Length', String(found.body.length));
    res.setHeader('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(found.file.fileName)}`);
    res.end(found.body);
  });

  r.post('/:id/files', guard('engine:task'), doc({ summary: 'Đính kèm tài liệu vào hồ sơ (PDF/JPEG/PNG, kiểm tra theo nội dung) / attach documents', params: Id, bodyType: 'multipart/form-data', status: 201 }), uploadFiles(), async (req, res) => {
    const { id } = parseParams(Id, req);
    const { label } = parse(UploadFields, req.body ?? {}, 'body');
    const uploads = uploadedFiles(req);
    if (!uploads.length) throw onField(dossierError(400, 'InvalidRequestException', 'dossiers.noFileChosen'), 'body.file');
    const d = await dossiers.get(id, req.principal!);
    if (FINAL_STATUSES.has(d.status)) throw dossierError(409, 'Conflict', 'dossiers.closedNoAttach', { code: d.code, status: d.status }, { status: d.status });
    const p = req.principal!;
    const saved = await knex.transaction(async (trx) => {
      const kinds = checkUploads(uploads.map((f) => ({ name: f.originalname, buffer: f.buffer })), await files.totalSize(trx, owner(id)));
      const out = [];
      for (let i = 0; i < uploads.length; i++) {
        out.push(await files.save(trx, owner(id), { name: uploads[i]!.originalname, buffer: uploads[i]!.buffer, mime: kinds[i]!, label: label ?? '' }));
      }
      await dossiers.recordEvent(id, { kind: 'files-added', data: { files: out.map((f) => ({ id: f.id, name: f.fileName, label: f.label })) } }, { id: p.userId, name: p.displayName || p.username }, trx);
      return out;
    });
    sendJson(res, 201, { items: saved });
  });
  return r;
}
