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
}

export interface FakeConnector {
  /** The service URL to put in activities (and TEAMS_SERVICE_URL). Ends in /. */
  url: string;
  calls: ConnectorCall[];
  uploads: Array<{ headers: Record<string, string>; bytes: Buffer }>;
  /** The members a group chat's paged-members call returns. */
  members: Array<{ id: string; name?: string; aadObjectId?: string }>;
  close(): Promise<void>;
}

export async function startFakeConnector(): Promise<FakeConnector> {
  const calls: ConnectorCall[] = [];
  const uploads: FakeConnector['uploads'] = [];
  const fake = { members: [] as FakeConnector['members'] };
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
      calls.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.method === 'GET' && /\/pagedmembers/.test(req.url ?? '')) {
        res.end(JSON.stringify({ members: fake.members }));
        return;
      }
      const created = (body ?? {}) as { isGroup?: boolean; members?: Array<{ id: string }> };
      if (req.method === 'POST' && req.url === '/v3/conversations' && created.isGroup === false)
        res.end(JSON.stringify({ id: `a:${created.members?.[0]?.id ?? ''}` }));
      else if (req.method === 'POST' && req.url === '/v3/conversations')
        res.end(
          JSON.stringify({
            id: `19:escalations@thread.tacv2;messageid=${calls.length}`,
            activityId: `${calls.length}`,
          }),
        );
      else res.end(JSON.stringify({ id: `sent-${calls.length}` }));
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
