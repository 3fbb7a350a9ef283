import { Router, type Request } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { sendDocument } from '../documents/index.js';
import { buildControlSlip } from './control-slip.js';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import type { TimelineService } from './timeline.js';

/**
 * `/api/dossiers/:id/handovers`: every hand-over (giao / nhận) of a dossier's steps with who, unit, time
 * spent against the budget and early / on time / late, plus claims, assignments, comments, outcomes and
 * SOS. The dossier capability's `/api/dossiers/:id/timeline` keeps the status history and its events.
 */
export function createTimelineRouter(deps: { timeline: TimelineService; knex: Knex; onRead?: (req: Request, instanceId: string) => void }): Router {
  const r = Router();
  r.get('/:id/handovers', guard('engine:read'), doc({ summary: 'Dòng thời gian hồ sơ / a dossier\'s hand-overs, comments, documents, SOS' }), async (req, res) => {
    const t = await deps.timeline.forReader(req.principal!, String(req.params.id));
    // Comments may name the applicant: the read is audited like any dossier data.
    deps.onRead?.(req, t.instanceId);
    sendJson(res, 200, t);
  });
  /** Form 06; other form numbers fall through to the dossier capability's `/forms/:file`. */
  r.get('/:id/forms/:file', guard('dossier:read'), doc({ summary: 'Phiếu kiểm soát quá trình (mẫu 06, PDF hoặc DOCX) / control slip', params: FormParams, responseType: 'application/pdf' }), async (req, res, next) => {
    const m = /^06\.(pdf|docx)$/.exec(String(req.params.file));
    if (!m) return next();
    const t = await deps.timeline.forReader(req.principal!, String(req.params.id));
    deps.onRead?.(req, t.instanceId);
    const slip = await buildControlSlip(deps.knex, t);
    await sendDocument(res, slip, m[1] as 'pdf' | 'docx', `mau-06-${t.code ?? t.instanceId}`);
  });
  return r;
}

const FormParams = z.object({ id: z.string(), file: z.string() });
