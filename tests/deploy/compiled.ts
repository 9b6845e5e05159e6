/**
 * The compiled bot, as a deployment has it: `npm run build`'s output in a folder of its own with
 * package.json and the installed packages beside it, and no src/ (so every file the bot reads at
 * run time must have come with the build). Started as a child process with `node dist/main.js`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, ROOT } from '../../src/tools/build';

/** A folder holding dist/, package.json and node_modules (a link to this checkout's), made by the build. */
export function compiledApp(): string {
  const app = join(mkdtempSync(join(tmpdir(), 'compiled-')), 'app');
  mkdirSync(app);
  build(join(app, 'dist'));
  copyFileSync(join(ROOT, 'package.json'), join(app, 'package.json'));
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(app, 'node_modules'));
  return app;
}

export interface RunningBot {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** The first answer `url` gives with `status`, polled every 20 ms for up to `ms`; undefined if none. */
export async function answered(url: string, status: number, ms: number): Promise<Response | undefined> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const response = await fetch(url).catch(() => undefined);
    if (response?.status === status) return response;
    await response?.text();
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

/** Where the bot says it is ready (store answering, sweeper and outbox running): /readyz. */
export const READY_PATH = '/readyz';

/** `node dist/main.js` in `app`, on `port`, with `env` over a development default (no tsx, no src/). */
export function startCompiled(app: string, port: number, env: Record<string, string>): RunningBot {
  let out = '';
  let err = '';
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: app,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    stdout: () => out,
    stderr: () => err,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
