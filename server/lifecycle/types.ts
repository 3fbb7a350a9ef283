import type { Knex } from 'knex';
import type { Principal } from '../http/policy.js';

export const STATES = ['draft', 'in_review', 'approved', 'active', 'superseded', 'retired', 'rejected', 'discarded'] as const;
export type VersionState = (typeof STATES)[number];

interface Decision {
  number: string;
  date: string; // YYYY-MM-DD
  signer: string;
  effectiveDate: string; // YYYY-MM-DD
  approverId: string;
  approverName: string;
  approvedAt?: string;
}

export interface VersionSummary {
  id: string;
  procedureId: string;
  modelId: string;
  level: string;
  number: number;
  state: VersionState;
  contentHash: string;
  revision: number;
  authorId: string;
  authorName: string;
  createdAt: string;
  updatedAt: string;
  submittedAt?: string;
  decision?: Decision;
  rejectionComment?: string;
  definitionId?: string;
  activatedAt?: string;
  activationRequestedAt?: string;
}

export interface Version extends VersionSummary {
  xml: string;
  processKey?: string;
  roles: string[];
}

export interface ProcessModel {
  id: string;
  procedureId: string;
  level: string;
  needsReview: boolean;
  needsReviewReason?: string;
  activeVersionId: string | null;
}

export interface LifecycleAction {
  id: number;
  versionId: string;
  action: string;
  fromState: string | null;
  toState: string | null;
  actorId: string;
  actorName: string;
  at: string;
  comment?: string;
  details?: unknown;
}

/** What the lifecycle needs from the engine (server/engine's createEngine result is adapted to this). */
export interface ProcessDeployer {
  deploy(input: { name: string; source?: string; resources: Array<{ name: string; content: string }> }, trx?: Knex.Transaction): Promise<{ deploymentId: string; definitionId: string }>;
  checkDeployable?(xml: string): Promise<Array<{ elementId?: string; message: string }>> | Array<{ elementId?: string; message: string }>;
  /** The running instances of a definition, each checked against a migration target (dry run). */
  planMigration?(fromDefinitionId: string, toDefinitionId: string): Promise<InstanceCheck[]>;
  /** Moves instances, each re-checked under its lock; those that cannot move stay as they are and are reported. */
  migrateInstances?(input: { fromDefinitionId: string; toDefinitionId: string; instanceIds: string[]; actor: string }): Promise<{ migrated: InstanceCheck[]; skipped: InstanceCheck[] }>;
  /** Stops new instances of a retired version's definition, in the retiring transaction. */
  suspend?(definitionId: string, trx: Knex.Transaction): Promise<void>;
}

interface RunningInstance { instanceId: string; businessKey: string | null; waitingActivityIds: string[] }

/** The engine's verdict on one instance (server/engine's InstanceMigrationPlan). */
export interface InstanceCheck extends RunningInstance { canMigrate: boolean; missing: string[]; problems: string[] }

export interface MigrationPlan {
  targetVersionId: string;
  fromVersionId?: string;
  dryRun: boolean;
  /** Dry run: what would move. Real run: what moved. */
  movable: Array<RunningInstance & { fromVersionId: string }>;
  /** What cannot move (or, in a real run, was left behind when re-checked), with why. */
  blocked: Array<RunningInstance & { fromVersionId: string; missingActivityIds: string[]; problems: string[] }>;
}

/** Scoping answered by the identity service. */
export interface LifecycleAccess {
  canDraftFor(principal: Pick<Principal, 'roles'>, unitId: string): Promise<boolean>;
  canApprove(principal: Pick<Principal, 'roles' | 'username'>, target: { unitId: string; authorUsername: string }): Promise<{ ok: boolean; reason?: string }>;
}

/** The minimum the lifecycle records about who acted. */
export type Actor = Pick<Principal, 'userId' | 'username' | 'displayName' | 'roles'>;

export const SYSTEM_ACTOR: Actor = { userId: 'system', username: 'system', displayName: 'Hệ thống (dữ liệu mẫu)', roles: [] };
