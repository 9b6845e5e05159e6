/**
 * Slack's Web API, faked on loopback: every call it receives is recorded, and it answers the
 * methods the bot uses as Slack would (ids made up, ok: true). Also takes file uploads.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

export interface FakeSlackApi {
  /** The base address to give the bot as SLACK_API_URL (ends in /api/). */
  url: string;
  calls: ApiCall[];
  uploads: Buffer[];
  /** Methods that answer 429 once (with Retry-After: 1) before they succeed. */
  rateLimitOnce: Set<string>;
  since(from: number, method?: string): ApiCall[];
  close(): Promise<void>;
}

const JSON_ARGS = new Set(['blocks', 'view', 'user_ids', 'emails']);

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: ApiCall[] = [];
  const uploads: Buffer[] = [];
  const rateLimitOnce = new Set<string>();
  let channelCount = 0;
  let base = '';
  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0LINCDIO' };
      case 'conversations.create':
        return { ok: true, channel: { id: `CCASE${++channelCount}`, name: args.name } };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(args.users)}` } };
      case 'conversations.history':
        return { ok: true, messages: [], has_more: false };
      case 'files.getUploadURLExternal':
        return { ok: true, upload_url: `${base}/upload/F${calls.length}`, file_id: `F${calls.length}` };
      case 'files.completeUploadExternal':
        return { ok: true, files: [{ id: 'F1', title: 'x' }] };
      case 'chat.postMessage':
        return { ok: true, channel: args.channel, ts: `1700000000.${String(calls.length).padStart(6, '0')}` };
      default:
        return { ok: true };
    }
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
      if (rateLimitOnce.delete(method)) {
        calls.push({ method: `${method} (429)`, args, at: Date.now() });
        res
          .writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      calls.push({ method, args, at: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(method, args)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/api/`,
    calls,
    uploads,
    rateLimitOnce,
    since: (from, method) => calls.slice(from).filter((c) => !method || c.method === method),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
