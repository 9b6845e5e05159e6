/**
 * Stores seeded once and kept (seeding 10,000 demo cases takes minutes), each run given a fresh
 * copy: `node dist/cli/main.js seed-demo` into a cache under the system's temporary folder, named
 * after a hash of what decides the stored form (the store's code, the demo seeder, the shipped
 * procedures), so a change there seeds again.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../src/tools/build';
import { ensureBuilt } from './procs';

const SHAPING = ['src/store/sqlite', 'src/app/store', 'src/app/demo.ts', 'src/procedures', 'src/domain/escalation'];

function hashInto(hash: ReturnType<typeof createHash>, path: string): void {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) hashInto(hash, join(path, name));
    return;
  }
  hash.update(path.slice(ROOT.length)).update(readFileSync(path));
}

export const CACHE = join(tmpdir(), 'safeguarding-bench-cache');

/** Where the cached store of `cases` demo cases is kept for the code as it is now. */
export function seededPath(cases: number): string {
  const hash = createHash('sha256');
  for (const p of SHAPING) hashInto(hash, join(ROOT, p));
  return join(CACHE, `demo-${cases}-${hash.digest('hex').slice(0, 16)}.sqlite`);
}

/** The cached store of `cases` demo cases (seeded now if missing: minutes), its path. */
export function seededStore(cases: number): string {
  const file = seededPath(cases);
  if (existsSync(file)) return file;
  ensureBuilt();
  mkdirSync(CACHE, { recursive: true });
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  process.stderr.write(`bench: seeding ${cases} demo cases once into ${file} (kept for later runs)…\n`);
  const seeded = spawnSync(
    process.execPath,
    ['dist/cli/main.js', 'seed-demo', '--db', partial, '--cases', String(cases)],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
    },
  );
  if (seeded.status !== 0) throw new Error(`seed-demo failed: ${seeded.stderr}`);
  for (const extra of ['-wal', '-shm'])
    if (existsSync(`${partial}${extra}`)) throw new Error('seed-demo left a WAL behind');
  renameSync(partial, file);
  return file;
}

/** A fresh copy of `file` in `dir` (the bot or the CLI may change it). */
export function copyOf(file: string, dir: string): string {
  const to = join(dir, 'escalations.sqlite');
  copyFileSync(file, to);
  return to;
}
