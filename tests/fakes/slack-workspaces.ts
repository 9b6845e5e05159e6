/**
 * The fake Slack Web API's side for many workspaces (tests/fakes/slack-api.ts uses it for every
 * call before its own answers): OAuth (oauth.v2.access, a code good once, token rotation),
 * auth.test and auth.revoke per token, and Socket Mode: apps.connections.open (with an xapp-
 * token) answers a ws:// loopback address, where a WebSocket server says hello, sends envelopes
 * (slash_commands, interactive, events_api) and records the bot's acknowledgements.
 */
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

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

export function fakeWorkspaces(base: () => string): FakeWorkspaces {
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
