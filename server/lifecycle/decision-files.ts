import type { Knex } from 'knex';
import { checkUploads, sniff, type FileStore, type StoredFile } from '../files/index.js';
import { lifecycleError } from './messages.js';
import type { LifecycleService, Viewer } from './service.js';
import * as store from './store.js';

/**
 * The signed decision (quyết định đã ký, scanned or digitally signed) kept with the version it
 * approves: a PDF only (by its content), stored with its sha256 like every uploaded file
 * (server/files), recorded in the version's history. Who may attach is what the version page
 * offers (`may.attachDecision`: an approver governing the procedure, once the version is approved).
 * A later upload does not erase an earlier one: the page shows the newest, the history all.
 */
const owner = (versionId: string) => ({ type: 'process-version-decision', id: versionId });

export function createDecisionFiles(deps: { knex: Knex; files: FileStore; lifecycle: LifecycleService }) {
  const { knex, files, lifecycle } = deps;

  return {
    async attach(versionId: string, upload: { name: string; buffer: Buffer }, viewer: Viewer): Promise<StoredFile> {
      const v = await lifecycle.getVersionFor(versionId, viewer);
      if (!v.may.attachDecision) {
        throw v.state === 'approved' || v.state === 'active'
          ? lifecycleError(403, 'Forbidden', 'lifecycle.mayNotAttachDecision')
          : lifecycleError(409, 'InvalidState', 'lifecycle.decisionNeedsApproval');
      }
      // The type by the content, before anything else: a decision is a PDF, never an image or a document.
      if (sniff(upload.buffer) !== 'application/pdf') throw lifecycleError(415, 'UnsupportedMediaType', 'lifecycle.decisionNotPdf', { name: upload.name });
      return knex.transaction(async (trx) => {
        const [kind] = checkUploads([upload], await files.totalSize(trx, owner(versionId)));
        const saved = await files.save(trx, owner(versionId), { name: upload.name, buffer: upload.buffer, mime: kind!, label: 'signed-decision' });
        await store.record(trx, {
          versionId, action: 'attach-decision', fromState: v.state, toState: v.state, actor: viewer,
          comment: saved.fileName, details: { fileId: saved.id, sha256: saved.sha256, size: saved.size, decisionNumber: v.decision?.number },
        });
        return saved;
      });
    },

    /** Newest first. Readable by whoever may read the version. */
    async list(versionId: string, viewer: Viewer): Promise<StoredFile[]> {
      await lifecycle.getVersionFor(versionId, viewer);
      return (await files.list(knex, owner(versionId))).reverse();
    },

    async read(versionId: string, fileId: string, viewer: Viewer): Promise<{ file: StoredFile; body: Buffer }> {
      await lifecycle.getVersionFor(versionId, viewer);
      const found = await files.read(knex, owner(versionId), fileId);
      if (!found) throw lifecycleError(404, 'NotFound', 'lifecycle.noDecisionFile', { id: fileId });
      return found;
    },
  };
}

export type DecisionFiles = ReturnType<typeof createDecisionFiles>;
