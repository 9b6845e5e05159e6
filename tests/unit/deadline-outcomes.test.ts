/**
 * Each deadline met, missed or pending (src/app/records/case-record.ts), read once per stage: the
 * same answers as reading every time for each deadline, as it was written before.
 */
import { deadlineOutcomes, type DeadlineOutcome } from '../../src/app/records/case-record';
import type { CaseState } from '../../src/domain/escalation';
import { act, counterpart, raised, secondTier, worker } from '../contract/fixtures';

/** The reading as it was: every time parsed again for each deadline. */
function asBefore(state: CaseState, now: Date): DeadlineOutcome[] {
  return state.stages.flatMap((s) =>
    s.deadlines.map((d) => {
      const at = new Date(d.at);
      const ackTimes = Object.values(s.acknowledged).map((a) => new Date(a.at).getTime());
      const started =
        d.kind === 'start-by' ? (ackTimes.length ? new Date(Math.max(...ackTimes)) : undefined) : undefined;
      const doneAt =
        d.kind === 'start-by'
          ? (started ?? (s.endedAt ? new Date(s.endedAt) : undefined))
          : s.endedAt
            ? new Date(s.endedAt)
            : undefined;
      const result: DeadlineOutcome['result'] = doneAt
        ? doneAt <= at
          ? 'met'
          : 'missed'
        : now > at
          ? 'missed'
          : 'pending';
      return {
        stage: s.id,
        stageName: state.procedure.stages.find((x) => x.id === s.id)?.name ?? s.id,
        deadline: d,
        result,
      };
    }),
  );
}

test('met, missed and pending as before: acknowledged early, late, by one side, escalated, resolved', () => {
  const states: CaseState[] = [];
  for (const [i, ackAfterHours] of [1, 30, 200, 900].entries()) {
    const made = raised(300 + i, '2026-11-02T10:00:00Z');
    states.push(made.state);
    const at = (hours: number): string =>
      new Date(Date.parse('2026-11-02T10:00:00Z') + hours * 3_600_000).toISOString();
    const acked = act(made.state, { type: 'acknowledge', actor: counterpart }, at(ackAfterHours));
    states.push(acked.state);
    const asked = act(
      acked.state,
      { type: 'request-escalation', actor: worker, reason: 'No agreement.' },
      at(ackAfterHours + 2),
    );
    const up = act(asked.state, { type: 'approve-escalation', actor: secondTier }, at(ackAfterHours + 3));
    states.push(up.state);
    const proposed = act(
      acked.state,
      { type: 'propose-resolution', actor: counterpart, outcome: 'A plan.', outstandingIssues: 'None.' },
      at(ackAfterHours + 5),
    );
    states.push(act(proposed.state, { type: 'confirm-resolution', actor: worker }, at(ackAfterHours + 6)).state);
  }
  const results = new Set<string>();
  for (const state of states)
    for (const now of ['2026-11-02T12:00:00Z', '2026-11-10T12:00:00Z', '2027-02-01T12:00:00Z'].map(
      (d) => new Date(d),
    )) {
      const outcomes = deadlineOutcomes(state, now);
      expect(outcomes).toEqual(asBefore(state, now));
      for (const o of outcomes) results.add(o.result);
    }
  // Every kind of answer was given, so the comparison covered each.
  expect([...results].sort()).toEqual(['met', 'missed', 'pending']);
});
