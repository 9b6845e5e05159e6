/**
 * A production configuration that should start: strong keys, the bot's app id and password, and
 * a directory of the board's own (the shipped example, with its people no longer marked example).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_DIRECTORY_FILE } from '../../src/app/procedures';

/** Keys as `openssl rand -base64 32` makes them (fixed, so a failure can be reproduced). */
export const GOOD_KEY = 'p+py7z3AvwBt4rJUTzyRvnI5Np9BdYB+eZZs9PP0HZQ=';
export const GOOD_AUDIT_KEY = '1DqO5OvYur8FyCO8RBa5+QHNkFJAGhB836UC/Letamw=';
export const GOOD_SIGNING_SECRET = 'd8205056334e05fbcdf57e2de5fa11d2';
export const APP_ID = '8a2f6c1e-3b4d-4e5f-9a8b-7c6d5e4f3a2b';

/** A copy of the example directory whose people are not marked as invented. */
export function boardDirectory(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'directory-')), 'directory.yaml');
  writeFileSync(file, readFileSync(EXAMPLE_DIRECTORY_FILE, 'utf8').replace(/example: true/g, 'example: false'));
  return file;
}

/** A copy of the example directory as shipped (every person marked example: true). */
export function exampleCopy(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'directory-')), 'our-board.yaml');
  writeFileSync(file, readFileSync(EXAMPLE_DIRECTORY_FILE, 'utf8'));
  return file;
}

export function productionEnv(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'prod-')),
    DIRECTORY_FILE: boardDirectory(),
    PERSONAL_DATA_KEY: GOOD_KEY,
    AUDIT_KEY: GOOD_AUDIT_KEY,
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'Qm8~x2kLw.Vb7TnR4yZp0sEa9uDfGh3Jc1oKi5',
    MicrosoftAppType: 'MultiTenant',
    SWEEP_INTERVAL_SECONDS: '0',
    // The embedded store (DATA_DIR): production allows it where this is the one copy of the bot.
    SINGLE_HOST: 'true',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
