/**
 * The two probes an orchestrator (Azure Container Apps, Kubernetes, Docker's health check) asks:
 *
 * - GET /livez: the process answers. 200 unless its event loop is wedged (a timer that should
 *   tick every half second has been late by more than `wedgedAfterMs`); no store call, so a
 *   store outage never gets a healthy replica restarted.
 * - GET /readyz: this replica can do its work. 200 only when the store answers a cheap read, the
 *   deadline sweeper has run recently (or is off by configuration) and the outbox worker is
 *   running; else 503.
 *
 * Both are safe to hit unauthenticated from the internet. Anyone is told only ready or not
 * (`{"status":"ready"}` / `{"status":"not ready"}`); what is not ready, in words, is given only
 * to a request from this machine (loopback, with no proxy's forwarding headers: a reverse proxy
 * on the same host adds them), so an operator can `curl localhost:3978/readyz` inside the
 * container, and the same words go to the log each time readiness changes. The words never name
 * a case, a person, a secret or an error's text. One store read is made at a time and its answer
 * kept for a second, so a flood of probes costs the store one read a second.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler, Route } from './server';
import { sendJson } from './server';

type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** When a worker's look began and the last one ended (wall clock, ms). */
export interface Beat {
  startedMs?: number;
  /** When the run under way last made progress (the sweeper's last batch), if it says. */
  progressMs?: number;
  endedMs?: number;
  failed?: boolean;
}

export interface ReadinessDeps {
  /** The cheap read: resolves if the store answers. */
  storeRead: () => Promise<unknown>;
  /** The deadline sweeper's beat and its interval; undefined when it is off by configuration. */
  sweeper?: { beat: Beat; everyMs: number };
  /** The outbox worker: whether it is started, and its beat. */
  outbox: { started: boolean; beat: Beat };
  /** How long the store may take (default 2 s). */
  timeoutMs?: number;
  /** How long a store answer is reused (default 1 s). */
  cacheMs?: number;
  /** The outbox worker looks every second; a look older than this (default 60 s) is late. */
  outboxLateMs?: number;
  /** Started at (ms), so that workers that have not looked yet are given a moment (default 30 s). */
  startedMs?: number;
  graceMs?: number;
  now?: () => number;
  log?: Log;
}

/** Whether a request comes from this machine and not through a proxy: only then are details given. */
export function fromThisMachine(req: IncomingMessage): boolean {
  const peer = req.socket.remoteAddress ?? '';
  const loopback = peer === '::1' || /^(::ffff:)?127\./.test(peer);
  const forwarded = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip'].some(
    (h) => req.headers[h] !== undefined,
  );
  return loopback && !forwarded;
}

/** Is a worker that looks every `everyMs` keeping up? Words for what is wrong, or undefined. */
function workerProblem(
  name: string,
  beat: Beat,
  lateMs: number,
  now: number,
  startedMs: number,
  graceMs: number,
): string | undefined {
  // A look under way that began (or last made progress) recently counts as running: a catch-up
  // sweep after downtime can take a while, batch by batch, and the bot is ready meanwhile.
  if (beat.startedMs !== undefined) {
    const alive = Math.max(beat.startedMs, beat.progressMs ?? 0);
    if (now - alive <= lateMs) return undefined;
    return `${name} has been stuck on one run for ${seconds(now - alive)}.`;
  }
  if (beat.endedMs === undefined)
    return now - startedMs <= graceMs ? undefined : `${name} has not run since the bot started.`;
  if (beat.failed) return `${name}'s last run failed (see the log).`;
  if (now - beat.endedMs > lateMs) return `${name} has not run for ${seconds(now - beat.endedMs)}.`;
  return undefined;
}

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 120 ? `${Math.round(s / 60)} minutes` : `${s} second${s === 1 ? '' : 's'}`;
}

export interface Readiness {
  ready: boolean;
  problems: string[];
}

/** The readiness check itself (one store read at a time, its answer reused for `cacheMs`). */
export function readinessCheck(deps: ReadinessDeps): () => Promise<Readiness> {
  const now = deps.now ?? Date.now;
  const startedMs = deps.startedMs ?? now();
  let store: { at: number; problem?: string } | undefined;
  let inFlight: Promise<string | undefined> | undefined;
  let wasReady: boolean | undefined;

  const readStore = (): Promise<string | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('The store did not answer within two seconds.'), deps.timeoutMs ?? 2000);
    });
    return Promise.race([
      deps.storeRead().then(
        () => undefined,
        () => 'The store did not answer a read.',
      ),
      slow,
    ]).finally(() => clearTimeout(timer));
  };

  const storeProblem = async (): Promise<string | undefined> => {
    if (store && now() - store.at < (deps.cacheMs ?? 1000)) return store.problem;
    inFlight ??= readStore().then((problem) => {
      store = { at: now(), ...(problem ? { problem } : {}) };
      inFlight = undefined;
      return problem;
    });
    return inFlight;
  };

  return async () => {
    const problems: string[] = [];
    const storeWords = await storeProblem();
    if (storeWords) problems.push(storeWords);
    const at = now();
    const grace = deps.graceMs ?? 30_000;
    if (deps.sweeper) {
      const late = Math.max(3 * deps.sweeper.everyMs, 120_000);
      const p = workerProblem('The deadline sweeper', deps.sweeper.beat, late, at, startedMs, grace);
      if (p) problems.push(p);
    }
    if (!deps.outbox.started) problems.push('The outbox worker (which sends messages) is stopped.');
    else {
      const p = workerProblem(
        'The outbox worker (which sends messages)',
        deps.outbox.beat,
        deps.outboxLateMs ?? 60_000,
        at,
        startedMs,
        grace,
      );
      if (p) problems.push(p);
    }
    const ready = problems.length === 0;
    if (wasReady !== ready) {
      if (ready) deps.log?.('info', 'Ready: the store answers and the workers are running');
      else deps.log?.('warn', 'Not ready', { problems });
      wasReady = ready;
    }
    return { ready, problems };
  };
}

/** GET/HEAD /readyz. */
export function readyzHandler(check: () => Promise<Readiness>): Handler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const { ready, problems } = await check();
    const body = ready ? { status: 'ready' } : { status: 'not ready' };
    sendJson(res, ready ? 200 : 503, fromThisMachine(req) && !ready ? { ...body, problems } : body, {
      'cache-control': 'no-store',
      ...(ready ? {} : { 'retry-after': '5' }),
    });
  };
}

/**
 * Watches the event loop: a timer due every `everyMs` that finds itself late by more than
 * `wedgedAfterMs` marks the loop wedged until it runs on time again. Unref'd: it never keeps the
 * process alive.
 */
export class LoopWatch {
  private lastMs = Date.now();
  private lagMs = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly everyMs = 500,
    readonly wedgedAfterMs = 10_000,
  ) {}

  start(): this {
    this.lastMs = Date.now();
    this.timer = setInterval(() => {
      const at = Date.now();
      this.lagMs = Math.max(0, at - this.lastMs - this.everyMs);
      this.lastMs = at;
    }, this.everyMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** How late the loop is now: the last tick's lateness, or how long the next tick is overdue. */
  lateMs(at = Date.now()): number {
    return Math.max(this.lagMs, at - this.lastMs - this.everyMs);
  }

  get wedged(): boolean {
    return this.timer !== undefined && this.lateMs() > this.wedgedAfterMs;
  }
}

/** GET/HEAD /livez: 200 while the loop keeps time, 503 when it has been wedged. */
export function livezHandler(watch: Pick<LoopWatch, 'wedged'>): Handler {
  return (_req, res) => {
    const wedged = watch.wedged;
    sendJson(res, wedged ? 503 : 200, { status: wedged ? 'wedged' : 'live' }, { 'cache-control': 'no-store' });
  };
}

/**
 * The two probes' routes: /livez (not counted against the requests in flight, so a busy bot is
 * not restarted for being busy) and /readyz; neither traced (they are asked every few seconds).
 */
export function probeRoutes(deps: ReadinessDeps): { routes: Route[]; stop: () => void } {
  const watch = new LoopWatch().start();
  const livez = livezHandler(watch);
  const readyz = readyzHandler(readinessCheck(deps));
  return {
    routes: [
      { paths: ['/livez'], methods: { GET: livez, HEAD: livez }, unmetered: true, untraced: true },
      { paths: ['/readyz'], methods: { GET: readyz, HEAD: readyz }, untraced: true },
    ],
    stop: () => watch.stop(),
  };
}
