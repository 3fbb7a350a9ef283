import { Router } from 'express';
import { z } from 'zod';
import { identityKey } from './messages.js';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import { ROLES } from './permissions.js';
import type { IdentityService } from './service.js';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, identityKey('identity.slugFormat'));
const username = z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, identityKey('identity.usernameFormat'));
const name = z.string().trim().min(1).max(300);
const role = z.enum(ROLES);

const UnitParams = z.object({ id: slug }).strict();
const UnitQuery = z.object({ q: z.string().max(200).optional() }).strict();
const NewUnit = z.object({ id: slug, parentId: slug.nullable(), name, kind: slug }).strict();
const UnitPatch = z.object({ name: name.optional(), kind: slug.optional() }).strict();

const UserParams = z.object({ username }).strict();
const RoleParams = z.object({ username, role, unitId: slug }).strict();
const TokenParams = z.object({ username, id: z.uuid() }).strict();
const UserQuery = z.object({
  q: z.string().max(200).optional(),
  unitId: slug.optional(),
  role: role.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
}).strict();
const RoleBody = z.object({ role, unitId: slug, title: z.string().trim().max(200).optional() }).strict();
const NewUser = z.object({
  username,
  displayName: name,
  kind: z.enum(['user', 'service']).default('user'),
  password: z.string().max(200).optional(),
  roles: z.array(RoleBody).max(50).optional(),
}).strict();
const UserPatch = z.object({ displayName: name.optional(), disabled: z.boolean().optional(), password: z.string().max(200).optional() }).strict();
const NewToken = z.object({ name: name, expiresAt: z.iso.datetime({ offset: true }).optional() }).strict();
const HolderQuery = z.object({ role, unitId: slug }).strict();

/** /api/units: the organisation tree. Everyone logged in reads it; administrators change it. */
export function createUnitsRouter(deps: { identity: IdentityService }): Router {
  const { identity } = deps;
  const r = Router();
  r.get('/', guard('authenticated'), doc({ summary: 'Units visible to the caller (tree)', query: UnitQuery }), async (req, res) => {
    const q = parseQuery(UnitQuery, req);
    sendJson(res, 200, { items: await identity.listUnits(q.q) });
  });
  r.get('/kinds', guard('authenticated'), doc({ summary: 'Unit kinds' }), async (_req, res) => {
    sendJson(res, 200, { items: await identity.unitKinds() });
  });
  r.get('/:id', guard('authenticated'), doc({ summary: 'One unit', params: UnitParams }), async (req, res) => {
    const { id } = parseParams(UnitParams, req);
    sendJson(res, 200, await identity.getUnit(id));
  });
  r.post('/', guard('identity:admin'), doc({ summary: 'Create a unit', body: NewUnit }), async (req, res) => {
    sendJson(res, 201, await identity.createUnit(parseBody(NewUnit, req)));
  });
  r.patch('/:id', guard('identity:admin'), doc({ summary: 'Update a unit', params: UnitParams, body: UnitPatch }), async (req, res) => {
    const { id } = parseParams(UnitParams, req);
    sendJson(res, 200, await identity.updateUnit(id, parseBody(UnitPatch, req)));
  });
  r.delete('/:id', guard('identity:admin'), doc({ summary: 'Delete a unit', params: UnitParams }), async (req, res) => {
    const { id } = parseParams(UnitParams, req);
    await identity.deleteUnit(id);
    sendJson(res, 200, { ok: true });
  });
  return r;
}

/** /api/users: accounts, role assignments (positions) and API tokens; administrators only. */
export function createUsersRouter(deps: { identity: IdentityService }): Router {
  const { identity } = deps;
  const r = Router();
  r.get('/', guard('identity:admin'), doc({ summary: 'Users (filtered, paged)', query: UserQuery }), async (req, res) => {
    const q = parseQuery(UserQuery, req);
    sendJson(res, 200, await identity.listUsers(q));
  });
  // Who would receive a task for this candidate group in this unit (designers, dossier routing).
  r.get('/holders', guard('process:read'), doc({ summary: 'Users holding a role in a unit', query: HolderQuery }), async (req, res) => {
    const q = parseQuery(HolderQuery, req);
    sendJson(res, 200, { items: await identity.roleHolders(q.role, [q.unitId]) });
  });
  r.get('/:username', guard('identity:admin'), doc({ summary: 'One user', params: UserParams }), async (req, res) => {
    const { username: u } = parseParams(UserParams, req);
    sendJson(res, 200, await identity.getUser(u));
  });
  r.post('/', guard('identity:admin'), doc({ summary: 'Create a user', body: NewUser }), async (req, res) => {
    sendJson(res, 201, await identity.createUser(parseBody(NewUser, req)));
  });
  r.patch('/:username', guard('identity:admin'), doc({ summary: 'Update a user (name, disabled)', params: UserParams, body: UserPatch }), async (req, res) => {
    const { username: u } = parseParams(UserParams, req);
    sendJson(res, 200, await identity.updateUser(u, parseBody(UserPatch, req)));
  });
  r.post('/:username/roles', guard('identity:admin'), doc({ summary: 'Grant a role in a unit', params: UserParams, body: RoleBody }), async (req, res) => {
    const { username: u } = parseParams(UserParams, req);
    const b = parseBody(RoleBody, req);
    sendJson(res, 200, await identity.assignRole(u, b.role, b.unitId, b.title));
  });
  r.delete('/:username/roles/:role/:unitId', guard('identity:admin'), doc({ summary: 'Revoke a role in a unit', params: RoleParams }), async (req, res) => {
    const p = parseParams(RoleParams, req);
    sendJson(res, 200, await identity.removeRole(p.username, p.role, p.unitId));
  });
  r.get('/:username/tokens', guard('identity:admin'), doc({ summary: "A service account's API tokens", params: UserParams }), async (req, res) => {
    const { username: u } = parseParams(UserParams, req);
    sendJson(res, 200, { items: await identity.listApiTokens(u) });
  });
  r.post('/:username/tokens', guard('identity:admin'), doc({ summary: 'Issue an API token (shown once)', params: UserParams, body: NewToken }), async (req, res) => {
    const { username: u } = parseParams(UserParams, req);
    const b = parseBody(NewToken, req);
    // The token is shown once; only its hash is kept.
    sendJson(res, 201, await identity.createApiToken(u, b.name, b.expiresAt ? new Date(b.expiresAt) : null));
  });
  r.delete('/:username/tokens/:id', guard('identity:admin'), doc({ summary: 'Revoke an API token', params: TokenParams }), async (req, res) => {
    const p = parseParams(TokenParams, req);
    await identity.revokeApiToken(p.username, p.id);
    sendJson(res, 200, { ok: true });
  });
  return r;
}
