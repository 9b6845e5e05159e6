/**
 * The project's own command line, run from the source as `npm run --silent cli:dev --` runs it
 * (tsx src/cli/main.ts; `npm run cli` runs the compiled one in dist/, tested in
 * tests/integration/compiled.test.ts), in a child process: what it printed and how it ended; runNpm does the same for any of its npm
 * scripts (`npm start`). Not a fake: the real CLI, with the environment a test gives it
 * (PROCEDURES_DIR from the caller's shell is left out unless given).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  return runNpm(['run', '--silent', 'cli:dev', '--', ...args], env);
}

/** Any npm command of the project (`npm start`, `npm run start:bot`), run the same way, until it ends. */
export function runNpm(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('PROCEDURES_DIR' in env)) delete merged.PROCEDURES_DIR;
  const result = spawnSync('npm', args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: merged,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
