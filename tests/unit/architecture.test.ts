import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const DOMAIN = join(ROOT, 'src', 'domain');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const FORBIDDEN =
  /from\s+['"](@slack\/|botbuilder|@azure\/|better-sqlite3|pino|node:|fs['"/]|http['"]|https['"]|path['"]|os['"]|child_process|\.\.\/(\.\.\/)?(app|cli|channels|store|config))/;
const CLOCK = /Date\.now\(\)|new Date\(\)|Math\.random\(\)|process\./;

describe('the core is pure', () => {
  const sources = files(DOMAIN).map((f) => ({ file: relative(ROOT, f), text: readFileSync(f, 'utf8') }));

  test('there is a core to check', () => {
    expect(sources.length).toBeGreaterThan(10);
  });

  test('src/domain imports no platform, store, Node I/O or outer layer', () => {
    const offenders = sources.flatMap(({ file, text }) =>
      text
        .split('\n')
        .map((line, i) => ({ where: `${file}:${i + 1}`, line }))
        .filter(({ line }) => FORBIDDEN.test(line)),
    );
    expect(offenders).toEqual([]);
  });

  test('src/domain never reads the clock, chance or the environment', () => {
    const offenders = sources.flatMap(({ file, text }) =>
      text
        .split('\n')
        .map((line, i) => ({ where: `${file}:${i + 1}`, line }))
        .filter(({ line }) => !line.trim().startsWith('*') && !line.trim().startsWith('//') && CLOCK.test(line)),
    );
    expect(offenders).toEqual([]);
  });

  test('the checks would catch an offender', () => {
    expect(FORBIDDEN.test("import { App } from '@slack/bolt';")).toBe(true);
    expect(FORBIDDEN.test("import { readFileSync } from 'node:fs';")).toBe(true);
    expect(FORBIDDEN.test("import { loadConfig } from '../../config';")).toBe(true);
    expect(CLOCK.test('const now = new Date();')).toBe(true);
    expect(CLOCK.test('const at = new Date(iso);')).toBe(false);
  });
});
