/**
 * /readyz's check (src/http/probes.ts) on its own: the store's answer, the sweeper's and the
 * outbox worker's beats, read against a clock the test holds; and who is given the details.
 */
import type { IncomingMessage } from 'node:http';
import { fromThisMachine, readinessCheck, type Beat, type ReadinessDeps } from '../../src/http/probes';

function setup(overrides: Partial<ReadinessDeps> = {}): {
  check: ReturnType<typeof readinessCheck>;
  clock: { ms: number };
  reads: { count: number };
  sweeper: Beat;
  outbox: { started: boolean; beat: Beat };
  logged: Array<{ level: string; msg: string; fields?: Record<string, unknown> }>;
} {
  const clock = { ms: 1_000_000 };
  const reads = { count: 0 };
  const sweeper: Beat = { endedMs: clock.ms };
  const outbox = { started: true, beat: { endedMs: clock.ms } as Beat };
  const logged: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const check = readinessCheck({
    storeRead: () => {
      reads.count++;
      return Promise.resolve([]);
    },
    sweeper: { beat: sweeper, everyMs: 30_000 },
    outbox,
    now: () => clock.ms,
    startedMs: clock.ms,
    log: (level, msg, fields) => logged.push({ level, msg, ...(fields ? { fields } : {}) }),
    ...overrides,
  });
  return { check, clock, reads, sweeper, outbox, logged };
}

test('ready when the store answers and both workers have just run', async () => {
  const { check, logged } = setup();
  expect(await check()).toEqual({ ready: true, problems: [] });
  expect(logged.map((l) => l.msg)).toEqual(['Ready: the store answers and the workers are running']);
});

test('a store that fails or does not answer is not ready, in words without its error', async () => {
  const failing = setup({ storeRead: () => Promise.reject(new Error('SQLITE_CORRUPT at /secret/path')) });
  const answer = await failing.check();
  expect(answer).toEqual({ ready: false, problems: ['The store did not answer a read.'] });
  expect(JSON.stringify(answer)).not.toContain('secret');
  const hung = setup({ storeRead: () => new Promise(() => undefined), timeoutMs: 5 });
  expect(await hung.check()).toEqual({ ready: false, problems: ['The store did not answer within two seconds.'] });
});

test('the store is read once for many probes in the same second, and again after it', async () => {
  const { check, clock, reads } = setup();
  await Promise.all(Array.from({ length: 20 }, () => check()));
  expect(reads.count).toBe(1);
  clock.ms += 500;
  await check();
  expect(reads.count).toBe(1);
  clock.ms += 600;
  await check();
  expect(reads.count).toBe(2);
});

test('a sweeper that has not run for over three intervals (at least two minutes) is not ready', async () => {
  const { check, clock, sweeper, outbox } = setup();
  clock.ms += 119_000;
  outbox.beat.endedMs = clock.ms;
  expect((await check()).ready).toBe(true);
  clock.ms += 2_000;
  outbox.beat.endedMs = clock.ms;
  expect(await check()).toEqual({ ready: false, problems: ['The deadline sweeper has not run for 2 minutes.'] });
  // A long sweep under way that began recently counts as running; one stuck for long does not.
  sweeper.startedMs = clock.ms - 10_000;
  expect((await check()).ready).toBe(true);
  clock.ms += 200_000;
  outbox.beat.endedMs = clock.ms;
  expect((await check()).problems).toEqual(['The deadline sweeper has been stuck on one run for 4 minutes.']);
});

test('a long catch-up sweep that is making progress batch by batch keeps the bot ready; one that stops making it does not', async () => {
  const { check, clock, sweeper, outbox } = setup();
  sweeper.startedMs = clock.ms;
  // Ten minutes of catch-up, a batch ending every few seconds.
  for (let i = 0; i < 200; i++) {
    clock.ms += 3_000;
    sweeper.progressMs = clock.ms;
    outbox.beat.endedMs = clock.ms;
  }
  expect(await check()).toEqual({ ready: true, problems: [] });
  clock.ms += 200_000;
  outbox.beat.endedMs = clock.ms;
  expect((await check()).problems).toEqual(['The deadline sweeper has been stuck on one run for 3 minutes.']);
});

test('a sweeper whose last run failed is not ready; one off by configuration is not asked', async () => {
  const { check, sweeper } = setup();
  sweeper.failed = true;
  expect((await check()).problems).toEqual(["The deadline sweeper's last run failed (see the log)."]);
  const off = setup({ sweeper: undefined });
  off.sweeper.failed = true;
  expect((await off.check()).ready).toBe(true);
});

test('the outbox worker stopped, or silent for a minute, is not ready; the change is logged once', async () => {
  const { check, clock, outbox, sweeper, logged } = setup();
  await check();
  outbox.started = false;
  expect((await check()).problems).toEqual(['The outbox worker (which sends messages) is stopped.']);
  await check();
  outbox.started = true;
  clock.ms += 61_000;
  sweeper.endedMs = clock.ms;
  expect((await check()).problems).toEqual(['The outbox worker (which sends messages) has not run for 61 seconds.']);
  expect(logged.map((l) => l.msg)).toEqual(['Ready: the store answers and the workers are running', 'Not ready']);
});

test('workers that have not run yet are given a moment after start, then are not ready', async () => {
  const { check, clock, sweeper, outbox } = setup();
  delete sweeper.endedMs;
  delete outbox.beat.endedMs;
  expect((await check()).ready).toBe(true);
  clock.ms += 31_000;
  expect((await check()).problems).toEqual([
    'The deadline sweeper has not run since the bot started.',
    'The outbox worker (which sends messages) has not run since the bot started.',
  ]);
});

function request(remoteAddress: string, headers: Record<string, string> = {}): IncomingMessage {
  return { socket: { remoteAddress }, headers } as unknown as IncomingMessage;
}

test('details only for this machine, and not through a proxy on it', () => {
  expect(fromThisMachine(request('127.0.0.1'))).toBe(true);
  expect(fromThisMachine(request('::1'))).toBe(true);
  expect(fromThisMachine(request('::ffff:127.0.0.1'))).toBe(true);
  expect(fromThisMachine(request('10.0.0.4'))).toBe(false);
  expect(fromThisMachine(request('::ffff:10.0.0.4'))).toBe(false);
  expect(fromThisMachine(request('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }))).toBe(false);
  expect(fromThisMachine(request('127.0.0.1', { forwarded: 'for=203.0.113.9' }))).toBe(false);
});
