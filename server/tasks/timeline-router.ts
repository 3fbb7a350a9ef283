import { Router, type Request } from 'express';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import type { TimelineService } from './timeline.js';

/** `/api/dossiers/:id/timeline`: every hand-over, comment, document, SOS and status change of a dossier. */
export function createTimelineRouter(deps: { timeline: TimelineService; onRead?: (req: Request, instanceId: string) => void }): Router {
  const r = Router();
  r.get('/:id/timeline', guard('engine:read'), doc({ summary: 'Dòng thời gian hồ sơ / a dossier\'s hand-overs, comments, documents, SOS' }), async (req, res) => {
    const t = await deps.timeline.forReader(req.principal!, String(req.params.id));
    // Comments may name the applicant: the read is audited like any dossier data.
    deps.onRead?.(req, t.instanceId);
    sendJson(res, 200, t);
  });
  return r;
}
