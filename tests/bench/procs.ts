/**
 * Processes for the benchmarks: every peer runs in a process of its own, so that no figure is
 * one event loop measuring its own queue.
 * - the bot under test: the compiled bot, `node dist/main.js` (built first when dist/ is missing
 *   or older than src/);
 * - peers (./peer.ts, under tsx): the fake Slack Web API, the fake Teams connector, a bare Bolt
 *   app, a bare botbuilder CloudAdapter app, and the open-loop load generator, each asked what
 *   to do and answering over the IPC channel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build, ROOT } from '../../src/tools/build';
import { freePort } from '../fakes/ports';

const PEER = join(__dirname, 'peer.ts');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

let checked = false;
/** dist/ as `npm run build` makes it, built again if missing or older than anything in src/. */
export function ensureBuilt(): void {
  if (checked) return;
  const marker = join(ROOT, 'dist', 'BUILT');
  const stale = !existsSync(marker) || statSync(marker).mtimeMs < newest(join(ROOT, 'src'));
  if (stale) {
    process.stderr.write('bench: dist/ is missing or older than src/, building it (npm run build)…\n');
    build(join(ROOT, 'dist'));
  }
  checked = true;
}

/** User plus system CPU a process has used so far (milliseconds), from /proc (Linux). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 (1-based) of the whole line, in clock ticks (100 a second).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A process's resident memory (MB), from /proc (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  // A bot in the middle of a long sweep finishes it before it stops: not waited for here.
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  return exited.finally(() => clearTimeout(timer));
}

export interface Bot {
  pid: number;
  url: string;
  /** Milliseconds from spawn to the first 200 on /readyz. */
  readyMs: number;
  /** The last few KB the bot wrote (log and errors). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * `node dist/main.js` with `env` (over a quiet development default) on a port of its own; resolves
 * once /readyz answers 200, or rejects after `timeoutMs` (the process is stopped).
 */
export async function startBot(
  env: Record<string, string>,
  timeoutMs = 30_000,
  nodeArgs: readonly string[] = [],
): Promise<Bot> {
  ensureBuilt();
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, 'dist/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  // The last of what it wrote (its log goes to stdout), for when something is wrong.
  const keep = (c: Buffer): void => {
    err = (err + c.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  try {
    await untilReady(
      url,
      started,
      timeoutMs,
      () => child.exitCode,
      () => err,
    );
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  const readyMs = performance.now() - started;
  return { pid: child.pid ?? 0, url, readyMs, stderr: () => err, stop: () => stopChild(child) };
}

async function untilReady(
  url: string,
  started: number,
  timeoutMs: number,
  exitCode: () => number | null,
  err: () => string,
): Promise<void> {
  for (;;) {
    const code = exitCode();
    if (code !== null) throw new Error(`the bot stopped (exit ${code}): ${err()}`);
    // A bot blocked in a long first sweep takes the connection and never answers: time out each try.
    const left = Math.max(50, timeoutMs - (performance.now() - started));
    const answer = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(Math.round(left)) }).catch(
      () => undefined,
    );
    if (answer?.status === 200) return;
    await answer?.text();
    if (performance.now() - started > timeoutMs) throw new TimeoutError(`not ready in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export class TimeoutError extends Error {}

export interface Peer {
  pid: number;
  /** What the peer said when it was up (its address). */
  ready: Record<string, unknown>;
  /** Ask the peer something; resolves with its answer. */
  ask<T = Record<string, unknown>>(message: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

/** One peer (./peer.ts `kind`) in its own process, under tsx; resolves once it says it is up. */
export function startPeer(
  kind: string,
  options: Record<string, unknown> = {},
  how: { nodeArgs?: readonly string[]; env?: Record<string, string> } = {},
): Promise<Peer> {
  const args = [...(how.nodeArgs ?? []), '--import', 'tsx', PEER, kind, JSON.stringify(options)];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...how.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      reject(new Error(`the ${kind} peer stopped (exit ${String(code)})`));
      for (const w of waiting.values()) w.reject(new Error(`the ${kind} peer stopped`));
    });
    child.on('message', (raw) => {
      const message = raw as { id?: number; ready?: Record<string, unknown>; answer?: unknown; error?: string };
      if (message.ready) {
        resolve({
          pid: child.pid ?? 0,
          ready: message.ready,
          ask: <T>(m: Record<string, unknown>) =>
            new Promise<T>((res, rej) => {
              const id = ++next;
              waiting.set(id, { resolve: res as (v: unknown) => void, reject: rej });
              child.send({ ...m, id });
            }),
          stop: () => stopChild(child),
        });
        return;
      }
      const w = waiting.get(message.id ?? -1);
      if (!w) return;
      waiting.delete(message.id ?? -1);
      if (message.error) w.reject(new Error(`${kind}: ${message.error}`));
      else w.resolve(message.answer);
    });
  });
}
