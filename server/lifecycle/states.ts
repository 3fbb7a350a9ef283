import type { VersionState } from './types.js';

/**
 * The whole state machine. `save` keeps a draft a draft; `withdraw` takes an undecided submission
 * back to draft; every other action moves a version forward: a rejected version stays rejected and
 * a new draft is made from it ("rework").
 */
export const TRANSITIONS = {
  save: { from: ['draft'], to: 'draft' },
  submit: { from: ['draft'], to: 'in_review' },
  approve: { from: ['in_review'], to: 'approved' },
  reject: { from: ['in_review'], to: 'rejected' },
  activate: { from: ['approved'], to: 'active' },
  supersede: { from: ['active'], to: 'superseded' },
  retire: { from: ['active', 'approved'], to: 'retired' },
  /** The author gives a draft up; it stays readable with its history. */
  discard: { from: ['draft'], to: 'discarded' },
  /** The author takes a submission back before a decision: it is a draft again. */
  withdraw: { from: ['in_review'], to: 'draft' },
} as const satisfies Record<string, { from: readonly VersionState[]; to: VersionState }>;
export type LifecycleActionName = keyof typeof TRANSITIONS;

export function canTransition(action: LifecycleActionName, from: VersionState): boolean {
  return (TRANSITIONS[action].from as readonly VersionState[]).includes(from);
}
