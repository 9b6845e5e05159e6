/**
 * An upgrade must not leave running cases stale. A release that changes the fold (StageRecord's
 * enteredBy) or the timers (morning reminders) finds cases whose stored state and due time were
 * written by the release before. Here: cases raised through the real bot, their stored copies
 * then put back as the older release wrote them; `audit verify` (as an administrator runs it)
 * reports them; the next start brings them up to date (logged as a count, never the adult's
 * details) and `audit verify` is clean; `audit restate` does the same on demand.
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { calendarFor, nextTimerAt, replay, type CaseState } from '../../src/domain/escalation';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { startTestBot, type TestBot } from '../fakes/bot';
import { runCli } from '../fakes/cli';
import { captureLogs } from '../fakes/leaks';
import { teamsPeople, teamsRaiseForm } from '../fakes/teams-client';

/** Two cases raised on Teams by Alex (council) with the police; their references. */
async function raiseTwo(bot: TestBot): Promise<{ first: string; second: string }> {
  const made: string[] = [];
  for (let i = 0; i < 2; i++) {
    const before = new Set(await bot.app.repo.allReferences());
    const raised = await bot.click(teamsPeople.alex, 'raise-submit', teamsRaiseForm);
    if (!JSON.stringify(raised.body).includes('is raised')) throw new Error('the case was not raised');
    made.push((await bot.app.repo.allReferences()).find((r) => !before.has(r)) ?? '');
  }
  return { first: made[0] as string, second: made[1] as string };
}

jest.setTimeout(180_000);

/** Teams only: these cases need no Slack (whose client would go on trying a stopped fake after the test). */
const NO_SLACK = { SLACK_SIGNING_SECRET: '', SLACK_BOT_TOKEN: '' };

/** A due time no timer of these cases gives: what an older release's timers might have stored. */
const OLD_DUE = '2027-01-29T17:00:00.000Z';

/** Put each case's stored state and due time back as the release before enteredBy wrote them. */
function asOldReleaseWroteThem(file: string): void {
  const db = new Database(file);
  try {
    const rows = db.prepare('SELECT reference, state FROM cases').all() as Array<{ reference: string; state: string }>;
    for (const row of rows) {
      const state = JSON.parse(row.state) as CaseState;
      const old = { ...state, stages: state.stages.map(({ enteredBy: _gone, ...stage }) => stage) };
      db.prepare('UPDATE cases SET state = ?, due_at = ? WHERE reference = ?').run(
        JSON.stringify(old),
        OLD_DUE,
        row.reference,
      );
    }
  } finally {
    db.close();
  }
}

test('cases stored by the release before are reported by audit verify, then brought up to date at start-up', async () => {
  const first = await startTestBot({ env: { ...NO_SLACK, LOG_LEVEL: 'warn' } });
  const dataDir = first.dataDir;
  const file = `${dataDir}/escalations.sqlite`;
  try {
    const { first: one, second: two } = await raiseTwo(first);
    await first.stop();
    asOldReleaseWroteThem(file);

    const before = runCli(['audit', 'verify', '--db', file]);
    expect(before.status).toBe(1);
    expect(before.stderr).toMatch(new RegExp(`case ${one}: the stored state is not what its events give`));
    expect(before.stderr).toMatch(/\(state-mismatch\)/);
    expect(before.stderr).toMatch(/\(record-mismatch\)/);

    // The upgraded release starts on the same store.
    const logs = captureLogs();
    const second = await startTestBot({
      env: { ...NO_SLACK, DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      logDestination: logs.destination,
    });
    try {
      await second.app.caughtUp;
      await second.app.settle();
      const said = logs.lines.join('');
      expect(said).toContain('brought 2 cases up to date after an upgrade');
      // Never the adult's details (the raise forms' initials and summaries).
      for (const words of ['J S', teamsRaiseForm.summary, 'LCC-123456']) expect(said).not.toContain(words);
      for (const reference of [one, two]) {
        const stored = await second.app.repo.getCase(reference);
        const derived = replay((await second.app.repo.getEvents(reference)).map((e) => e.event)) as CaseState;
        expect(stored?.state.stages[0]?.enteredBy).toBe('raising');
        expect(stored?.dueAt).toBe(nextTimerAt(derived, calendarFor(derived.procedure)));
        expect(stored?.dueAt).not.toBe(OLD_DUE);
      }
    } finally {
      await second.stop();
    }

    const after = runCli(['audit', 'verify', '--db', file]);
    expect(after.stderr).toBe('');
    expect(after.stdout).toMatch(/^ok: 2 cases and \d+ events verified/);
    expect(after.status).toBe(0);

    // On demand: the same again, then nothing left to do.
    asOldReleaseWroteThem(file);
    const restate = runCli(['audit', 'restate', '--db', file]);
    expect(restate.stdout).toContain('brought 2 cases up to date after an upgrade (2 cases checked)');
    expect(restate.status).toBe(0);
    const again = runCli(['audit', 'restate', '--db', file]);
    expect(again.stdout).toContain('every case is up to date with this release (2 cases checked)');
    expect(again.status).toBe(0);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('audit restate leaves a case whose events were tampered with, says so, and exits 1', async () => {
  const first = await startTestBot({ env: { ...NO_SLACK, LOG_LEVEL: 'warn' } });
  const file = `${first.dataDir}/escalations.sqlite`;
  try {
    const { first: one, second: two } = await raiseTwo(first);
    await first.stop();
    asOldReleaseWroteThem(file);
    const db = new Database(file);
    try {
      const row = db.prepare('SELECT body FROM events WHERE reference = ? AND seq = 1').get(one) as {
        body: string;
      };
      db.exec('DROP TRIGGER IF EXISTS events_no_update');
      const edited = { ...(JSON.parse(row.body) as Record<string, unknown>), at: '2026-01-01T09:00:00.000Z' };
      db.prepare('UPDATE events SET body = ? WHERE reference = ? AND seq = 1').run(JSON.stringify(edited), one);
    } finally {
      db.close();
    }
    const restate = runCli(['audit', 'restate', '--db', file]);
    expect(restate.status).toBe(1);
    expect(restate.stdout).toContain('brought 1 case up to date after an upgrade');
    expect(restate.stderr).toContain(`case ${one}: A case’s timeline does not verify`);
    expect(restate.stderr).toContain('1 case left as it was: run "audit verify" to see why');
    const repo = SqliteRepository.open(file);
    try {
      expect((await repo.getCase(one))?.dueAt).toBe(OLD_DUE);
      expect((await repo.getCase(two))?.dueAt).not.toBe(OLD_DUE);
    } finally {
      await repo.close();
    }
    const verify = runCli(['audit', 'verify', '--db', file]);
    expect(verify.status).toBe(1);
    expect(verify.stderr).toMatch(new RegExp(`case ${one}, event 1: .*\\(event-edited\\)`));
  } finally {
    rmSync(first.dataDir, { recursive: true, force: true });
  }
});
