/**
 * The bot's one HTTP server. Every route answers for itself: an unknown path is a 404, a method
 * a route does not take is a 405 naming the ones it does, and whatever a handler throws or
 * rejects with (now or in the work it does after answering) is caught here: a busy store becomes
 * a 503 asking to try again, anything else a logged 500. Nothing a request does ends the process.
 * Slow clients are cut off (header, body, request and idle timeouts) and requests in flight are
 * bounded, those not yet verified more tightly (./admission).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BUSY_WORDS, busyWords } from '../app/store/busy';
import { Admission, TOO_MANY } from './admission';
import { BodyError } from './body';
import type { Telemetry } from '../app/telemetry';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface Route {
  /** The path (or paths), without any query. */
  paths: readonly string[];
  methods: Readonly<Partial<Record<string, Handler>>>;
  /**
   * Not counted against the bound on requests in flight: a liveness probe, which must answer
   * however busy the bot is (else the orchestrator restarts a replica for being busy). Only for
   * handlers that answer at once without reading a body.
   */
  unmetered?: boolean;
  /** No span per request (the probes, asked every few seconds); still counted in the request metric. */
  untraced?: boolean;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface HttpLimits {
  /** Requests being handled at once; beyond it, 503 with Retry-After. */
  maxInFlight: number;
  /** Of those, requests not yet verified (body arriving, signature or token unchecked); half unless given. */
  maxUnverified?: number;
  /** Unverified requests at once from one peer address; 0 (the default) for none: see ./admission. */
  maxUnverifiedPerPeer: number;
  /** Time allowed, from the end of the headers, for an unverified request's body to arrive (then 408). */
  bodyTimeoutMs: number;
  /** When the unverified places are full, one still sending after this long gives way to a newcomer. */
  evictAfterMs: number;
  /** Time allowed for a client to send the request's headers. */
  headersTimeoutMs: number;
  /** Time allowed for a client to send the whole request. */
  requestTimeoutMs: number;
  /** How long an idle kept-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic either way for this long is closed. */
  idleTimeoutMs: number;
  /** How often the header and request timeouts are checked. */
  checkIntervalMs: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  maxInFlight: 200,
  maxUnverifiedPerPeer: 0,
  bodyTimeoutMs: 5_000,
  evictAfterMs: 1_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  checkIntervalMs: 1_000,
};

export type HttpLog = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

const FAILED =
  'Something went wrong on our side. Please try again; if it keeps happening, tell the board’s business unit.';

/** An error as one short line: its name and the first line of its message, never its stack. */
export function oneLine(error: unknown): string {
  const text =
    error instanceof Error ? `${error.name}: ${error.message}` : typeof error === 'string' ? error : String(error);
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  return first.length > 300 ? `${first.slice(0, 300)}…` : first;
}

export function isBusy(error: unknown): boolean {
  return busyWords(error) !== undefined;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: message }, headers);
}

export function sendBusy(res: ServerResponse): void {
  sendError(res, 503, BUSY_WORDS, { 'retry-after': '2' });
}

/** Resolves once the response is sent, or its connection has gone. */
function ended(res: ServerResponse): Promise<void> {
  if (res.writableFinished || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => res.once('close', () => resolve()));
}

function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?', 1)[0] ?? '/';
}

export function createHttpServer(
  routes: readonly Route[],
  log: HttpLog,
  limits: Partial<HttpLimits> = {},
  telemetry?: Telemetry,
): Server {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const byPath = new Map<string, Route>();
  for (const route of routes) for (const path of route.paths) byPath.set(path, route);
  const admission = new Admission({
    maxInFlight: l.maxInFlight,
    maxUnverified: l.maxUnverified ?? Math.max(1, Math.floor(l.maxInFlight / 2)),
    maxUnverifiedPerPeer: l.maxUnverifiedPerPeer,
    bodyTimeoutMs: l.bodyTimeoutMs,
    evictAfterMs: l.evictAfterMs,
  });

  /** A handler's failure, answered (if nothing was yet) and logged on one line. */
  const failed = (req: IncomingMessage, res: ServerResponse, path: string, error: unknown): void => {
    if (error instanceof BodyError) {
      if (!res.headersSent) sendError(res, error.status, error.message, { connection: 'close' });
      return;
    }
    if (isBusy(error)) {
      log('warn', 'The store was busy; the request was asked to try again', { path, method: req.method });
      if (!res.headersSent) sendBusy(res);
      else if (!res.writableEnded) res.end();
      return;
    }
    log('error', 'Request failed', { path, method: req.method, error: oneLine(error), answered: res.headersSent });
    if (!res.headersSent) sendError(res, 500, FAILED);
    else if (!res.writableEnded) res.end();
  };

  const server = createServer(
    {
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      connectionsCheckingInterval: l.checkIntervalMs,
    },
    (req, res) => {
      const path = pathOf(req.url);
      try {
        const route = byPath.get(path);
        const method = (req.method ?? '').toUpperCase();
        // Telemetry names the route (a fixed path of ours), never the address asked for.
        const template = route ? path : 'unknown';
        const methodLabel = METHODS.has(method) ? method : 'OTHER';
        if (telemetry) {
          const started = process.hrtime.bigint();
          res.once('close', () =>
            telemetry.httpRequest(
              template,
              methodLabel,
              res.statusCode,
              Number(process.hrtime.bigint() - started) / 1e9,
            ),
          );
        }
        if (!route) return sendError(res, 404, 'There is nothing at this address.');
        const handler = route.methods[method];
        if (!handler)
          return sendError(res, 405, `This address takes ${Object.keys(route.methods).join(', ')} only.`, {
            allow: Object.keys(route.methods).join(', '),
          });
        if (!route.unmetered && !admission.admit(req, res))
          return sendError(res, 503, TOO_MANY, { 'retry-after': '1', connection: 'close' });
        const serve = (): Promise<void> =>
          Promise.resolve()
            .then(() => handler(req, res))
            .catch((error: unknown) => failed(req, res, path, error));
        if (!telemetry || route.untraced) return void serve();
        void telemetry
          .span(
            `${methodLabel} ${template}`,
            { 'http.request.method': methodLabel, 'http.route': template },
            async (span) => {
              await serve();
              await ended(res);
              span.set('http.response.status_code', res.statusCode);
            },
            'server',
          )
          .catch(() => undefined);
      } catch (error) {
        failed(req, res, path, error);
      }
    },
  );
  server.keepAliveTimeout = l.keepAliveTimeoutMs;
  server.timeout = l.idleTimeoutMs;
  // A socket error (a client that went away) is the client's business, not a reason to stop.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable && !socket.writableEnded && error.code !== 'ECONNRESET') {
      const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      socket.end(
        `HTTP/1.1 ${status} ${status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
      );
    }
    socket.destroy();
  });
  return server;
}
