/**
 * The figures schedule in the running bot (src/main.ts): a board whose file gives
 * `oversight.figures.email` has its quarter's figures emailed (the fake SMTP server) once, even
 * looked for twice and after the bot is stopped and started again on the same store; /healthz
 * says for each board whether the bot sends them and when next; without SMTP it says so, once,
 * in the log. Camden (seed 000): "shared quarterly to the Quality and Performance Subcommittee".
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestBot, type TestBot } from '../fakes/bot';
import { captureLogs } from '../fakes/leaks';
import { rawRequest } from '../fakes/raw-http';
import { runCli } from '../fakes/cli';
import { startFakeSmtp, type FakeSmtp } from '../fakes/smtp';

const EMAIL = 'quality.performance@example.org';
const boards = mkdtempSync(join(tmpdir(), 'figures-boards-'));
const camden = readFileSync(resolve(__dirname, '..', '..', 'src', 'procedures', 'camden.yaml'), 'utf8');
writeFileSync(
  join(boards, 'camden-test.yaml'),
  camden
    .replace('\nid: camden\n', '\nid: camden-test\n')
    .replace('\nreferencePrefix: CAM\n', '\nreferencePrefix: CTT\n')
    .replace(
      '\n    to: Quality and Performance Subcommittee of the CSAPB\n',
      `\n    to: Quality and Performance Subcommittee of the CSAPB\n    email: ${EMAIL}\n`,
    ),
);

let smtp: FakeSmtp;
let now = new Date('2026-04-01T08:00:00.000Z');

beforeAll(async () => {
  smtp = await startFakeSmtp();
});
afterAll(async () => {
  await smtp.close();
});

/** Stopped once Slack's start-up check (auth.test) has been answered, so it does not outlive the fake Slack API. */
async function stop(bot: TestBot): Promise<void> {
  for (let i = 0; i < 40 && !bot.slackApi.calls.length; i++) await new Promise((r) => setTimeout(r, 50));
  await bot.stop();
}

interface Health {
  figures: Array<{ board: string; sending: string; next?: { period: string; at: string } }>;
}

test('with SMTP: the quarter just ended is emailed once, looked for twice, and again after a restart', async () => {
  const env = { PROCEDURES_DIR: boards, SMTP_URL: smtp.url, SMTP_FROM: 'escalations@example.org' };
  const first = await startTestBot({ env, clock: () => now });
  try {
    expect(await first.app.figures.tick()).toBe(1);
    expect(await first.app.figures.tick()).toBe(0);
    await first.app.settle();
    expect(smtp.received.map((m) => [m.to, m.subject])).toEqual([
      [
        [EMAIL],
        'Camden Safeguarding Adults Partnership Board: figures for resolving professional disagreements, 1 January to 31 March 2026',
      ],
    ]);
    const health = JSON.parse((await rawRequest(`${first.base}/healthz`)).text) as Health;
    expect(health.figures).toEqual(
      expect.arrayContaining([
        {
          board: 'camden',
          to: 'Quality and Performance Subcommittee of the CSAPB',
          every: 'quarter',
          next: { period: '1 April to 30 June 2026', at: '2026-07-01T08:00:00.000Z' },
          sending: 'not sent by the bot: the board file gives no email address (oversight.figures.email)',
        },
        {
          board: 'camden-test',
          to: 'Quality and Performance Subcommittee of the CSAPB',
          every: 'quarter',
          next: { period: '1 April to 30 June 2026', at: '2026-07-01T08:00:00.000Z' },
          sending: 'by email',
        },
      ]),
    );
  } finally {
    await stop(first);
  }
  // Started again on the same store, a day later: the quarter is due still, and not sent twice.
  now = new Date('2026-04-02T10:00:00.000Z');
  const again = await startTestBot({ env: { ...env, DATA_DIR: first.dataDir }, clock: () => now });
  try {
    expect(await again.app.figures.tick()).toBe(1);
    await again.app.settle();
    expect(smtp.received).toHaveLength(1);
  } finally {
    await stop(again);
  }
});

test('without SMTP: said once in the log and in /healthz, and nothing is written to send', async () => {
  const logs = captureLogs();
  const bot = await startTestBot({
    env: { PROCEDURES_DIR: boards },
    clock: () => now,
    logDestination: logs.destination,
  });
  try {
    expect(await bot.app.figures.tick()).toBe(0);
    expect(await bot.app.figures.tick()).toBe(0);
    const said = logs.lines.filter((l) => l.includes('email is not set up (SMTP_URL and SMTP_FROM)'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('figures are to be emailed to Quality and Performance Subcommittee of the CSAPB');
    const health = JSON.parse((await rawRequest(`${bot.base}/healthz`)).text) as Health;
    expect(health.figures.find((f) => f.board === 'camden-test')?.sending).toBe(
      'not sent: email is not set up (SMTP_URL and SMTP_FROM)',
    );
    expect(await bot.app.repo.listOutbox({ reference: 'figures:camden-test' })).toEqual([]);
  } finally {
    await stop(bot);
  }
});

test('procedure check says whether the bot sends the figures, and the next period and moment', () => {
  const file = join(boards, 'camden-test.yaml');
  const without = runCli(['procedure', 'check', file], { SMTP_URL: '', SMTP_FROM: '' });
  expect(without.status).toBe(0);
  expect(without.stdout).toContain(
    `${file}: warning - oversight › figures: email is not set up (SMTP_URL and SMTP_FROM), so the bot will not send the figures to ${EMAIL}; set both, or run the report command each quarter`,
  );
  const configured = runCli(['procedure', 'check', file], { SMTP_URL: smtp.url, SMTP_FROM: 'escalations@example.org' });
  expect(configured.stdout).toMatch(
    new RegExp(
      `: figures emailed by the bot to ${EMAIL.replace(/\./g, '\\.')}; the next: .* 20\\d\\d, at 9am \\w+day \\d+ \\w+ 20\\d\\d \\(the start of the first working day after it\\)`,
    ),
  );
});
