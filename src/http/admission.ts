/**
 * Who gets a place among the requests being handled. Anyone can open a request, and a stranger can
 * hold one by sending its body a byte at a time. So every request counts against the bound on
 * requests in flight, and a request whose body is still arriving once the first packet has been
 * read (real Slack and Teams bodies are a few KB and come with their headers) also needs one of
 * the fewer places for unverified requests, until its signature or token is checked: strangers
 * cannot take every place, and a genuine request whose body came at once never waits for one. Its
 * body must then arrive quickly: a client still sending after the body deadline is cut off (408).
 * When the unverified places are full, the one that has been sending longest (past a short grace)
 * is cut off to make room; only when none has is the newcomer told to try again (503).
 *
 * A handler says its request is verified with `verified(req)` once the signature or token is
 * checked; until then (or until it is answered) a request still arriving counts as unverified.
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
export const TOO_MANY = 'The service is handling too many requests just now. Please try again in a moment.';

interface Entry {
  req: IncomingMessage;
  res: ServerResponse;
  peer: string;
  started: number;
  timer: NodeJS.Timeout;
}

const admissions = new WeakMap<IncomingMessage, Admission>();

/** The request's signature or token is checked: it no longer counts against the unverified bound. */
export function verified(req: IncomingMessage): void {
  admissions.get(req)?.verified(req);
}

/** Answer (if nothing was answered yet) and close the connection; the client may still be sending. */
export function answerAndClose(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  words: string,
  headers: Record<string, string> = {},
): void {
  const socket = req.socket;
  if (res.headersSent) {
    socket.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close', ...headers });
  res.end(JSON.stringify({ error: words }), () => socket.destroy());
  setTimeout(() => socket.destroy(), 1000).unref();
}

export class Admission {
  private inFlight = 0;
  /** In arrival order (a Set keeps insertion order), so the first is the oldest. */
  private readonly unverified = new Set<Entry>();
  private readonly entries = new WeakMap<IncomingMessage, Entry>();
  private readonly perPeer = new Map<string, number>();

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Admit a request (counted until its response closes); false when it is refused (not yet answered). */
  admit(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.inFlight >= this.limits.maxInFlight) return false;
    this.inFlight++;
    admissions.set(req, this);
    res.once('close', () => {
      const entry = this.entries.get(req);
      if (entry) this.release(entry);
      this.inFlight--;
    });
    // Once the packet that brought the headers is read: a body still to come needs an unverified place.
    setImmediate(() => {
      if (!req.complete && !res.writableEnded && !req.socket.destroyed) this.holdUnverified(req, res);
    });
    return true;
  }

  private holdUnverified(req: IncomingMessage, res: ServerResponse): void {
    const l = this.limits;
    const peer = req.socket.remoteAddress ?? '';
    const room =
      (l.maxUnverifiedPerPeer <= 0 ||
        (this.perPeer.get(peer) ?? 0) < l.maxUnverifiedPerPeer ||
        this.evictSlowest((e) => e.peer === peer)) &&
      (this.unverified.size < l.maxUnverified || this.evictSlowest(() => true));
    if (!room) return answerAndClose(req, res, 503, TOO_MANY, { 'retry-after': '1' });
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
    this.entries.set(req, entry);
    this.perPeer.set(peer, (this.perPeer.get(peer) ?? 0) + 1);
  }

  /** The request's signature or token is checked: it no longer holds an unverified place. */
  verified(req: IncomingMessage): void {
    const entry = this.entries.get(req);
    if (entry) this.release(entry);
  }

  /** Counts, for the server's log and the tests. */
  counts(): { inFlight: number; unverified: number } {
    return { inFlight: this.inFlight, unverified: this.unverified.size };
  }

  private release(entry: Entry): void {
    if (!this.unverified.delete(entry)) return;
    clearTimeout(entry.timer);
    this.entries.delete(entry.req);
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

  /** Answer 408, free its place now, and close the connection. */
  private cutOff(entry: Entry): void {
    this.release(entry);
    answerAndClose(entry.req, entry.res, 408, SLOW_BODY);
  }
}
