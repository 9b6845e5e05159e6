/**
 * Slack's Web API, faked on loopback: every call it receives is recorded, and it answers the
 * methods the bot uses as Slack would (ids made up, ok: true). Also takes file uploads.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  /** The token the call was made with (its Authorization header, or a `token` argument). */
  token?: string;
  /** What the fake answered (ok, ids, a message's ts). */
  result?: Record<string, unknown>;
}

/** A message the bot posted (chat.postMessage), as conversations.history gives it back. */
export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  metadata?: { event_type: string; event_payload: { key?: string } };
}

export interface FakeSlackApiOptions {
  /**
   * Keep a channel's history as Slack does: conversations.history answers with the messages
   * posted there (newest first, since `oldest`, a page of `limit` at a time, the cursor an
   * offset), and each message's ts is the real time. Without it the history is always empty and
   * ts count up from a fixed moment.
   */
  history?: boolean;
}

export interface FakeSlackApi {
  /** The base address to give the bot as SLACK_API_URL (ends in /api/). */
  url: string;
  calls: ApiCall[];
  uploads: Buffer[];
  /** Every message posted, in order. */
  messages: SlackMessage[];
  /** Methods that answer 429 once (with Retry-After: 1) before they succeed. */
  rateLimitOnce: Set<string>;
  /**
   * An outage: until `until` (Date.now()), every method answers `status` (a 429 with Retry-After:
   * `retryAfter` seconds, default 1). Recorded as "<method> (<status>)". Clear it to recover.
   */
  outage?: { status: 500 | 503 | 429; until: number; retryAfter?: number };
  /**
   * Calls Slack refuses for good, as it does (200, ok: false, `error`): a method, and where
   * `args` is given only calls whose arguments include each of them (e.g. conversations.open of
   * one user). Recorded as "<method> (<error>)". Checked after the outage.
   */
  refusals: Array<{ method: string; error: string; args?: Record<string, string> }>;
  /** Private channels made (conversations.create), by name. */
  channels: Map<string, string>;
  /**
   * Called with each call once it is recorded (and, if it succeeds, answered) before the answer is
   * written, with performance.now() then (for timing). The answer waits for a promise it returns (a
   * crash test kills the caller meanwhile, so the call is done on Slack's side but the caller never
   * hears of it).
   */
  onCall?: (call: ApiCall, arrived: number) => void | Promise<void>;
  since(from: number, method?: string): ApiCall[];
  /** Many workspaces: OAuth, auth.test per token, Socket Mode (see the block below). */
  workspaces: FakeWorkspaces;
  close(): Promise<void>;
}

const JSON_ARGS = new Set(['blocks', 'view', 'user_ids', 'emails', 'metadata']);

/** conversations.history from the messages kept: newest first, since `oldest`, paged by offset. */
function historyPage(messages: SlackMessage[], args: Record<string, unknown>): Record<string, unknown> {
  const all = messages
    .filter((m) => m.channel === args.channel && (!args.oldest || Number(m.ts) >= Number(args.oldest)))
    .reverse();
  const from = Number(args.cursor ?? 0);
  const limit = Number(args.limit ?? 100);
  const more = from + limit < all.length;
  return {
    ok: true,
    messages: all.slice(from, from + limit),
    has_more: more,
    response_metadata: { next_cursor: more ? String(from + limit) : '' },
  };
}

export async function startFakeSlackApi(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
  const calls: ApiCall[] = [];
  const uploads: Buffer[] = [];
  const messages: SlackMessage[] = [];
  const rateLimitOnce = new Set<string>();
  const refusals: FakeSlackApi['refusals'] = [];
  const channels = new Map<string, string>();
  let channelCount = 0;
  let base = '';
  const workspaces = fakeWorkspaces(() => base);
  const answer = (method: string, args: Record<string, unknown>, token?: string): Record<string, unknown> => {
    const many = workspaces.answer(method, args, token);
    if (many) return many;
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0LINCDIO' };
      case 'conversations.create': {
        const name = String(args.name);
        if (channels.has(name)) return { ok: false, error: 'name_taken' };
        const id = `CCASE${++channelCount}`;
        channels.set(name, id);
        return { ok: true, channel: { id, name } };
      }
      case 'conversations.list': {
        const all = [...channels].map(([name, id]) => ({ id, name, is_private: true, is_member: true }));
        const from = Number(args.cursor ?? 0);
        const limit = Number(args.limit ?? 100);
        const more = from + limit < all.length;
        return {
          ok: true,
          channels: all.slice(from, from + limit),
          response_metadata: { next_cursor: more ? String(from + limit) : '' },
        };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(args.users)}` } };
      case 'conversations.history':
        return options.history ? historyPage(messages, args) : { ok: true, messages: [], has_more: false };
      case 'files.getUploadURLExternal':
        return { ok: true, upload_url: `${base}/upload/F${calls.length}`, file_id: `F${calls.length}` };
      case 'files.completeUploadExternal':
        return { ok: true, files: [{ id: 'F1', title: 'x' }] };
      case 'chat.postMessage': {
        const seconds = options.history ? Math.floor(Date.now() / 1000) : 1700000000;
        const message: SlackMessage = {
          channel: typeof args.channel === 'string' ? args.channel : '',
          ts: `${seconds}.${String(options.history ? messages.length + 1 : calls.length).padStart(6, '0')}`,
          text: typeof args.text === 'string' ? args.text : '',
          ...(args.metadata ? { metadata: args.metadata as SlackMessage['metadata'] } : {}),
        };
        messages.push(message);
        return { ok: true, channel: args.channel, ts: message.ts };
      }
      default:
        return { ok: true };
    }
  };
  const fake: Pick<FakeSlackApi, 'outage' | 'onCall'> = {};
  /** A call that is refused: recorded, and onCall told (it is answered at once). */
  const record = (call: ApiCall): void => {
    calls.push(call);
    void fake.onCall?.(call, performance.now());
  };
  const server: Server = createServer((req, res) => {
    const raw: Buffer[] = [];
    req.on('data', (c: Buffer) => raw.push(c));
    req.on('end', () => {
      if ((req.url ?? '').startsWith('/upload/')) {
        uploads.push(Buffer.concat(raw));
        res.writeHead(200).end('OK');
        return;
      }
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const args: Record<string, unknown> = {};
      for (const [k, v] of new URLSearchParams(Buffer.concat(raw).toString('utf8'))) {
        try {
          args[k] = JSON_ARGS.has(k) ? JSON.parse(v) : v;
        } catch {
          args[k] = v;
        }
      }
      const outage = fake.outage;
      if (outage && Date.now() < outage.until && method !== 'auth.test') {
        record({ method: `${method} (${outage.status})`, args, at: Date.now() });
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (outage.status === 429) headers['retry-after'] = String(outage.retryAfter ?? 1);
        res
          .writeHead(outage.status, headers)
          .end(JSON.stringify({ ok: false, error: outage.status === 429 ? 'ratelimited' : 'internal_error' }));
        return;
      }
      const refused = refusals.find(
        (r) => r.method === method && Object.entries(r.args ?? {}).every(([k, v]) => args[k] === v),
      );
      if (refused) {
        record({ method: `${method} (${refused.error})`, args, at: Date.now() });
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: false, error: refused.error }));
        return;
      }
      if (rateLimitOnce.delete(method)) {
        record({ method: `${method} (429)`, args, at: Date.now() });
        res
          .writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
      const call: ApiCall = { method, args, at: Date.now(), ...(token ? { token } : {}) };
      calls.push(call);
      call.result = answer(method, args, token);
      const reply = (): void => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(call.result));
      };
      const held = fake.onCall?.(call, performance.now());
      if (held) void held.then(reply, reply);
      else reply();
    });
  });
  workspaces.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const api: Omit<FakeSlackApi, 'outage' | 'onCall'> = {
    url: `${base}/api/`,
    calls,
    uploads,
    messages,
    rateLimitOnce,
    refusals,
    channels,
    since: (from, method) => calls.slice(from).filter((c) => !method || c.method === method),
    workspaces,
    close: async () => {
      await workspaces.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return Object.assign(fake, api);
}

// ── Many workspaces: OAuth (oauth.v2.access), auth.test and auth.revoke per token, Socket Mode ──────────

/** A workspace the fake knows: its bot token, and the code an install of it hands back. */
export interface FakeWorkspace {
  teamId: string;
  teamName: string;
  enterpriseId?: string;
  botToken: string;
  botUserId: string;
  /** The code /slack/oauth_redirect is sent back with after an install in this workspace. */
  code: string;
  /**
   * Token rotation: the install also answers this refresh token, its bot token expiring in
   * `expiresIn` seconds; oauth.v2.access with grant_type=refresh_token then gives `rotated`.
   */
  rotation?: { refreshToken: string; expiresIn: number; rotated: { botToken: string; refreshToken: string } };
}

/** A Socket Mode envelope's acknowledgement, as the bot sent it down the socket. */
export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export interface FakeWorkspaces {
  /** Register a workspace: auth.test answers for its token, oauth.v2.access for its code. */
  add(workspace: FakeWorkspace): void;
  /** The client id and secret oauth.v2.access accepts. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Tokens revoked (auth.revoke): auth.test and every other call with them answer token_revoked. */
  revoked: Set<string>;
  /** Socket Mode: apps.connections.open (with an xapp- token) answers this WebSocket address. */
  readonly socketUrl: string;
  /** Sockets the bot has open. */
  sockets: WebSocket[];
  /** Acknowledgements received, in order. */
  acks: SocketAck[];
  /** Resolves once the bot has connected (and been sent hello). */
  connected(): Promise<void>;
  /** Send an envelope (slash_commands, interactive, events_api) down the socket; resolves with its ack. */
  send(
    type: 'slash_commands' | 'interactive' | 'events_api',
    payload: Record<string, unknown>,
    retry?: number,
  ): Promise<SocketAck>;
  answer(method: string, args: Record<string, unknown>, token?: string): Record<string, unknown> | undefined;
  attach(server: Server): void;
  close(): Promise<void>;
}

function fakeWorkspaces(base: () => string): FakeWorkspaces {
  const byToken = new Map<string, FakeWorkspace>();
  const byCode = new Map<string, FakeWorkspace>();
  const revoked = new Set<string>();
  const sockets: WebSocket[] = [];
  const acks: SocketAck[] = [];
  const waiting = new Map<string, (ack: SocketAck) => void>();
  const onConnect: Array<() => void> = [];
  const wss = new WebSocketServer({ noServer: true });
  let envelopes = 0;
  wss.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data: Buffer) => {
      let ack: SocketAck;
      try {
        ack = JSON.parse(data.toString('utf8')) as SocketAck;
      } catch {
        return;
      }
      acks.push(ack);
      waiting.get(ack.envelope_id)?.(ack);
      waiting.delete(ack.envelope_id);
    });
    socket.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A1' } }));
    for (const resolve of onConnect.splice(0)) resolve();
  });
  const self: FakeWorkspaces = {
    clientId: '1234567890.9876543210',
    clientSecret: 'c1c2c3c4c5c6c7c8c9c0a1a2a3a4a5a6',
    revoked,
    sockets,
    acks,
    get socketUrl() {
      return `${base().replace(/^http/, 'ws')}/socket`;
    },
    add(workspace) {
      byToken.set(workspace.botToken, workspace);
      byCode.set(workspace.code, workspace);
    },
    answer(method, args, token) {
      if (token && revoked.has(token)) return { ok: false, error: 'token_revoked' };
      if (method === 'oauth.v2.access') {
        if (args.client_id !== self.clientId || args.client_secret !== self.clientSecret)
          return { ok: false, error: 'invalid_client_id' };
        if (args.grant_type === 'refresh_token') {
          const r = [...byToken.values()].find((x) => x.rotation?.refreshToken === args.refresh_token);
          if (!r?.rotation) return { ok: false, error: 'invalid_refresh_token' };
          const { rotated } = r.rotation;
          byToken.set(rotated.botToken, { ...r, botToken: rotated.botToken });
          return {
            ok: true,
            app_id: 'A1',
            scope: 'commands,chat:write',
            token_type: 'bot',
            access_token: rotated.botToken,
            refresh_token: rotated.refreshToken,
            expires_in: 43200,
            bot_user_id: r.botUserId,
            team: { id: r.teamId, name: r.teamName },
            enterprise: null,
            is_enterprise_install: false,
          };
        }
        const w = byCode.get(String(args.code));
        if (!w) return { ok: false, error: 'invalid_code' };
        byCode.delete(w.code); // a code is good once
        return {
          ok: true,
          app_id: 'A1',
          authed_user: { id: 'UINSTALLER' },
          scope: 'commands,chat:write',
          token_type: 'bot',
          access_token: w.botToken,
          bot_user_id: w.botUserId,
          team: { id: w.teamId, name: w.teamName },
          enterprise: w.enterpriseId ? { id: w.enterpriseId, name: 'Organisation' } : null,
          is_enterprise_install: false,
          ...(w.rotation ? { refresh_token: w.rotation.refreshToken, expires_in: w.rotation.expiresIn } : {}),
        };
      }
      if (method === 'auth.revoke' && token) {
        revoked.add(token);
        return { ok: true, revoked: true };
      }
      if (method === 'apps.connections.open')
        return token?.startsWith('xapp-')
          ? { ok: true, url: self.socketUrl }
          : { ok: false, error: 'not_allowed_token_type' };
      const w = token ? byToken.get(token) : undefined;
      if (method === 'auth.test' && w)
        return {
          ok: true,
          team_id: w.teamId,
          team: w.teamName,
          user_id: w.botUserId,
          bot_id: `B${w.botUserId}`,
          ...(w.enterpriseId ? { enterprise_id: w.enterpriseId } : {}),
        };
      return undefined;
    },
    attach(server) {
      server.on('upgrade', (req, socket, head) => {
        if (!(req.url ?? '').startsWith('/socket')) return socket.destroy();
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      });
    },
    connected: () =>
      sockets.some((s) => s.readyState === s.OPEN)
        ? Promise.resolve()
        : new Promise((resolve) => onConnect.push(resolve)),
    send(type, payload, retry) {
      const envelope_id = `env-${++envelopes}`;
      const open = sockets.filter((s) => s.readyState === s.OPEN).at(-1);
      if (!open) return Promise.reject(new Error('the bot has no socket open'));
      const acked = new Promise<SocketAck>((resolve) => waiting.set(envelope_id, resolve));
      open.send(
        JSON.stringify({
          envelope_id,
          type,
          payload,
          accepts_response_payload: type !== 'events_api',
          ...(retry ? { retry_attempt: retry, retry_reason: 'timeout' } : {}),
        }),
      );
      return acked;
    },
    close: async () => {
      for (const s of sockets) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
  return self;
}
