/**
 * Every environment variable the code reads is in `.env.example` (with a comment) and in the
 * README's table of variables: the parsed configuration's, and those read elsewhere (`npm start`'s
 * PLAYGROUND_PORT, the Teams package's placeholders, the tests' own knobs), found by reading the
 * source for `process.env.NAME`, `env.NAME` and `env['NAME']`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { configSchema } from '../../src/config';

const ROOT = join(__dirname, '..', '..');
/** Variables of the system, not of this project. */
const SYSTEM = new Set(['PATH', 'HOME', 'CI']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** The variables a file reads: `process.env.NAME`, and in src `env.NAME` or `env['NAME']` of any environment object. */
function readsIn(file: string, anyEnv: boolean): string[] {
  const text = readFileSync(file, 'utf8');
  const pattern = anyEnv
    ? /\benv(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[['"]([A-Za-z_][A-Za-z0-9_]*)['"]\])/g
    : /\bprocess\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[['"]([A-Za-z_][A-Za-z0-9_]*)['"]\])/g;
  // Names start with a capital (`env.example` in a path is not one).
  return [...text.matchAll(pattern)].map((m) => m[1] ?? m[2] ?? '').filter((name) => /^[A-Z]/.test(name));
}

function variablesRead(): Map<string, string> {
  const found = new Map<string, string>();
  for (const name of Object.keys(configSchema.shape)) found.set(name, 'src/config.ts');
  for (const file of sourceFiles(join(ROOT, 'src')))
    for (const name of readsIn(file, true)) found.set(name, relative(ROOT, file));
  for (const file of sourceFiles(join(ROOT, 'tests')))
    if (file !== __filename) for (const name of readsIn(file, false)) found.set(name, relative(ROOT, file));
  // The Teams manifest's ${{NAME}} placeholders, filled from the environment by npm run package:teams.
  const manifest = readFileSync(join(ROOT, 'manifests', 'teams', 'manifest.json'), 'utf8');
  for (const m of manifest.matchAll(/\$\{\{([A-Z0-9_]+)\}\}/g)) found.set(m[1] ?? '', 'manifests/teams/manifest.json');
  for (const name of SYSTEM) found.delete(name);
  return found;
}

const example = readFileSync(join(ROOT, '.env.example'), 'utf8').split('\n');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
const read = variablesRead();

test('the source is read: the configuration, npm start, the Teams package and the tests', () => {
  for (const name of ['PORT', 'PLAYGROUND_PORT', 'TEAMS_PACKAGE_FILE', 'BOT_ID', 'DEVELOPER_NAME', 'CHROMIUM_PATH'])
    expect(read.has(name)).toBe(true);
});

test.each([...read.keys()].sort())('%s is in .env.example, with a comment above it', (name) => {
  const at = example.findIndex((line) => line.startsWith(`${name}=`) || line.startsWith(`# ${name}=`));
  expect({ name, readIn: read.get(name), inEnvExample: at >= 0 }).toEqual({
    name,
    readIn: read.get(name),
    inEnvExample: true,
  });
  let above = at - 1;
  while (above >= 0 && /^[A-Za-z_]+=/.test(example[above] ?? '')) above--;
  expect({ name, comment: example[above]?.startsWith('#') }).toEqual({ name, comment: true });
});

test.each([...read.keys()].sort())('%s is in the README’s table of variables', (name) => {
  const row = readme.find((line) => line.startsWith('| ') && line.split('|')[1]?.includes(`\`${name}\``));
  expect({ name, inReadme: row !== undefined }).toEqual({ name, inReadme: true });
});
