import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, ConfigError, loadConfig, sqliteFile, storeKind } from '../../src/config';

// A key as openssl rand -base64 32 makes one (production refuses patterned keys).
const KEY = 'p+py7z3AvwBt4rJUTzyRvnI5Np9BdYB+eZZs9PP0HZQ=';
const PASSWORD = 'client-secret-value~1';
const APP = '8a2f6c1e-3b4d-4e5f-9a8b-7c6d5e4f3a2b';
// Another key as openssl rand -base64 32 makes one.
const AUDIT = 'PHLx299P4Q1ruK5QatM8dDhXaQTOFJLeirD/2gssMUU=';

/** The ConfigError that loading `env` throws. */
function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('configuration from the environment', () => {
  test('nothing set: the defaults', () => {
    expect(loadConfig({})).toEqual({
      NODE_ENV: 'development',
      OUTBOX_ATTEMPTS: 8,
      OUTBOX_LEASE_SECONDS: 30,
      OUTBOX_RETRY_SECONDS: 2,
      PORT: 3978,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: './data',
      COSMOS_DATABASE: 'safeguarding-escalations',
      COSMOS_INSECURE_TLS: false,
      SINGLE_HOST: false,
      SWEEP_INTERVAL_SECONDS: 30,
      TEAMS_SERVICE_URL: 'https://smba.trafficmanager.net/teams/',
      GROUP_SYNC_MINUTES: 15,
    });
    const config = loadConfig({});
    expect(config.PROCEDURES_DIR).toBeUndefined();
    expect(config.DIRECTORY_FILE).toBeUndefined();
  });

  test('values given are used; PORT becomes a number; empty values count as unset; other variables are ignored', () => {
    expect(
      loadConfig({
        NODE_ENV: 'test',
        PORT: '8080',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'debug',
        PROCEDURES_DIR: '/srv/boards',
        DIRECTORY_FILE: '/srv/directory.yaml',
        DATA_DIR: '/var/lib/bot',
        PATH: '/usr/bin',
        HOME: '/root',
      }),
    ).toEqual({
      NODE_ENV: 'test',
      PORT: 8080,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      PROCEDURES_DIR: '/srv/boards',
      DIRECTORY_FILE: '/srv/directory.yaml',
      DATA_DIR: '/var/lib/bot',
      COSMOS_DATABASE: 'safeguarding-escalations',
      COSMOS_INSECURE_TLS: false,
      SINGLE_HOST: false,
      OUTBOX_ATTEMPTS: 8,
      OUTBOX_LEASE_SECONDS: 30,
      OUTBOX_RETRY_SECONDS: 2,
      SWEEP_INTERVAL_SECONDS: 30,
      TEAMS_SERVICE_URL: 'https://smba.trafficmanager.net/teams/',
      GROUP_SYNC_MINUTES: 15,
    });
    expect(loadConfig({ PORT: '', LOG_LEVEL: '', HOST: '' })).toEqual(loadConfig({}));
  });

  test('production with a directory file starts', () => {
    expect(
      loadConfig({
        NODE_ENV: 'production',
        SINGLE_HOST: 'true',
        DIRECTORY_FILE: '/srv/directory.yaml',
        PERSONAL_DATA_KEY: KEY,
        AUDIT_KEY: AUDIT,
        MicrosoftAppId: APP,
        MicrosoftAppPassword: PASSWORD,
      }),
    ).toEqual(expect.objectContaining({ NODE_ENV: 'production', DIRECTORY_FILE: '/srv/directory.yaml' }));
  });

  test("production: the platforms' addresses must be https (tokens go to them), this machine aside", () => {
    const base = {
      NODE_ENV: 'production',
      SINGLE_HOST: 'true',
      DIRECTORY_FILE: '/srv/directory.yaml',
      PERSONAL_DATA_KEY: KEY,
      AUDIT_KEY: AUDIT,
      MicrosoftAppId: APP,
      MicrosoftAppPassword: PASSWORD,
    };
    expect(configErrorOf({ ...base, GRAPH_API_URL: 'http://graph.example.org/' }).problems).toEqual([
      'GRAPH_API_URL must be an https:// address in production: tokens and secrets go to it (it is http://graph.example.org).',
    ]);
    expect(loadConfig({ ...base, SLACK_API_URL: 'http://127.0.0.1:9000/api/' }).SLACK_API_URL).toBe(
      'http://127.0.0.1:9000/api/',
    );
    expect(loadConfig({ ...base, NODE_ENV: 'development', GRAPH_API_URL: 'http://graph.example.org/' })).toBeTruthy();
  });

  test.each([
    ['abc', /^PORT must be a port number, like 3978 \(it is "abc"\)\.$/],
    ['70000', /^PORT must be a port number from 1 to 65535 \(it is "70000"\)\.$/],
    ['0', /^PORT must be a port number from 1 to 65535 \(it is "0"\)\.$/],
    ['3978.5', /^PORT must be a whole port number, like 3978 \(it is "3978.5"\)\.$/],
  ])('PORT=%s is refused, naming PORT and what it expects', (value, problem) => {
    const error = configErrorOf({ PORT: value });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.problems).toEqual([expect.stringMatching(problem)]);
    expect(error.message).toMatch(/^The bot cannot start: its configuration needs fixing\.\n {2}- PORT must be /);
    expect(error.message).toContain(`(it is "${value}")`);
  });

  test('LOG_LEVEL=loud names LOG_LEVEL and the levels it accepts', () => {
    const error = configErrorOf({ LOG_LEVEL: 'loud' });
    expect(error.problems).toEqual([
      'LOG_LEVEL must be one of: fatal, error, warn, info, debug, trace, silent (it is "loud").',
    ]);
    expect(error.message).toContain('LOG_LEVEL');
  });

  test('NODE_ENV=production without DIRECTORY_FILE names DIRECTORY_FILE and says it is not set', () => {
    const error = configErrorOf({
      NODE_ENV: 'production',
      SINGLE_HOST: 'true',
      PERSONAL_DATA_KEY: KEY,
      MicrosoftAppId: APP,
      MicrosoftAppPassword: PASSWORD,
      AUDIT_KEY: AUDIT,
    });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(
      /^DIRECTORY_FILE must be set in production: the path of your agencies' directory file .*\(it is not set\)\.$/,
    );
    // An empty value is the same as none.
    expect(
      configErrorOf({
        NODE_ENV: 'production',
        SINGLE_HOST: 'true',
        DIRECTORY_FILE: '',
        PERSONAL_DATA_KEY: KEY,
        MicrosoftAppId: APP,
        MicrosoftAppPassword: PASSWORD,
        AUDIT_KEY: AUDIT,
      }).problems,
    ).toEqual(error.problems);
  });

  test('several wrong variables are all listed in one error, one line each', () => {
    const error = configErrorOf({ NODE_ENV: 'staging', PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(error.problems).toEqual([
      'NODE_ENV must be one of: development, test, production (it is "staging").',
      'PORT must be a port number, like 3978 (it is "abc").',
      'LOG_LEVEL must be one of: fatal, error, warn, info, debug, trace, silent (it is "loud").',
    ]);
    expect(error.message.split('\n')).toEqual([
      'The bot cannot start: its configuration needs fixing.',
      ...error.problems.map((p) => `  - ${p}`),
    ]);
  });

  test('in production, a wrong PORT does not hide the missing DIRECTORY_FILE', () => {
    const error = configErrorOf({ NODE_ENV: 'production', PORT: 'abc' });
    expect(error.problems).toEqual([
      expect.stringMatching(/^PORT /),
      expect.stringMatching(/^DIRECTORY_FILE /),
      expect.stringMatching(/^PERSONAL_DATA_KEY must be set in production/),
      expect.stringMatching(/^AUDIT_KEY must be set in production/),
      expect.stringMatching(/^The embedded SQLite store keeps cases on this one machine/),
      expect.stringMatching(/^MicrosoftAppId must be set in production/),
    ]);
  });

  test('the store: SQLite by default, Cosmos DB when configured, and what Cosmos DB needs', () => {
    expect(storeKind(loadConfig({}))).toBe('sqlite');
    expect(sqliteFile(loadConfig({ DATA_DIR: '/var/lib/bot/' }))).toBe('/var/lib/bot/escalations.sqlite');
    expect(storeKind(loadConfig({ COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/', COSMOS_KEY: 'k' }))).toBe(
      'cosmos',
    );
    expect(
      storeKind(
        loadConfig({ COSMOS_CONNECTION_STRING: 'AccountEndpoint=https://acct.documents.azure.com:443/;AccountKey=k;' }),
      ),
    ).toBe('cosmos');
    expect(configErrorOf({ STORE: 'cosmos' }).problems).toEqual([
      expect.stringMatching(/^STORE is cosmos, so COSMOS_ENDPOINT \(with COSMOS_KEY, or without it to sign in with/),
    ]);
    // An endpoint without a key: the bot signs in with its managed identity (Microsoft Entra ID).
    expect(storeKind(loadConfig({ COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/' }))).toBe('cosmos');
    expect(configErrorOf({ COSMOS_KEY: 'a2V5' }).problems).toEqual([
      expect.stringMatching(/^COSMOS_ENDPOINT must be set with COSMOS_KEY/),
    ]);
    expect(configErrorOf({ STORE: 'postgres' }).problems).toEqual([
      'STORE must be either sqlite (the embedded store) or cosmos (Azure Cosmos DB) (it is "postgres").',
    ]);
  });

  test('Teams: production needs the bot’s app id; a single-tenant app needs its tenant', () => {
    expect(
      configErrorOf({
        NODE_ENV: 'production',
        SINGLE_HOST: 'true',
        DIRECTORY_FILE: '/srv/d.yaml',
        PERSONAL_DATA_KEY: KEY,
        AUDIT_KEY: AUDIT,
      }).problems,
    ).toEqual([expect.stringMatching(/^MicrosoftAppId must be set in production/)]);
    expect(configErrorOf({ MicrosoftAppId: 'not-a-guid' }).problems).toEqual([
      expect.stringMatching(/^MicrosoftAppId must be the bot's Microsoft Entra application \(client\) id/),
    ]);
    expect(configErrorOf({ MicrosoftAppId: APP, MicrosoftAppType: 'SingleTenant' }).problems).toEqual([
      expect.stringMatching(/^MicrosoftAppTenantId must be set when MicrosoftAppType is SingleTenant/),
    ]);
    expect(loadConfig({}).MicrosoftAppId).toBeUndefined();
  });

  test('the personal-data key: 32 bytes in base64, required in production', () => {
    expect(configErrorOf({ PERSONAL_DATA_KEY: 'c2hvcnQ=' }).problems).toEqual([
      expect.stringMatching(/^PERSONAL_DATA_KEY must be 32 bytes written in base64/),
    ]);
    expect(
      configErrorOf({
        NODE_ENV: 'production',
        SINGLE_HOST: 'true',
        DIRECTORY_FILE: '/srv/d.yaml',
        MicrosoftAppId: APP,
        MicrosoftAppPassword: PASSWORD,
        AUDIT_KEY: AUDIT,
      }).problems,
    ).toEqual([expect.stringMatching(/^PERSONAL_DATA_KEY must be set in production/)]);
    expect(loadConfig({ PERSONAL_DATA_KEY: KEY }).PERSONAL_DATA_KEY).toBe(KEY);
    expect(
      configErrorOf({
        NODE_ENV: 'production',
        SINGLE_HOST: 'true',
        DIRECTORY_FILE: '/srv/d.yaml',
        PERSONAL_DATA_KEY: KEY,
        AUDIT_KEY: AUDIT,
        MicrosoftAppId: APP,
        MicrosoftAppPassword: PASSWORD,
        COSMOS_INSECURE_TLS: 'true',
      }).problems,
    ).toEqual([expect.stringMatching(/^COSMOS_INSECURE_TLS must not be true in production/)]);
  });
  test('the audit key: 32 bytes or more in base64, required in production, not the personal-data key', () => {
    expect(configErrorOf({ AUDIT_KEY: 'c2hvcnQ=' }).problems).toEqual([
      expect.stringMatching(/^AUDIT_KEY must be 32 or more bytes written in base64/),
    ]);
    expect(
      configErrorOf({
        NODE_ENV: 'production',
        SINGLE_HOST: 'true',
        DIRECTORY_FILE: '/srv/d.yaml',
        PERSONAL_DATA_KEY: KEY,
        MicrosoftAppId: APP,
        MicrosoftAppPassword: PASSWORD,
      }).problems,
    ).toEqual([expect.stringMatching(/^AUDIT_KEY must be set in production/)]);
    expect(configErrorOf({ PERSONAL_DATA_KEY: KEY, AUDIT_KEY: KEY }).problems).toEqual([
      'AUDIT_KEY must not be the same as PERSONAL_DATA_KEY: each key does one job.',
    ]);
    expect(loadConfig({ AUDIT_KEY: AUDIT }).AUDIT_KEY).toBe(AUDIT);
  });

  test('production refuses the embedded SQLite store unless this is the one copy of the bot (SINGLE_HOST=true)', () => {
    const production = {
      NODE_ENV: 'production',
      DIRECTORY_FILE: '/srv/d.yaml',
      PERSONAL_DATA_KEY: KEY,
      AUDIT_KEY: AUDIT,
      MicrosoftAppId: APP,
      MicrosoftAppPassword: PASSWORD,
    };
    const words =
      'The embedded SQLite store keeps cases on this one machine; with several replicas they would each keep their own. Set COSMOS_ENDPOINT, or SINGLE_HOST=true if this is the only copy of the bot.';
    expect(configErrorOf(production).problems).toEqual([words]);
    expect(configErrorOf({ ...production, STORE: 'sqlite' }).problems).toEqual([words]);
    expect(configErrorOf({ ...production, SINGLE_HOST: 'false' }).problems).toEqual([words]);
    expect(configErrorOf({ ...production, SINGLE_HOST: 'yes' }).problems).toEqual([
      'SINGLE_HOST must be true or false (it is "yes").',
      words,
    ]);
    expect(loadConfig({ ...production, SINGLE_HOST: 'true' }).SINGLE_HOST).toBe(true);
    // Cosmos DB (by managed identity, or with a key): no single-host word needed.
    expect(storeKind(loadConfig({ ...production, COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/' }))).toBe(
      'cosmos',
    );
    // Cosmos configured but SQLite asked for by name: still the embedded store, still refused.
    expect(
      configErrorOf({ ...production, STORE: 'sqlite', COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/' })
        .problems,
    ).toEqual([words]);
    // Development and tests keep SQLite without a word.
    expect(storeKind(loadConfig({ NODE_ENV: 'test' }))).toBe('sqlite');
  });

  test('Slack turns on only with both its secret and its token, each checked', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2' })).toThrow(
      /SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN turn Slack on together.*SLACK_SIGNING_SECRET is not set/,
    );
    expect(() =>
      loadConfig({ SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef', SLACK_BOT_TOKEN: 'xoxp-user-token' }),
    ).toThrow(/SLACK_BOT_TOKEN.*starting xoxb-/);
    const on = loadConfig({
      SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef',
      SLACK_BOT_TOKEN: 'xoxb-1-2',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
    });
    expect(on.SLACK_BOT_TOKEN).toBe('xoxb-1-2');
  });
});

test('.env.example documents every variable the bot reads, each with a comment', () => {
  const example = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8').split('\n');
  for (const name of Object.keys(configSchema.shape)) {
    const at = example.findIndex((line) => line.startsWith(`${name}=`) || line.startsWith(`# ${name}=`));
    expect({ name, documented: at >= 0 }).toEqual({ name, documented: true });
    // Its comment is just above it, or above the variables it shares a comment with.
    let above = at - 1;
    while (above >= 0 && /^[A-Za-z_]+=/.test(example[above] ?? '')) above--;
    expect({ name, comment: example[above]?.startsWith('#') }).toEqual({ name, comment: true });
  }
});
