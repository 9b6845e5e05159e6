/**
 * Finding 11: production started with an all-zero PERSONAL_DATA_KEY, a signing secret of zeros,
 * or the shipped example directory. Production now refuses weak keys (one byte repeated, short,
 * patterned, the public development key), a weak Slack signing secret, the example directory
 * (by its path or as a copy), and a missing app password where the app type needs one, each
 * with words that say what to do. A good production configuration still starts.
 */
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EXAMPLE_DIRECTORY_FILE } from '../../src/app/procedures';
import { DEVELOPMENT_KEY } from '../../src/app/store/personal-data';
import { ConfigError, loadConfig } from '../../src/config';
import { start } from '../../src/main';
import { exampleCopy, GOOD_SIGNING_SECRET, productionEnv } from './production';

const ROOT = join(__dirname, '..', '..');
const b64 = (bytes: number[] | Buffer): string => Buffer.from(bytes).toString('base64');

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('production refuses weak keys, for PERSONAL_DATA_KEY and AUDIT_KEY alike', () => {
  const weak: Array<[string, string, RegExp]> = [
    ['all zeros', b64(Buffer.alloc(32, 0)), /one byte repeated/],
    ['one byte repeated (0x41)', b64(Buffer.alloc(32, 0x41)), /one byte repeated/],
    ['counting 0, 1, 2 … 31', b64([...Array(32).keys()]), /pattern/],
    ['four bytes over and over', b64(Buffer.alloc(32, Buffer.from([1, 2, 3, 4]))), /pattern/],
    [
      'a repeated half',
      b64(Buffer.concat([Buffer.from(GOOD_SIGNING_SECRET, 'hex'), Buffer.from(GOOD_SIGNING_SECRET, 'hex')])),
      /pattern/,
    ],
    ['readable text', b64(Buffer.from('correct horse battery staple 123')), /readable text/],
    ['the local development key', b64(DEVELOPMENT_KEY), /development key/],
  ];
  test.each(weak)('PERSONAL_DATA_KEY %s: refused', (_, key, why) => {
    const problems = problemsOf(productionEnv({ PERSONAL_DATA_KEY: key }));
    expect(problems).toEqual([expect.stringMatching(/^PERSONAL_DATA_KEY /)]);
    expect(problems[0]).toMatch(why);
    expect(problems[0]).toMatch(/make one with: openssl rand -base64 32/);
    expect(problems[0]).not.toContain(key);
  });
  test.each(weak)('AUDIT_KEY %s: refused', (_, key, why) => {
    const problems = problemsOf(productionEnv({ AUDIT_KEY: key }));
    expect(problems).toEqual([expect.stringMatching(/^AUDIT_KEY /)]);
    expect(problems[0]).toMatch(why);
    expect(problems[0]).not.toContain(key);
  });
  test('a short key (16 bytes) is refused, and says how to make one', () => {
    const problems = problemsOf(productionEnv({ PERSONAL_DATA_KEY: b64(Buffer.from(GOOD_SIGNING_SECRET, 'hex')) }));
    expect(problems.join('\n')).toMatch(/PERSONAL_DATA_KEY must be 32 bytes.*openssl rand -base64 32/);
  });
  test('the same key for both purposes is refused', () => {
    const env = productionEnv();
    expect(problemsOf({ ...env, AUDIT_KEY: env.PERSONAL_DATA_KEY ?? '' })).toEqual([
      expect.stringMatching(/^AUDIT_KEY must not be the same as PERSONAL_DATA_KEY/),
    ]);
  });
  test('outside production the same keys are only the developer’s business', () => {
    expect(() =>
      loadConfig({ ...productionEnv({ PERSONAL_DATA_KEY: b64(Buffer.alloc(32, 0)) }), NODE_ENV: 'development' }),
    ).not.toThrow();
  });
});

describe('production refuses a weak Slack signing secret', () => {
  test.each([
    ['32 zeros', '0'.repeat(32)],
    ['one letter repeated', 'a'.repeat(32)],
    ['shorter than Slack’s 32', GOOD_SIGNING_SECRET.slice(0, 20)],
  ])('%s: refused, pointing at the Slack app’s own secret', (_, secret) => {
    const problems = problemsOf(productionEnv({ SLACK_SIGNING_SECRET: secret, SLACK_BOT_TOKEN: 'xoxb-1-2-Hq8ZfL' }));
    expect(problems).toEqual([expect.stringMatching(/^SLACK_SIGNING_SECRET .*Basic Information › App Credentials/)]);
    expect(problems[0]).not.toContain(secret);
  });
  test('the Slack app’s own secret is accepted', () => {
    expect(
      problemsOf(productionEnv({ SLACK_SIGNING_SECRET: GOOD_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-1-2-Hq8ZfL' })),
    ).toEqual([]);
  });
});

describe('production refuses a missing app password where the app type needs one', () => {
  test.each([
    ['MultiTenant', 'MultiTenant', {}],
    ['SingleTenant', 'SingleTenant', { MicrosoftAppTenantId: '65c5ef15-4766-494c-be83-ff60275edb42' }],
    ['not given (botbuilder takes MultiTenant)', undefined, {}],
  ])('MicrosoftAppType %s without MicrosoftAppPassword: refused', (_, type, extra) => {
    const problems = problemsOf(productionEnv({ MicrosoftAppType: type, ...extra, MicrosoftAppPassword: undefined }));
    expect(problems).toEqual([
      expect.stringMatching(
        /^MicrosoftAppPassword must be set in production .*Certificates & secrets.*\(it is not set\)\.$/,
      ),
    ]);
  });
  test('UserAssignedMSI needs none', () => {
    expect(problemsOf(productionEnv({ MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppPassword: undefined }))).toEqual(
      [],
    );
  });
});

describe('production refuses the shipped example directory', () => {
  test.each([
    ['by its path', () => EXAMPLE_DIRECTORY_FILE, /it is the shipped example/],
    ['as a copy (every person marked example: true)', exampleCopy, /every person in it is marked "example: true"/],
  ])('%s: refused at start, saying what to do', async (_, file, why) => {
    const env = productionEnv({ DIRECTORY_FILE: file() });
    const refusal = await start({ ...loadConfig(env), PORT: 0, HOST: '127.0.0.1' }).then(
      async (running) => void (await running.stop()),
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).message).toMatch(why);
    expect((refusal as ConfigError).message).toMatch(
      /Write one for your board's agencies and people .* set DIRECTORY_FILE/,
    );
  });

  // A real process (tsx compiles it first: allow for a slow machine).
  test('the process itself stops with the words and exit code 1', () => {
    const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'src', 'main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...productionEnv({ DIRECTORY_FILE: EXAMPLE_DIRECTORY_FILE, PORT: '1' }) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /DIRECTORY_FILE must be your agencies' own directory in production: it is the shipped example/,
    );
  });
});

test('a good production configuration starts and answers /healthz', async () => {
  const running = await start({ ...loadConfig(productionEnv()), PORT: 0, HOST: '127.0.0.1' });
  try {
    const port = (running.server.address() as AddressInfo).port;
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
  } finally {
    await running.stop();
  }
});
