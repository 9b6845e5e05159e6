/**
 * Finding 6: a malformed secret was printed in the start-up error (`(it is "<value>")`). Now no
 * secret's value, nor a long piece of it, is in a configuration error, in what the process
 * writes when it refuses to start, or in its log lines once started. (The logger's scrubbing of
 * the configured secrets from any message or field is tested in tests/unit/log.test.ts.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { startFakeSlackApi } from '../fakes/slack-api';
import { slackSignature } from '../fakes/slack-client';
import { GOOD_AUDIT_KEY, GOOD_KEY, GOOD_SIGNING_SECRET, productionEnv } from './production';
import { freePort } from '../fakes/ports';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Whether `text` holds `secret` or any 8-character piece of it. */
function leaks(text: string, secret: string): boolean {
  for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) return true;
  return false;
}

const COSMOS_ACCOUNT_KEY = 'Zq81Lm0Pw7VtKd93Jf02Hq8ZfL2mWv9xC4bN6yT1rE5uI8oA3sD7gJ0kP2lQ9wX==';
const ENDPOINT_PASSWORD = 'Vt93-hunter2-Kd0Jf';

/** Each secret variable, malformed; with the variables it needs beside it; and the part that must never show. */
const MALFORMED: Array<{ name: string; env: Record<string, string>; secret: string; production?: boolean }> = [
  {
    name: 'PERSONAL_DATA_KEY',
    env: { PERSONAL_DATA_KEY: 'Qk9HVVMtcGVyc29uYWwta2V5LVhZWjk4Nw==' },
    secret: 'Qk9HVVMtcGVyc29uYWwta2V5LVhZWjk4Nw==',
  },
  {
    name: 'PERSONAL_DATA_KEY',
    env: { PERSONAL_DATA_KEY: 'not*base64*Zq81Lm0Pw7VtKd93' },
    secret: 'not*base64*Zq81Lm0Pw7VtKd93',
  },
  {
    name: 'AUDIT_KEY',
    env: { AUDIT_KEY: 'S2Q5M0pmMDJIcThaZkwybVd2OQ==' },
    secret: 'S2Q5M0pmMDJIcThaZkwybVd2OQ==',
    production: true,
  },
  {
    name: 'SLACK_SIGNING_SECRET',
    env: { SLACK_SIGNING_SECRET: 'zq81lm0pw7vt-not-hex-kd93jf02', SLACK_BOT_TOKEN: 'xoxb-1-2-Hq8ZfL' },
    secret: 'zq81lm0pw7vt-not-hex-kd93jf02',
  },
  {
    name: 'SLACK_BOT_TOKEN',
    env: { SLACK_SIGNING_SECRET: GOOD_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxp-5512390-Hq8ZfL2mWv9' },
    secret: 'xoxp-5512390-Hq8ZfL2mWv9',
  },
  {
    name: 'COSMOS_KEY',
    env: { COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/', COSMOS_KEY: 'Kd93Jf02~not base64~Zq81Lm0Pw7Vt' },
    secret: 'Kd93Jf02~not base64~Zq81Lm0Pw7Vt',
  },
  {
    name: 'COSMOS_CONNECTION_STRING',
    env: {
      COSMOS_CONNECTION_STRING: `AccountEndpoint=https://acct.documents.azure.com:443/;AcountKey=${COSMOS_ACCOUNT_KEY};`,
    },
    secret: COSMOS_ACCOUNT_KEY,
  },
  {
    name: 'COSMOS_ENDPOINT',
    env: { COSMOS_ENDPOINT: `https://admin:${ENDPOINT_PASSWORD}@not a host/`, COSMOS_KEY: 'a2V5' },
    secret: ENDPOINT_PASSWORD,
  },
];

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration errors name the secret and what is wrong, never its value', () => {
  test.each(MALFORMED.map((m) => [`${m.name} (${m.secret.slice(0, 4)}…)`, m] as const))('%s', (_, m) => {
    const env = m.production ? productionEnv(m.env) : m.env;
    const error = configError(env);
    expect(error.message).toMatch(new RegExp(`^  - ${m.name} `, 'm'));
    expect(leaks(error.message, m.secret)).toBe(false);
  });

  test('the words say what is wrong', () => {
    expect(configError({ PERSONAL_DATA_KEY: 'c2hvcnQ=' }).problems).toEqual([
      'PERSONAL_DATA_KEY must be 32 bytes written in base64 (make one with: openssl rand -base64 32) (it is 5 bytes of base64, not 32; its value is not shown).',
    ]);
    expect(configError({ PERSONAL_DATA_KEY: 'not base64!' }).problems[0]).toMatch(/it is not written in base64/);
    expect(configError({ SLACK_SIGNING_SECRET: 'xyz0123456789abcdef', SLACK_BOT_TOKEN: 'xoxb-1' }).problems[0]).toMatch(
      /^SLACK_SIGNING_SECRET .*it has a character that is not a–f or a digit; its value is not shown/,
    );
    expect(configError({ SLACK_SIGNING_SECRET: GOOD_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxp-1' }).problems[0]).toMatch(
      /^SLACK_BOT_TOKEN .*it does not start xoxb-; its value is not shown/,
    );
    // Values that are not secret are still quoted, so a typo can be seen.
    expect(configError({ PORT: 'abc' }).problems[0]).toContain('(it is "abc")');
  });

  test('a production problem elsewhere never shows the app password or keys that are set', () => {
    const env = productionEnv({ PORT: 'abc', MicrosoftAppPassword: 'Qm8~x2kLw.Vb7TnR4yZp0sEa9uDfGh3Jc1oKi5' });
    const error = configError(env);
    for (const name of ['MicrosoftAppPassword', 'PERSONAL_DATA_KEY', 'AUDIT_KEY'])
      expect(leaks(error.message, env[name] ?? '')).toBe(false);
  });
});

describe('the process', () => {
  test('refusing to start: what it writes names every malformed secret and holds none of them', () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...productionEnv() };
    for (const m of MALFORMED) if (m.name !== 'COSMOS_ENDPOINT') Object.assign(env, m.env);
    const run = spawnSync(TSX, [join(ROOT, 'src', 'main.ts')], {
      cwd: mkdtempSync(join(tmpdir(), 'secrets-cwd-')),
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    for (const name of ['PERSONAL_DATA_KEY', 'AUDIT_KEY', 'SLACK_BOT_TOKEN', 'COSMOS_KEY', 'COSMOS_CONNECTION_STRING'])
      expect(run.stderr).toContain(`  - ${name} `);
    for (const m of MALFORMED) {
      expect(leaks(run.stderr, m.secret)).toBe(false);
      expect(leaks(run.stdout, m.secret)).toBe(false);
    }
  }, 90_000);

  test('a connection string Cosmos DB cannot use (its endpoint is not an address): plain words, no key', () => {
    const run = spawnSync(TSX, [join(ROOT, 'src', 'main.ts')], {
      cwd: mkdtempSync(join(tmpdir(), 'secrets-cwd-')),
      env: {
        PATH: process.env.PATH ?? '',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'secrets-')),
        COSMOS_CONNECTION_STRING: `AccountEndpoint=acct.documents.azure.com;AccountKey=${COSMOS_ACCOUNT_KEY};`,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^Azure Cosmos DB is not configured: its endpoint is not an address/);
    expect(leaks(run.stderr + run.stdout, COSMOS_ACCOUNT_KEY)).toBe(false);
  }, 90_000);

  test('started: no log line from start to stop holds a secret', async () => {
    const slackApi = await startFakeSlackApi();
    const port = await freePort();
    const secrets = {
      PERSONAL_DATA_KEY: GOOD_KEY,
      AUDIT_KEY: GOOD_AUDIT_KEY,
      SLACK_SIGNING_SECRET: GOOD_SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-5512390-7781-Hq8ZfL2mWv9xC4bN',
      MicrosoftAppPassword: 'Qm8~x2kLw.Vb7TnR4yZp0sEa9uDfGh3Jc1oKi5',
    };
    const child = spawn(TSX, [join(ROOT, 'src', 'main.ts')], {
      cwd: mkdtempSync(join(tmpdir(), 'secrets-cwd-')),
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'development',
        LOG_LEVEL: 'debug',
        PORT: String(port),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'secrets-')),
        SLACK_API_URL: slackApi.url,
        SWEEP_INTERVAL_SECONDS: '1',
        ...secrets,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const deadline = Date.now() + 60_000;
      while (!out.includes('Escalation bot listening') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('Escalation bot listening');
      // Requests that make the bot (and Bolt) log: a forged Slack request, a well-signed one, a Teams one.
      const base = `http://127.0.0.1:${port}`;
      const body = 'command=%2Fescalate&user_id=U0NOBODY01&team_id=T0LINCDIO&trigger_id=t';
      const ts = Math.floor(Date.now() / 1000);
      await fetch(`${base}/slack/events`, {
        method: 'POST',
        headers: { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': 'v0=00' },
        body,
      });
      await fetch(`${base}/slack/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': slackSignature(body, ts, GOOD_SIGNING_SECRET),
        },
        body,
      });
      await fetch(`${base}/api/messages`, { method: 'POST', body: '{"type":"message"' });
      await fetch(`${base}/healthz`);
      await new Promise((r) => setTimeout(r, 1500)); // a sweep or two
    } finally {
      child.kill('SIGTERM');
      await exited;
      await slackApi.close();
    }
    expect(out).toMatch(/"level":"(info|debug)"/);
    for (const [name, value] of Object.entries(secrets)) {
      if (leaks(out, value)) throw new Error(`${name} is in the log: ${out}`);
    }
  }, 120_000);
});
