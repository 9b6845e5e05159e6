/**
 * Teams' connector service (and OneDrive's upload session), faked on loopback: every call is
 * recorded. A 1:1 conversation is named after the person; a channel thread after its first message.
 */
import { createServer, type Server } from 'node:http';
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
}

export async function startFakeConnector(): Promise<FakeConnector> {
  const calls: ConnectorCall[] = [];
  const uploads: FakeConnector['uploads'] = [];
  const fake: Pick<FakeConnector, 'members' | 'onCall'> = { members: [] };
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
