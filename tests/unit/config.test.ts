import { ConfigError, loadConfig } from '../../src/config';

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
    expect(loadConfig({})).toEqual({ NODE_ENV: 'development', PORT: 3978, HOST: '0.0.0.0', LOG_LEVEL: 'info', DATA_DIR: './data' });
    const config = loadConfig({});
    expect(config.PROCEDURES_DIR).toBeUndefined();
    expect(config.DIRECTORY_FILE).toBeUndefined();
  });

  test('values given are used; PORT becomes a number; empty values count as unset; other variables are ignored', () => {
    expect(
      loadConfig({ NODE_ENV: 'test', PORT: '8080', HOST: '127.0.0.1', LOG_LEVEL: 'debug', PROCEDURES_DIR: '/srv/boards', DIRECTORY_FILE: '/srv/directory.yaml', DATA_DIR: '/var/lib/bot', PATH: '/usr/bin', HOME: '/root' }),
    ).toEqual({ NODE_ENV: 'test', PORT: 8080, HOST: '127.0.0.1', LOG_LEVEL: 'debug', PROCEDURES_DIR: '/srv/boards', DIRECTORY_FILE: '/srv/directory.yaml', DATA_DIR: '/var/lib/bot' });
    expect(loadConfig({ PORT: '', LOG_LEVEL: '', HOST: '' })).toEqual(loadConfig({}));
  });

  test('production with a directory file starts', () => {
    expect(loadConfig({ NODE_ENV: 'production', DIRECTORY_FILE: '/srv/directory.yaml' })).toEqual(expect.objectContaining({ NODE_ENV: 'production', DIRECTORY_FILE: '/srv/directory.yaml' }));
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
    expect(error.problems).toEqual(['LOG_LEVEL must be one of: fatal, error, warn, info, debug, trace, silent (it is "loud").']);
    expect(error.message).toContain('LOG_LEVEL');
  });

  test('NODE_ENV=production without DIRECTORY_FILE names DIRECTORY_FILE and says it is not set', () => {
    const error = configErrorOf({ NODE_ENV: 'production' });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^DIRECTORY_FILE must be set in production: the path of your agencies' directory file .*\(it is not set\)\.$/);
    // An empty value is the same as none.
    expect(configErrorOf({ NODE_ENV: 'production', DIRECTORY_FILE: '' }).problems).toEqual(error.problems);
  });

  test('several wrong variables are all listed in one error, one line each', () => {
    const error = configErrorOf({ NODE_ENV: 'staging', PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(error.problems).toEqual([
      'NODE_ENV must be one of: development, test, production (it is "staging").',
      'PORT must be a port number, like 3978 (it is "abc").',
      'LOG_LEVEL must be one of: fatal, error, warn, info, debug, trace, silent (it is "loud").',
    ]);
    expect(error.message.split('\n')).toEqual(['The bot cannot start: its configuration needs fixing.', ...error.problems.map((p) => `  - ${p}`)]);
  });

  test('in production, a wrong PORT does not hide the missing DIRECTORY_FILE', () => {
    const error = configErrorOf({ NODE_ENV: 'production', PORT: 'abc' });
    expect(error.problems).toEqual([expect.stringMatching(/^PORT /), expect.stringMatching(/^DIRECTORY_FILE /)]);
  });
});
