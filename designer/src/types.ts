/** Shapes agreed with the identity and lifecycle APIs. */
interface RoleGrant { role: string; unitId?: string; unitName?: string }
export interface User { id?: string; username: string; displayName: string; roles: RoleGrant[] }
export interface Procedure {
  id: string; code: string; name: string; field?: string; level?: string; levels?: string[];
  agencyId?: string; agencyName?: string; managingAgencyId?: string; managingAgencyName?: string; limit?: { workingDays?: number; workingHours?: number };
  onlineLevel?: string; status?: string;
}
export interface Page<T> { items: T[]; total: number; page: number; pageSize: number }
type VersionState = 'draft' | 'in_review' | 'approved' | 'active' | 'superseded' | 'retired' | 'rejected' | 'discarded';
/** What the signed-in user may do with a version (the server decides; the page shows only these). */
interface VersionPermissions {
  edit: boolean; submit: boolean; discard: boolean; withdraw: boolean; approve: boolean; reject: boolean;
  activate: boolean; retire: boolean; rework: boolean; isAuthor: boolean; attachDecision?: boolean;
}
interface Decision { number: string; date: string; signer: string; effectiveDate: string; approverName?: string }
export interface Version {
  id: string; procedureId: string; modelId: string; level: string; number: number; state: VersionState;
  xml: string; contentHash?: string; revision: number; authorId?: string; authorName?: string;
  createdAt?: string; updatedAt?: string; decision?: Decision; rejectionComment?: string;
  procedureName?: string; procedureCode?: string; submittedAt?: string; activatedAt?: string; activationRequestedAt?: string;
  may?: VersionPermissions;
}
export interface ProcessInfo {
  model: { id: string; procedureId: string; level: string; needsReview?: boolean; activeVersionId?: string | null } | null;
  versions: Version[];
  may?: { draft: boolean };
}
export interface Finding { ruleId: string; severity: 'error' | 'warning' | 'info'; elementId?: string; message: { vi: string; en: string } | string; source?: 'server' | 'lint' }
export interface ValidationReport { findings: Finding[]; longestPath?: { totalHours: number; limitHours?: number; elementIds: string[] } }
export interface Change { id: string; type: string; name?: string; attrs?: Record<string, { old: unknown; new: unknown }> }
export interface Diff { added: Change[]; removed: Change[]; changed: Change[]; layoutChanged: Change[] }

export function limitHours(p: Procedure | undefined): number | undefined {
  if (!p?.limit) return undefined;
  if (typeof p.limit.workingHours === 'number') return p.limit.workingHours;
  if (typeof p.limit.workingDays === 'number') return p.limit.workingDays * 8;
  return undefined;
}
