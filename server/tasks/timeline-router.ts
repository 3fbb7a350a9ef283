import { Router, type Request } from 'express';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import type { TimelineService } from './timeline.js';

/**
 * `/api/dossiers/:id/handovers`: every hand-over (giao / nhận) of a dossier's steps with who, unit, time
 * spent against the budget and early / on time / late, plus claims, assignments, comments, outcomes and
 * SOS. The dossier capability's `/api/dossiers/:id/timeline` keeps the status history and its events.
 */
export function createTimelineRouter(deps: { timeline: TimelineService; onRead?: (req: Request, instanceId: string) => void }): Router {
  const r = Router();
  r.get('/:id/handovers', guard('engine:read'), doc({ summary: 'Dòng thời gian hồ sơ / a dossier\'s hand-overs, comments, documents, SOS' }), async (req, res) => {
    const t = await deps.timeline.forReader(req.principal!, String(req.params.id));
    // Comments may name the applicant: the read is audited like any dossier data.
    deps.onRead?.(req, t.instanceId);
    sendJson(res, 200, t);
  });
  return r;
}
