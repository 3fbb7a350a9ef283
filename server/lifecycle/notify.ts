import type { Procedure } from '../catalog/index.js';
import type { StoredVersion } from './store.js';
import type { Actor } from './types.js';

/**
 * The author of a version is told in the platform (the bell) when it is approved, rejected or
 * activated. The lifecycle only describes the notice; the platform hands it to the notification
 * service (`notifyStaff`), which is idempotent on `key`, so a retried request never tells twice.
 */
export interface AuthorNotice {
  key: string;
  template: 'process-approved' | 'process-rejected' | 'process-activated';
  params: Record<string, unknown>;
  usernames: string[];
  link: string;
}

export type AuthorNotifier = (n: AuthorNotice) => Promise<unknown>;

const dmy = (d: string) => d.replace(/^(\d{4})-(\d{2})-(\d{2})$/, '$3/$2/$1');

/** Everyone who wrote a revision of the version (the author first), never the system seed. */
function recipients(v: StoredVersion): string[] {
  return [...new Set([v.authorUsername, ...v.editorUsernames])].filter((u) => u && u !== 'system');
}

export function authorNotice(event: 'approved' | 'rejected' | 'activated', v: StoredVersion, p: Procedure, actor: Actor): AuthorNotice | undefined {
  const usernames = recipients(v);
  if (!usernames.length) return undefined;
  const base = { procedure: p.name, version: v.number };
  const params = event === 'approved'
    ? { ...base, approver: actor.displayName, decisionNumber: v.decision?.number ?? '', effectiveDate: dmy(v.decision?.effectiveDate ?? '') }
    : event === 'rejected'
      ? { ...base, approver: actor.displayName, comment: v.rejectionComment ?? '' }
      : { ...base, by: actor.displayName };
  return { key: `process-version:${v.id}:${event}`, template: `process-${event}`, params, usernames, link: `#/versions/${v.id}` };
}
