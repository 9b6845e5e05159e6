/**
 * Slack's Web API, faked on loopback: every call it receives is recorded, and it answers the
 * methods the bot uses as Slack would (ids made up, ok: true). Also takes file uploads.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fakeWorkspaces, type FakeWorkspaces } from './slack-workspaces';

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

export type { FakeWorkspace, FakeWorkspaces, SocketAck } from './slack-workspaces';

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
  // --- User groups (group sync: usergroups.users.list; their people are in `users`) --------
  /** Each user group's members (usergroups.users.list), by its id ("S…"); an unknown id is no_such_subteam. */
  usergroups: Map<string, string[]>;
  /**
   * Called with each call once it is recorded (and, if it succeeds, answered) before the answer is
   * written, with performance.now() then (for timing). The answer waits for a promise it returns (a
   * crash test kills the caller meanwhile, so the call is done on Slack's side but the caller never
   * hears of it).
   */
  onCall?: (call: ApiCall, arrived: number) => void | Promise<void>;
  since(from: number, method?: string): ApiCall[];
  /** Many workspaces: OAuth, auth.test per token, Socket Mode (./slack-workspaces). */
  workspaces: FakeWorkspaces;
  close(): Promise<void>;
  /** Slack's users (users.info answers from these; anyone else is user_not_found). */
  users: Map<string, FakeSlackUser>;
  /** A user Slack knows: full member of `teamId` unless told otherwise. */
  addUser(user: FakeSlackUserInput): FakeSlackUser;
}

/** usergroups.users.list, from the groups the test registered; undefined for any other method. */
function groupAnswer(
  method: string,
  args: Record<string, unknown>,
  usergroups: ReadonlyMap<string, string[]>,
): Record<string, unknown> | undefined {
  if (method === 'usergroups.users.list') {
    const members = usergroups.get(String(args.usergroup));
    return members ? { ok: true, users: [...members] } : { ok: false, error: 'no_such_subteam' };
  }
  return undefined;
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
  const users = new Map<string, FakeSlackUser>();
  let channelCount = 0;
  let base = '';
  const workspaces = fakeWorkspaces(() => base);
  const usergroups = new Map<string, string[]>();
  const answer = (method: string, args: Record<string, unknown>, token?: string): Record<string, unknown> => {
    const many = workspaces.answer(method, args, token);
    if (many) return many;
    const grouped = groupAnswer(method, args, usergroups);
    if (grouped) return grouped;
    switch (method) {
      case 'users.info':
        return usersInfo(users, args);
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
    usergroups,
    since: (from, method) => calls.slice(from).filter((c) => !method || c.method === method),
    workspaces,
    users,
    addUser: (input) => {
      const user = fakeSlackUser(input);
      users.set(user.id, user);
      return user;
    },
    close: async () => {
      await workspaces.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return Object.assign(fake, api);
}

// ── users.info: who a Slack user is (identity from the platform) ─────────────────────────────

export interface FakeSlackUserInput {
  id: string;
  teamId: string;
  name: string;
  /** Left out of the profile when undefined (an app without users:read.email sees none). */
  email?: string;
  enterpriseId?: string;
  isBot?: boolean;
  deleted?: boolean;
  /** 'multi' is_restricted, 'single' is_ultra_restricted. */
  guest?: 'multi' | 'single';
}

/** A user as users.info gives it (the fields the bot reads, as Slack names them). */
export type FakeSlackUser = { id: string } & Record<string, unknown>;

function fakeSlackUser(u: FakeSlackUserInput): FakeSlackUser {
  return {
    id: u.id,
    team_id: u.teamId,
    name: u.name.toLowerCase().replace(/\s+/g, '.'),
    real_name: u.name,
    deleted: u.deleted ?? false,
    is_bot: u.isBot ?? false,
    is_restricted: u.guest !== undefined,
    is_ultra_restricted: u.guest === 'single',
    ...(u.enterpriseId ? { enterprise_user: { enterprise_id: u.enterpriseId, id: u.id } } : {}),
    profile: { real_name: u.name, display_name: u.name, ...(u.email ? { email: u.email } : {}) },
  };
}

function usersInfo(users: Map<string, FakeSlackUser>, args: Record<string, unknown>): Record<string, unknown> {
  const user = users.get(String(args.user));
  return user ? { ok: true, user } : { ok: false, error: 'user_not_found' };
}
