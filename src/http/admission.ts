/**
 * Who gets a place among the requests being handled. Anyone can open a request, so a request
 * whose body is not yet verified (still arriving, or its signature or token not yet checked) is
 * held to its own, smaller bound: strangers cannot take every place, and verified work keeps its
 * share. Its body must arrive quickly (real Slack and Teams bodies are a few KB, sent at once): a
 * client still sending after the body deadline is cut off (408). And when the unverified places
 * are full, the one that has been trickling longest (past a short grace) is cut off to make room,
 * so slow senders give way to a new request rather than shutting it out; only when every place is
 * held by a request that is arriving normally is the newcomer told to try again (503).
 *
 * A handler says its request is verified with `verified(req)` once the signature or token is
 * checked; until then (or until it is answered) the request counts as unverified.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface AdmissionLimits {
  /** Requests being handled at once (verified or not). */
  maxInFlight: number;
  /** Of those, requests whose body is not yet verified. */
  maxUnverified: number;
  /**
   * Unverified requests at once from one peer address; 0 for no such bound. Off by default: a
   * deployment behind a reverse proxy or load balancer sees every request come from the proxy's
   * address, so a per-address bound would cap all genuine traffic there; and the eviction of slow
   * senders above already stops one peer holding places by trickling. Set it where the bot faces
   * clients directly.
   */
  maxUnverifiedPerPeer: number;
  /** Time from the end of the headers for the whole body to arrive. */
  bodyTimeoutMs: number;
  /** How long an unverified request may still be sending before a newcomer can take its place. */
  evictAfterMs: number;
}

export const SLOW_BODY = 'The request took too long to arrive, so it was not accepted. Please send it again.';

interface Entry {
  req: IncomingMessage;
  res: ServerResponse;
  peer: string;
  started: number;
  timer: NodeJS.Timeout;
}

export type Refusal = 'busy' | undefined;

const promote = new WeakMap<IncomingMessage, () => void>();

/** The request's signature or token is checked: it no longer counts against the unverified bound. */
export function verified(req: IncomingMessage): void {
  promote.get(req)?.();
}

export class Admission {
  private inFlight = 0;
  /** In arrival order (a Set keeps insertion order), so the first is the oldest. */
  private readonly unverified = new Set<Entry>();
  private readonly perPeer = new Map<string, number>();

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Admit a request (counted until its response closes), or say why not. */
  admit(req: IncomingMessage, res: ServerResponse): Refusal {
    const l = this.limits;
    if (this.inFlight >= l.maxInFlight) return 'busy';
    const peer = req.socket.remoteAddress ?? '';
    if (l.maxUnverifiedPerPeer > 0 && (this.perPeer.get(peer) ?? 0) >= l.maxUnverifiedPerPeer)
      if (!this.evictSlowest((e) => e.peer === peer)) return 'busy';
    if (this.unverified.size >= l.maxUnverified && !this.evictSlowest(() => true)) return 'busy';
    this.inFlight++;
    const entry: Entry = {
      req,
      res,
      peer,
      started: this.now(),
      timer: setTimeout(() => {
        if (this.unverified.has(entry) && !req.complete) this.cutOff(entry);
      }, l.bodyTimeoutMs),
    };
    entry.timer.unref();
    this.unverified.add(entry);
    this.perPeer.set(peer, (this.perPeer.get(peer) ?? 0) + 1);
    promote.set(req, () => this.release(entry));
    res.once('close', () => {
      this.release(entry);
      this.inFlight--;
    });
    return undefined;
  }

  /** Counts, for the server's log and the tests. */
  counts(): { inFlight: number; unverified: number } {
    return { inFlight: this.inFlight, unverified: this.unverified.size };
  }

  private release(entry: Entry): void {
    if (!this.unverified.delete(entry)) return;
    clearTimeout(entry.timer);
    promote.delete(entry.req);
    const left = (this.perPeer.get(entry.peer) ?? 1) - 1;
    if (left > 0) this.perPeer.set(entry.peer, left);
    else this.perPeer.delete(entry.peer);
  }

  /** Cut off the oldest unverified request still sending past the grace; whether one was. */
  private evictSlowest(which: (e: Entry) => boolean): boolean {
    const before = this.now() - this.limits.evictAfterMs;
    for (const entry of this.unverified) {
      if (entry.started > before) return false; // the rest are younger still
      if (!entry.req.complete && which(entry)) {
        this.cutOff(entry);
        return true;
      }
    }
    return false;
  }

  /** Answer 408 (if nothing was answered yet), free its place now, and close the connection. */
  private cutOff(entry: Entry): void {
    this.release(entry);
    const { req, res } = entry;
    const socket = req.socket;
    if (!res.headersSent) {
      res.writeHead(408, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ error: SLOW_BODY }), () => socket.destroy());
      setTimeout(() => socket.destroy(), 1000).unref();
    } else socket.destroy();
  }
}
