/** The domain's own figures (in this process: pure code, no peers). */
import { strict as assert } from 'node:assert';
import { performance } from 'node:perf_hooks';
import { loadProcedures } from '../../src/app/procedures';
import { calendarFor, decide, raise, type CaseState } from '../../src/domain/escalation';
import { figure } from './figures';

const RUNS = 3;

export function benchCore(): void {
  const loads: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    loadProcedures();
    loads.push(performance.now() - t0);
  }
  figure({ name: 'procedures.load_five_boards', unit: 'ms', runs: loads, limit: { max: 500 } });
  const ns = loadProcedures().get('north-somerset');
  assert.ok(ns);
  const calendar = calendarFor(ns);
  const worker = { personId: 'ann', agencyId: 'council', roles: ['practitioner'] };
  const manager = { personId: 'eve', agencyId: 'council', roles: ['second-tier-manager'] };
  const form = { initials: 'JS', category: 'case-closure', summary: 's', outcomeWanted: 'o', safetyMeanwhile: 'm' };
  const rounds = 3_000;
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const t1 = performance.now();
    for (let i = 0; i < rounds; i++) {
      const now = new Date(Date.UTC(2026, 10, 2) + (i % 500) * 3_600_000);
      const raised = raise(
        ns,
        {
          type: 'raise',
          actor: worker,
          sequence: i + 1,
          immediateRisk: false,
          respondingAgency: { id: 'trust' },
          form,
        },
        now,
        calendar,
      );
      assert.ok(raised.ok);
      let state: CaseState = raised.state;
      const asked = decide(state, { type: 'request-escalation', actor: worker, reason: 'r' }, now, calendar);
      assert.ok(asked.ok);
      state = asked.state;
      const up = decide(state, { type: 'approve-escalation', actor: manager }, now, calendar);
      assert.ok(up.ok && up.state.stages.length === 2);
    }
    rates.push(rounds / ((performance.now() - t1) / 1000));
  }
  figure({ name: 'core.raise_escalate_approve', unit: 'cases/s', runs: rates, limit: { min: 1000 } });
}
