/**
 * /livez and /readyz on the whole bot: live whatever the store does; ready once the store answers
 * and the outbox worker runs, not ready (503) when the store fails, with what is not ready in
 * words for this machine only; a request through a proxy is told ready or not, nothing more.
 * /livez answers even when every place for requests in flight is taken.
 */
import { StoreError } from '../../src/app/store/repository';
import { LoopWatch } from '../../src/http/probes';
import { startTestBot, type TestBot } from '../fakes/bot';
import { halfRequest, rawRequest } from '../fakes/raw-http';

let bot: TestBot;
beforeAll(async () => {
  bot = await startTestBot({ http: { maxInFlight: 3, maxUnverified: 3 } });
});
afterAll(async () => {
  await bot.stop();
});

async function eventuallyReady(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if ((await rawRequest(`${bot.base}/readyz`)).status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('/readyz never said ready');
}

test('live and ready: a short answer, not cached by anyone', async () => {
  const live = await rawRequest(`${bot.base}/livez`);
  expect(live.status).toBe(200);
  expect(JSON.parse(live.text)).toEqual({ status: 'live' });
  expect(live.headers['cache-control']).toBe('no-store');
  await eventuallyReady();
  const ready = await rawRequest(`${bot.base}/readyz`);
  expect(JSON.parse(ready.text)).toEqual({ status: 'ready' });
  expect((await rawRequest(`${bot.base}/readyz`, { method: 'HEAD' })).status).toBe(200);
  expect((await rawRequest(`${bot.base}/readyz`, { method: 'POST', body: 'x' })).status).toBe(405);
  // /healthz is as it was.
  expect((await rawRequest(`${bot.base}/healthz`)).status).toBe(200);
});

test('a failing store: not ready (503), what is wrong for this machine only; still live', async () => {
  const repo = bot.app.repo;
  const dueCases = repo.dueCases.bind(repo);
  repo.dueCases = () => Promise.reject(new StoreError('unavailable', 'database is locked at /data/escalations.sqlite'));
  try {
    // The last answer is kept for a second.
    await new Promise((r) => setTimeout(r, 1100));
    const local = await rawRequest(`${bot.base}/readyz`);
    expect(local.status).toBe(503);
    expect(local.headers['retry-after']).toBeDefined();
    expect(JSON.parse(local.text)).toEqual({ status: 'not ready', problems: ['The store did not answer a read.'] });
    expect(local.text).not.toContain('escalations.sqlite');
    const proxied = await rawRequest(`${bot.base}/readyz`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(proxied.status).toBe(503);
    expect(JSON.parse(proxied.text)).toEqual({ status: 'not ready' });
    expect((await rawRequest(`${bot.base}/livez`)).status).toBe(200);
  } finally {
    repo.dueCases = dueCases;
  }
  await new Promise((r) => setTimeout(r, 1100));
  await eventuallyReady();
});

test('the outbox worker stopped: not ready', async () => {
  await bot.app.delivery.stop();
  try {
    const answer = await rawRequest(`${bot.base}/readyz`);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      status: 'not ready',
      problems: ['The outbox worker (which sends messages) is stopped.'],
    });
  } finally {
    bot.app.delivery.start();
  }
  await eventuallyReady();
});

test('every place for requests taken: /livez still answers 200 (a busy bot is not restarted)', async () => {
  // Teams is loaded with its first request here (no Microsoft app id): load it first, so the
  // requests below are each taken in turn rather than queued behind that load.
  await rawRequest(`${bot.base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const hanging = Array.from({ length: 3 }, () =>
    halfRequest(
      '127.0.0.1',
      Number(new URL(bot.base).port),
      'POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    ),
  );
  try {
    await new Promise((r) => setTimeout(r, 100));
    expect((await rawRequest(`${bot.base}/healthz`)).status).toBe(503);
    expect((await rawRequest(`${bot.base}/livez`)).status).toBe(200);
  } finally {
    for (const h of hanging) h.socket.destroy();
  }
  await Promise.all(hanging.map((h) => h.closed));
});

test('the loop watch: a loop held up past its limit is wedged until its timer runs on time again', async () => {
  const watch = new LoopWatch(50, 1000);
  expect(watch.wedged).toBe(false); // not started: never wedged
  watch.start();
  try {
    await new Promise((r) => setTimeout(r, 120));
    expect(watch.wedged).toBe(false);
    // Hold the loop (as a runaway computation would) for longer than the limit.
    const until = Date.now() + 1300;
    while (Date.now() < until) {
      /* busy */
    }
    expect(watch.wedged).toBe(true);
    // Its timer runs late once (still wedged), then on time.
    await new Promise((r) => setTimeout(r, 500));
    expect(watch.wedged).toBe(false);
  } finally {
    watch.stop();
  }
});
