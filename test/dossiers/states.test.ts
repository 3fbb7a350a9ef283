import { assertTransition, canTransition, TRANSITIONS, FINAL_STATUSES } from '../../server/dossiers/states.js';
import { ApiError } from '../../server/http/errors.js';

/** The table as the issue and TTHC.md §3 state it, written out independently of the implementation. */
const LEGAL = new Set([
  '0>1', '0>2', '0>3', '0>5',
  '1>2', '1>3', '1>5', '1>7',
  '2>4', '2>7',
  '4>5', '4>6', '4>7', '4>8', '4>9',
  '5>2', '5>3', '5>4', '5>7', '5>8',
  '6>4', '6>7', '6>8',
  '9>10',
]);

describe('dossier status machine', () => {
  const all = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  it.each(all.flatMap((from) => all.filter((to) => to !== 0).map((to) => [from, to] as const)))('%i → %i', (from, to) => {
    const legal = LEGAL.has(`${from}>${to}`);
    expect(canTransition(from, to)).toBe(legal);
    if (legal) {
      expect(() => assertTransition(from, to)).not.toThrow();
    } else {
      let err: unknown;
      try { assertTransition(from, to); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(409);
      expect((err as ApiError).message).toContain(`trạng thái ${from}`);
      expect((err as ApiError).message).toContain(`sang ${to}`);
    }
  });

  it('final states (refused, withdrawn, stopped, returned) have no way out; a refused dossier cannot be resolved', () => {
    for (const s of FINAL_STATUSES) expect(TRANSITIONS[s]).toEqual([]);
    expect([...FINAL_STATUSES].sort((a, b) => a - b)).toEqual([3, 7, 8, 10]);
    expect(canTransition(3, 9)).toBe(false);
  });
});
