/**
 * Teams' connector service (and OneDrive's upload session), faked on loopback: every call is
 * recorded. A 1:1 conversation is named after the person; a channel thread after its first message.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  url: string;
  body: Record<string, unknown> | undefined;
  /** When it came (Date.now()). */
  at?: number;
  /** What the fake answered (a new conversation's id and first activity, a sent activity's id). */
  result?: Record<string, unknown>;
}

export interface FakeConnector {
  /** The service URL to put in activities (and TEAMS_SERVICE_URL). Ends in /. */
  url: string;
  calls: ConnectorCall[];
  uploads: Array<{ headers: Record<string, string>; bytes: Buffer }>;
  /** The members a group chat's paged-members call returns. */
  members: Array<{ id: string; name?: string; aadObjectId?: string }>;
  /**
   * Called with each call once it is recorded and answered, before the answer is written: the
   * answer waits for a promise it returns (a crash test kills the caller meanwhile).
   */
  onCall?: (call: ConnectorCall) => void | Promise<void>;
  close(): Promise<void>;
  /** Teams' users, for the member lookup (GET /v3/conversations/{id}/members/{memberId}); anyone else is 404. */
  teamsUsers: Map<string, FakeTeamsMember>;
  /** A user Teams knows, found by their Teams id (29:…) or Entra object id. */
  addTeamsUser(member: FakeTeamsMember): void;
}

export async function startFakeConnector(): Promise<FakeConnector> {
  const calls: ConnectorCall[] = [];
  const uploads: FakeConnector['uploads'] = [];
  const fake: Pick<FakeConnector, 'members' | 'onCall'> = { members: [] };
  const teamsUsers = new Map<string, FakeTeamsMember>();
  const server: Server = createServer((req, res) => {
    const raw: Buffer[] = [];
    req.on('data', (c: Buffer) => raw.push(c));
    req.on('end', () => {
      const text = Buffer.concat(raw).toString('utf8');
      if ((req.url ?? '').startsWith('/upload/')) {
        uploads.push({ headers: req.headers as Record<string, string>, bytes: Buffer.concat(raw) });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      let body: Record<string, unknown> | undefined;
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      const call: ConnectorCall = { method: req.method ?? '', url: req.url ?? '', body, at: Date.now() };
      calls.push(call);
      if (memberLookup(teamsUsers, call, res)) return;
      const created = (body ?? {}) as { isGroup?: boolean; members?: Array<{ id: string }> };
      if (req.method === 'GET' && /\/pagedmembers/.test(req.url ?? '')) call.result = { members: fake.members };
      else if (req.method === 'POST' && req.url === '/v3/conversations' && created.isGroup === false)
        call.result = { id: `a:${created.members?.[0]?.id ?? ''}` };
      else if (req.method === 'POST' && req.url === '/v3/conversations')
        call.result = {
          id: `19:escalations@thread.tacv2;messageid=${calls.length}`,
          activityId: `${calls.length}`,
        };
      else call.result = { id: `sent-${calls.length}` };
      const reply = (): void => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(call.result));
      };
      const held = fake.onCall?.(call);
      if (held) void held.then(reply, reply);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return Object.assign(fake, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    calls,
    uploads,
    teamsUsers,
    addTeamsUser: (member: FakeTeamsMember) => {
      teamsUsers.set(member.id, member);
      teamsUsers.set(member.aadObjectId.toLowerCase(), member);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

// ── the member lookup: who a Teams user is (identity from the platform) ────────────────────────

/** A conversation member as Teams gives it (TeamsChannelAccount). */
export interface FakeTeamsMember {
  id: string;
  aadObjectId: string;
  name: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
  /** 'user' or 'guest' */
  userRole?: string;
}

/** GET /v3/conversations/{id}/members/{memberId}: the member, or 404 as Teams says it. True if answered. */
function memberLookup(users: Map<string, FakeTeamsMember>, call: ConnectorCall, res: ServerResponse): boolean {
  const m = /^\/v3\/conversations\/[^/]+\/members\/([^/?]+)$/.exec(call.url);
  if (call.method !== 'GET' || !m?.[1]) return false;
  const member = users.get(decodeURIComponent(m[1])) ?? users.get(decodeURIComponent(m[1]).toLowerCase());
  call.result = member ? { ...member, givenName: member.name.split(' ')[0] } : { error: { code: 'MemberNotFound' } };
  res.writeHead(member ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(call.result));
  return true;
}
