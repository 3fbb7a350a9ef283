import { Router } from 'express';
import { z } from 'zod';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import { parseBody, parseQuery } from '../http/validate.js';
import { SOS_CAUSES, type SosService } from './service.js';

const RaiseBody = z.object({
  instanceId: z.string().max(64),
  reason: z.string().max(2000),
  cause: z.enum(SOS_CAUSES).optional(),
}).strict();
const ResolveBody = z.object({ action: z.string().max(2000) }).strict();
const BoardQuery = z.object({ status: z.enum(['open', 'resolved']).optional(), unitId: z.string().max(100).optional() }).strict();

/** /api/sos: raise (staff working on the dossier), board and resolve (leaders, inspectors). */
export function createSosRouter(deps: { sos: SosService }): Router {
  const r = Router();
  r.get('/', guard('sos:board'), doc({ summary: 'Bảng SOS / the SOS board (leaders of the unit, province inspectors)', query: BoardQuery }), async (req, res) => {
    sendJson(res, 200, await deps.sos.board(req.principal!, parseQuery(BoardQuery, req)));
  });
  r.post('/', guard('engine:read'), doc({ summary: 'Báo SOS / raise an SOS on a dossier at risk, with a reason', body: RaiseBody, status: 201 }), async (req, res) => {
    const body = parseBody(RaiseBody, req);
    sendJson(res, 201, await deps.sos.raise(req.principal!, body.instanceId, body));
  });
  r.post('/:id/resolve', guard('sos:board'), doc({ summary: 'Xử lý SOS / resolve with the action taken', body: ResolveBody }), async (req, res) => {
    sendJson(res, 200, await deps.sos.resolve(req.principal!, String(req.params.id), parseBody(ResolveBody, req)));
  });
  return r;
}
