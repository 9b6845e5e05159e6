/**
 * For the outbox crash test: bot replicas (./bot-child.ts) started one at a time, and a killer
 * that ends each with SIGKILL and starts the next. Each replica is killed at a random moment of
 * one of three kinds: after a random time; at a random one of its next few calls to the fake
 * Slack API or Teams connector, either before the fake answers (the message is sent, but the
 * replica never hears so: the answer is held until it is dead) or a few milliseconds after; or a
 * random moment into the next request someone sends it (a raise, a click). Besides, each of a
 * list of targets (a kind of call: a channel made, a card posted, a 1:1 message) kills the first
 * replica that makes such a call, before the answer or just after, so those moments are always
 * among the kills.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';

/** A kind of call to kill a replica at, once in the run: before the fake answers, or `after` ms after. */
export interface Target {
  call: RegExp;
  after?: number;
}

export interface Replica {
  child: ChildProcess;
  base: string;
  /** Killed (or being killed): no request should go to it any more. */
  dead: boolean;
  exited: Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Replicas {
  kills = 0;
  starts = 0;
  /** How kills came: at a call to a fake (before it answered, just after), during a request, at a target (the rest: after a time). */
  readonly how = { before: 0, after: 0, request: 0, target: 0 };
  /** When each kill was signalled (Date.now()). */
  readonly killedAt: number[] = [];
  /** The targets that have had their kill. */
  readonly hit: string[] = [];
  /** Replicas that ended of their own accord (a crash of the bot itself), with their output. */
  readonly unexpected: string[] = [];
  /** Failures that escaped in a replica (said by ./bot-child.ts as "UNCAUGHT …"). */
  readonly uncaught: string[] = [];
  /** The replica started last (the only one alive), listening or not yet. */
  private latest?: Replica;
  /** The replica taking requests. */
  private current?: Replica;
  private waiting: Array<(r: Replica) => void> = [];
  /** Whether the killer is at work (the replica left to run at the end is not killed). */
  private killing = false;
  private closing = false;
  /** How the live replica is to die: at its n-th call, or a moment into the next request. */
  private armed?: { calls?: number; before?: boolean; delay: number; request?: boolean };
  private readonly targets: Target[];

  constructor(
    private readonly script: string,
    private readonly env: NodeJS.ProcessEnv,
    /** Where every replica's output goes, with the run's own notes (for a failure's post-mortem). */
    private readonly logFile: string,
    private readonly random: () => number,
    targets: readonly Target[] = [],
  ) {
    this.targets = [...targets];
  }

  /** The targets not yet hit. */
  get missed(): string[] {
    return this.targets.map((t) => `${t.call.source}${t.after === undefined ? '' : ` +${t.after}`}`);
  }

  /** A line in the run's log. */
  note(text: string): void {
    appendFileSync(this.logFile, `${new Date().toISOString()} ${text}\n`);
  }

  /** Start a replica and wait until it listens (or is killed first). */
  async start(): Promise<Replica> {
    const child = spawn(process.execPath, ['--import', 'tsx', this.script], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const n = ++this.starts;
    let output = '';
    const keep = (c: Buffer): void => {
      output += c.toString();
      for (const line of c.toString().split('\n')) if (line.startsWith('UNCAUGHT')) this.uncaught.push(line);
      appendFileSync(this.logFile, c.toString().replace(/^(?=.)/gm, `[${n}] `));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const replica: Replica = {
      child,
      base: '',
      dead: false,
      exited: new Promise((resolve) =>
        child.once('exit', () => {
          if (!replica.dead) this.unexpected.push(`replica ${n} ended by itself:\n${output.slice(-4000)}`);
          replica.dead = true;
          if (this.current === replica) this.current = undefined;
          resolve();
        }),
      ),
    };
    this.latest = replica;
    const port = await new Promise<string | undefined>((resolve) => {
      child.stdout?.on('data', () => {
        const found = /READY (\d+)/.exec(output)?.[1];
        if (found) resolve(found);
      });
      void replica.exited.then(() => resolve(undefined));
    });
    if (replica.dead) return replica;
    if (!port) throw new Error(`a replica did not start: ${output.slice(-4000)}`);
    replica.base = `http://127.0.0.1:${port}`;
    this.current = replica;
    for (const w of this.waiting.splice(0)) w(replica);
    return replica;
  }

  /** The replica taking requests now, once there is one. */
  live(): Promise<Replica> {
    if (this.current && !this.current.dead) return Promise.resolve(this.current);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async kill(replica: Replica, why: string): Promise<void> {
    if (replica.dead) return replica.exited;
    replica.dead = true;
    if (this.current === replica) this.current = undefined;
    replica.child.kill('SIGKILL');
    this.killedAt.push(Date.now());
    this.note(`KILL ${this.kills + 1}: ${why}`);
    await replica.exited;
    this.kills++;
  }

  /** Stop a replica the ordinary way (SIGTERM): not a kill. */
  async stop(replica: Replica): Promise<void> {
    if (replica.dead) return replica.exited;
    replica.dead = true;
    if (this.current === replica) this.current = undefined;
    replica.child.kill('SIGTERM');
    await replica.exited;
  }

  /** The end of the run, however it went: the killer stops, and no replica is left running. */
  async shutdown(killing: Promise<unknown>): Promise<void> {
    this.closing = true;
    if (this.latest) await this.stop(this.latest);
    await killing.catch(() => undefined);
    if (this.latest) await this.stop(this.latest);
  }

  /**
   * For both fakes' onCall, with a label of the call: a kill due at it happens here, to the
   * replica alive (the one that made the call). Before the answer, the answer waits until the
   * replica is dead (it sent the message and never hears so).
   */
  onCall(label: string): Promise<void> | undefined {
    const replica = this.latest;
    if (!this.killing || !replica || replica.dead || label.includes('auth.test')) return undefined;
    const target = this.targets.findIndex((t) => t.call.test(label));
    let after: number | undefined;
    let why: string;
    if (target >= 0) {
      after = this.targets.splice(target, 1)[0]?.after;
      this.hit.push(label);
      this.how.target++;
      why = 'at target';
    } else {
      const armed = this.armed;
      if (replica !== this.current || armed?.calls === undefined || --armed.calls > 0) return undefined;
      this.armed = undefined;
      after = armed.before ? undefined : armed.delay;
      this.how[armed.before ? 'before' : 'after']++;
      why = 'at';
    }
    why = `${why} ${label}, ${after === undefined ? 'before the answer' : `${after} ms after it`}`;
    if (after !== undefined) {
      setTimeout(() => void this.kill(replica, why), after);
      return undefined;
    }
    return this.kill(replica, why);
  }

  /** Someone is sending the live replica a request: a kill armed for it comes a moment later. */
  sending(): void {
    const armed = this.armed;
    const replica = this.current;
    if (!this.killing || !replica || !armed?.request) return;
    this.armed = undefined;
    this.how.request++;
    setTimeout(() => void this.kill(replica, `${armed.delay} ms into a request`), armed.delay);
  }

  /** Start replicas and kill each at a random moment, until `enough()`; then start one that is left to run (none after shutdown). */
  async killer(enough: () => boolean): Promise<Replica | undefined> {
    this.killing = true;
    while (!enough() && !this.closing) {
      const replica = await this.start();
      const mode = this.random();
      const delay = Math.floor(this.random() * (mode < 2 / 3 ? 25 : 400));
      this.armed =
        mode < 1 / 3
          ? undefined
          : mode < 2 / 3
            ? { calls: 1 + Math.floor(this.random() * 6), before: this.random() < 0.5, delay }
            : { request: true, delay };
      // Without a call or request to die at, it dies after a while anyway.
      const life = mode < 1 / 3 ? 150 + this.random() * 2500 : 3000;
      await Promise.race([sleep(life), replica.exited]);
      this.armed = undefined;
      await this.kill(replica, `after ${Math.round(life)} ms`);
    }
    this.killing = false;
    return this.closing ? undefined : this.start();
  }
}
