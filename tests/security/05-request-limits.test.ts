/**
 * Finding 5: Bolt buffered up to 4 MB of each /slack/events body before checking its signature
 * (20 concurrent unsigned 4 MB posts added 85 MB). Now an unsigned (or stale) Slack request is
 * refused from its headers, unread; bodies above what Slack and Teams send are refused at once
 * (413); slow clients are cut off; and requests in flight are bounded (503 with Retry-After).
 */
import { request } from 'node:http';
import { startTestBot, type TestBot } from '../fakes/bot';
import { halfRequest, postHead, rawRequest, trickle } from '../fakes/raw-http';
import { slackPeople, slackPost, slackSignature, slashCommand } from '../fakes/slack-client';
import { sendActivity, teamsPeople } from '../fakes/teams-client';
import { SLOW_BODY } from '../../src/http/admission';
import { APP_ID } from './production';

let bot: TestBot;
let tight: TestBot;
/** With an app id, as in production: Teams requests must carry a sign-in. */
let prod: TestBot;

beforeAll(async () => {
  bot = await startTestBot();
  tight = await startTestBot({
    http: { maxInFlight: 3, maxUnverified: 3, headersTimeoutMs: 500, requestTimeoutMs: 1000, checkIntervalMs: 100 },
  });
  prod = await startTestBot({
    env: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-password', MicrosoftAppType: 'MultiTenant' },
  });
});
afterAll(async () => {
  await Promise.all([bot.stop(), tight.stop(), prod.stop()]);
});

const FOUR_MB = Buffer.alloc(4 * 1024 * 1024, 'a');

/** POST a 4 MB form body (one shared buffer, so the client holds no copies); the status, or 0 if cut off. */
function bigPost(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(FOUR_MB.length),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(FOUR_MB);
  });
}

const used = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

test('20 concurrent unsigned 4 MB posts are refused unread: memory barely moves', async () => {
  const before = used();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, used())), 2);
  const statuses = await Promise.all(Array.from({ length: 20 }, () => bigPost(bot.slackUrl, {})));
  // A stale timestamp with a well-formed signature is refused from its headers too.
  const stale = Math.floor(Date.now() / 1000) - 600;
  statuses.push(
    ...(await Promise.all(
      Array.from({ length: 5 }, () =>
        bigPost(bot.slackUrl, {
          'x-slack-request-timestamp': String(stale),
          'x-slack-signature': slackSignature('x', stale),
        }),
      ),
    )),
  );
  await new Promise((r) => setTimeout(r, 50));
  clearInterval(sampler);
  peak = Math.max(peak, used());
  const grewMb = (peak - before) / 1024 / 1024;
  // Each is refused (401), or cut off by the server while still sending.
  expect(statuses.every((s) => s === 401 || s === 0)).toBe(true);
  expect(statuses.filter((s) => s === 401).length).toBeGreaterThan(0);
  if (process.env.SHOW_FIGURES) process.stdout.write(`memory grew ${grewMb.toFixed(1)} MB\n`);
  expect(grewMb).toBeLessThan(15);
  expect((await rawRequest(`${bot.base}/healthz`)).status).toBe(200);
});

test('a signed Slack body above 256 KB is refused with 413, declared or not', async () => {
  const big = `${slashCommand(slackPeople.peter)}&pad=${'x'.repeat(300 * 1024)}`;
  const declared = await slackPost(bot.slackUrl, big);
  expect(declared.status).toBe(413);
  const ts = Math.floor(Date.now() / 1000);
  const chunked = await rawRequest(bot.slackUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'transfer-encoding': 'chunked',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': slackSignature(big, ts),
    },
    body: big,
  }).catch(() => ({ status: 0 }));
  expect([413, 0]).toContain(chunked.status);
  // Something Slack really sends still passes.
  const small = await slackPost(bot.slackUrl, slashCommand(slackPeople.peter));
  expect(small.status).toBe(200);
});

test('a Teams body above 512 KB is refused with 413', async () => {
  const body = JSON.stringify({ type: 'message', text: 'x'.repeat(600 * 1024) });
  const answer = await rawRequest(bot.teamsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  }).catch(() => ({ status: 0, text: '' }));
  expect(answer.status).toBe(413);
});

function port(b: TestBot): number {
  return Number(new URL(b.base).port);
}

/** Resolves with how long the server took to close the socket, or rejects after `ms`. */
function closedWithin(closed: Promise<{ ms: number }>, ms: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    closed.then((c) => c.ms),
    new Promise<number>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

test('a client that never finishes its headers (slow loris) is cut off', async () => {
  const { socket, closed } = halfRequest(
    '127.0.0.1',
    port(tight),
    'POST /api/messages HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n',
  );
  const drip = setInterval(() => socket.write('X-B: 1\r\n'), 200);
  try {
    expect(await closedWithin(closed, 4000)).toBeLessThan(4000);
  } finally {
    clearInterval(drip);
    socket.destroy();
  }
});

test('a client that never finishes its body is cut off', async () => {
  const { socket, closed } = halfRequest(
    '127.0.0.1',
    port(tight),
    'POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ty',
  );
  try {
    expect(await closedWithin(closed, 5000)).toBeLessThan(5000);
  } finally {
    socket.destroy();
  }
});

test('requests in flight are bounded: beyond the bound, 503 with Retry-After; then served again', async () => {
  const hanging = Array.from({ length: 3 }, () =>
    halfRequest(
      '127.0.0.1',
      port(tight),
      'POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    ),
  );
  try {
    await new Promise((r) => setTimeout(r, 100));
    const over = await rawRequest(`${tight.base}/healthz`);
    expect(over.status).toBe(503);
    expect(over.headers['retry-after']).toBeDefined();
  } finally {
    for (const h of hanging) h.socket.destroy();
  }
  await Promise.all(hanging.map((h) => h.closed));
  await new Promise((r) => setTimeout(r, 50));
  expect((await rawRequest(`${tight.base}/healthz`)).status).toBe(200);
});

/** Headers Slack's gate lets through (a well-formed signature, a current timestamp) that sign nothing. */
function fakeSigned(): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
    'x-slack-signature': `v0=${'ab'.repeat(32)}`,
  };
}

const teamsTrickle = (b: TestBot): ReturnType<typeof trickle> =>
  trickle('127.0.0.1', port(b), postHead('/api/messages', 500_000), 2000);
const slackTrickle = (b: TestBot): ReturnType<typeof trickle> =>
  trickle('127.0.0.1', port(b), postHead('/slack/events', 200_000, fakeSigned()), 2000);

test('220 trickling bodies (Teams, and Slack with a fake signature) cannot shut out genuine requests', async () => {
  let stopped = false;
  let held = 0;
  /** Each open attacker request, with when it was opened. */
  const open = new Map<ReturnType<typeof trickle>, number>();
  // The attacker keeps 220 requests going: each one cut off or refused is opened again at once.
  const keep = (make: () => ReturnType<typeof trickle>): void => {
    if (stopped) return;
    const t = make();
    open.set(t, Date.now());
    void t.closed.then(() => {
      open.delete(t);
      keep(make);
    });
  };
  for (let i = 0; i < 110; i++) keep(() => teamsTrickle(bot));
  for (let i = 0; i < 110; i++) keep(() => slackTrickle(bot));
  const timings: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, 1500));
    for (let round = 0; round < 5; round++) {
      // Still trickling: many of the attacker's requests have been open, unanswered, for a while (the refused ones are answered within milliseconds).
      const now = Date.now();
      const long = [...open].filter(([t, at]) => now - at > 250 && t.socket.bytesRead === 0).length;
      held = round === 0 ? long : Math.min(held, long);
      const [slack, teams] = await Promise.all([
        slackPost(bot.slackUrl, slashCommand(slackPeople.peter)),
        sendActivity(bot.teamsUrl, bot.connector.url, teamsPeople.alex, { type: 'message', text: 'help' }),
      ]);
      expect({ round, slack: slack.status, teams: teams.status }).toEqual({ round, slack: 200, teams: 200 });
      timings.push(slack.ms, teams.ms);
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    stopped = true;
    for (const t of open.keys()) t.socket.destroy();
  }
  if (process.env.SHOW_FIGURES)
    process.stdout.write(`genuine requests took ${timings.join(', ')} ms; attacker requests held open: ${held}\n`);
  expect(held).toBeGreaterThanOrEqual(50);
  expect(Math.max(...timings)).toBeLessThan(3000);
  await bot.app.settle();
}, 30_000);

test('a trickling body is cut off (408) at the body deadline, well before the 30 s request timeout', async () => {
  const started = Date.now();
  const [teams, slack] = await Promise.all([teamsTrickle(bot).closed, slackTrickle(bot).closed]);
  for (const cut of [teams, slack]) {
    expect(cut.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(cut.received).toContain(SLOW_BODY);
    expect(cut.ms).toBeGreaterThanOrEqual(4500);
    expect(cut.ms).toBeLessThan(8000);
  }
  if (process.env.SHOW_FIGURES) process.stdout.write(`trickling bodies cut off after ${Date.now() - started} ms\n`);
}, 15_000);

test('with an app id, a missing or malformed Teams sign-in is a 401 in words before the body is read', async () => {
  for (const authorization of [undefined, 'Bearer', 'Bearer garbage', 'Bearer a.b', 'Basic dXNlcjpwYXNz']) {
    // 500 KB declared, one byte sent: only an answer from the headers alone can come back.
    const half = halfRequest(
      '127.0.0.1',
      port(prod),
      `${postHead('/api/messages', 500_000, authorization ? { authorization } : {})}{`,
    );
    try {
      const closed = await closedWithin(half.closed, 3000);
      expect(closed).toBeLessThan(3000);
      const received = (await half.closed).received;
      expect({ authorization, status: received.slice(0, 12) }).toEqual({ authorization, status: 'HTTP/1.1 401' });
      expect(received).toContain('The request does not carry a valid Teams sign-in, so it was not accepted.');
    } finally {
      half.socket.destroy();
    }
  }
  expect(prod.connector.calls).toEqual([]);
});
