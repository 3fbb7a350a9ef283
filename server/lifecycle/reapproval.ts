import type { Knex } from 'knex';
import * as store from './store.js';

/**
 * Re-approval trigger, for identity's `onRoleHoldersChanged` hook (runs in the caller's transaction):
 * flags the active processes that name one of `roles` and run in one of `unitIds`. Returns how many.
 */
export function markNeedsReviewForRoles(trx: Knex.Transaction, change: { roles: string[]; unitIds: string[] }): Promise<number> {
  return store.flagNeedsReview(trx, change.roles, change.unitIds,
    `Thay đổi người giữ vai trò ${change.roles.join(', ')} tại ${change.unitIds.join(', ')}`);
}
