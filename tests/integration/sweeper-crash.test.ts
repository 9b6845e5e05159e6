/**
 * The crash test: a child process runs the deadline sweeper and the delivery worker (real store,
 * real Slack outlet, the Slack Web API faked on loopback). It is killed with SIGKILL at random
 * moments (between a batch's claim and its commit, or while the outbox is being sent) and another
 * started, until one finds nothing left to do. Then every timer due was recorded once (fired, or
 * skipped as a catch-up does), and each fired one reached each of its recipients exactly once at
 * the (fake) Slack API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseService } from '../../src/app/case-service';
import { actorFor } from '../../src/app/people';
import { loadProcedures } from '../../src/app/procedures';
import { simulationDirectory } from '../../src/app/simulate';
import { PersonalDataVault } from '../../src/app/store/personal-data';
import { dueTimers } from '../../src/domain/escalation';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { startFakeSlackApi } from '../fakes/slack-api';

jest.setTimeout(360_000);

const CHILD = join(__dirname, '..', 'crash', 'sweeper-child.ts');
const procedure = loadProcedures().get('lincolnshire');
if (!procedure) throw new Error('no lincolnshire');
const lincolnshire = procedure;
const directory = simulationDirectory(lincolnshire, 'slack');

/** A deterministic sequence, so a failure can be replayed. */
function* random(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2147483648;
    yield x / 2147483648;
  }
}

test('killed with SIGKILL at random moments and restarted, the sweeper sends every due reminder and nudge exactly once', async () => {
  // Slack keeps each channel's history: the sweeper reads it to see what it already posted.
  const api = await startFakeSlackApi({ history: true });
  const posted = api.messages;
  const apiUrl = api.url;

  // Cases raised through a week; three weeks later nobody has acted on any of them.
  const file = join(mkdtempSync(join(tmpdir(), 'crash-')), 'cases.sqlite');
  const repo = SqliteRepository.open(file);
  // Raised three and a half weeks ago (in real time: the sweeper runs on the real clock).
  const start = Date.now() - 25 * 86_400_000;
  let now = new Date(start);
  const service = new CaseService(
    repo,
    new Map([[lincolnshire.id, lincolnshire]]),
    new PersonalDataVault(Buffer.alloc(32, 4)),
    () => now,
  );
  const raiser = directory.people.find((p) => p.id === 'a-practitioner');
  if (!raiser) throw new Error('no raiser');
  const references: string[] = [];
  // A catch-up sends each case one current nudge (its missed reminders and repeats are recorded skipped).
  for (let i = 0; i < 150; i++) {
    now = new Date(start + (i % 5) * 86_400_000 + (i % 8) * 3_600_000 + i * 60_000);
    const raised = await service.raise({
      boardId: lincolnshire.id,
      command: {
        type: 'raise',
        actor: actorFor(directory, raiser, now),
        immediateRisk: false,
        respondingAgency: { id: 'agency-b', boards: [lincolnshire.id] },
        respondingPersonId: 'b-practitioner',
        form: {
          initials: 'A B',
          category: 'other',
          summary: 'A disagreement about a discharge plan.',
          outcomeWanted: 'A plan.',
          safetyMeanwhile: 'Visits.',
        },
      },
    });
    if (!raised.ok) throw new Error(raised.refusal.message);
    references.push(raised.case.reference);
  }
  const realEpoch = Date.now();
  const virtualEpoch = new Date(realEpoch).toISOString();

  const rnd = random(20261123);
  let kills = 0;
  let finished = false;
  for (let run = 0; run < 400 && !finished; run++) {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, file, apiUrl, virtualEpoch, String(realEpoch)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Let it start (about a second) and work a little, then kill it at a random moment.
    const life = 900 + Math.floor((rnd.next().value as number) * 900);
    const result = await Promise.race([
      exited.then((code) => ({ code })),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), life)),
    ]);
    if (result) {
      if (!out.includes('IDLE'))
        throw new Error(`the sweeper stopped on its own (exit ${String(result.code)}): ${out}`);
      finished = true;
    } else {
      child.kill('SIGKILL');
      await exited;
      kills++;
    }
  }
  expect(finished).toBe(true);
  expect(kills).toBeGreaterThanOrEqual(3);

  // The store: every timer due fired once and was delivered.
  const expected: string[] = [];
  const end = new Date(new Date(virtualEpoch).getTime() + (Date.now() - realEpoch));
  for (const reference of references) {
    const stored = await repo.getCase(reference);
    if (!stored) throw new Error(`lost ${reference}`);
    expect(dueTimers(stored.state, new Date(virtualEpoch))).toEqual([]);
    expect(dueTimers(stored.state, end).length).toBe(0);
    const events = (await repo.getEvents(reference)).map((e) => e.event);
    const fired = events.filter((e) => e.type === 'timer-fired');
    expect(new Set(fired.map((e) => (e.type === 'timer-fired' ? e.timer : ''))).size).toBe(fired.length);
    expect(fired.every((e) => e.type === 'timer-fired' && e.outbox)).toBe(true);
    expect(fired.filter((e) => e.type === 'timer-fired' && e.kind === 'nudge')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'timer-skipped').length).toBeGreaterThan(0);
    for (const e of fired) if (e.type === 'timer-fired') for (const p of e.recipients) expected.push(`${e.timer}#${p}`);
  }
  expect(expected.length).toBeGreaterThanOrEqual(300);
  expect(await repo.listOutbox({ status: 'failed' })).toEqual([]);
  // The fake Slack: each (timer, person) exactly once.
  const keys = posted.map((m) => m.metadata?.event_payload.key ?? '').filter((k) => !k.endsWith('#thread'));
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1).map(([k]) => k);
  if (twice.length) {
    const ref = twice[0]?.split('/')[0] ?? '';
    const events = (await repo.getEvents(ref)).map(
      (e) => `${e.seq} ${e.event.type} ${'timer' in e.event ? e.event.timer : ''} ${e.event.at}`,
    );
    const idx = posted
      .map((m, i) => [i, m] as const)
      .filter(([, m]) => m.metadata?.event_payload.key === twice[0])
      .map(([i]) => i);
    process.stderr.write(
      `TWICE ${twice.join(', ')} at ${idx.join(',')} of ${posted.length}\n${events.join('\n')}\nKILLS ${kills}\n`,
    );
  }
  expect(keys.length).toBe(expected.length);
  expect([...keys].sort()).toEqual(expected.sort());
  await repo.close();
  await api.close();
});
