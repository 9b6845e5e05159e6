/**
 * Microsoft Graph and the Microsoft sign-in token endpoint, faked on loopback (one server, two
 * addresses): `POST /{tenant}/oauth2/v2.0/token` (client credentials, for apps the test
 * registers and tenants that consented to them) and
 * `GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user` (the members the test registers,
 * only with a token of the group's tenant, honouring $select and $top, paged by @odata.nextLink).
 * Every call is recorded.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphUserRecord {
  id: string;
  displayName?: string;
  mail?: string | null;
  userPrincipalName?: string;
  userType?: 'Member' | 'Guest';
  accountEnabled?: boolean;
}

export interface GraphCall {
  method: string;
  /** The path and query, as asked. */
  url: string;
  /** The token endpoint's form fields; Graph's Authorization header. */
  form?: Record<string, string>;
  authorization?: string;
  status: number;
}

export interface FakeGraph {
  /** ENTRA_AUTHORITY_URL: the sign-in address (ends in /). */
  loginUrl: string;
  /** GRAPH_API_URL: Graph's address (ends in /). */
  graphUrl: string;
  calls: GraphCall[];
  /** App registrations the token endpoint knows: client id → secret. */
  apps: Map<string, string>;
  /** Tenants whose administrators consented to an app: `${tenant} ${clientId}`. */
  consents: Set<string>;
  /** Groups by object id: their tenant and their (transitive) user members. */
  groups: Map<string, { tenantId: string; members: GraphUserRecord[] }>;
  /** The most users on one page, whatever $top asks (Graph's own limit is 999). */
  pageSize: number;
  /** How long each token lasts (expires_in, seconds). */
  expiresIn: number;
  /** Graph pages that fail: the nth page (1-based) of a group's listing answers `status`, each time until cleared. */
  failPages: Array<{ groupId: string; page: number; status: number }>;
  /** A next link to hand out instead of Graph's own (an attacker's address, say). */
  nextLinkOverride?: string;
  /** Every token handed out stops working (Graph answers 401), as when a secret is rotated. */
  revokeTokens(): void;
  tokenCalls(): GraphCall[];
  graphCalls(): GraphCall[];
  close(): Promise<void>;
}

const GROUP_PATH = /^\/v1\.0\/groups\/([^/]+)\/transitiveMembers\/microsoft\.graph\.user$/;
const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;

export async function startFakeGraph(): Promise<FakeGraph> {
  const calls: GraphCall[] = [];
  const issued = new Map<string, string>(); // token → tenant
  let base = '';
  const fake: Omit<FakeGraph, 'loginUrl' | 'graphUrl' | 'revokeTokens' | 'tokenCalls' | 'graphCalls' | 'close'> = {
    calls,
    apps: new Map(),
    consents: new Set(),
    groups: new Map(),
    pageSize: 999,
    expiresIn: 3599,
    failPages: [],
  };
  const server: Server = createServer((req, res) => {
    const raw: Buffer[] = [];
    req.on('data', (c: Buffer) => raw.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const send = (call: GraphCall, body: Record<string, unknown>): void => {
        calls.push(call);
        res.writeHead(call.status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      const token = TOKEN_PATH.exec(url.pathname);
      if (req.method === 'POST' && token) {
        const tenant = decodeURIComponent(token[1] ?? '');
        const form = Object.fromEntries(new URLSearchParams(Buffer.concat(raw).toString('utf8')));
        const call: GraphCall = { method: 'POST', url: `${url.pathname}${url.search}`, form, status: 200 };
        const clientId = form.client_id ?? '';
        if (form.grant_type !== 'client_credentials' || form.scope !== 'https://graph.microsoft.com/.default')
          return send({ ...call, status: 400 }, { error: 'invalid_request', error_description: 'AADSTS900144: bad' });
        if (fake.apps.get(clientId) !== form.client_secret)
          return send(
            { ...call, status: 401 },
            { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' },
          );
        if (!fake.consents.has(`${tenant} ${clientId}`))
          return send(
            { ...call, status: 400 },
            {
              error: 'unauthorized_client',
              error_description: `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
            },
          );
        const access = randomBytes(18).toString('base64url');
        issued.set(access, tenant);
        return send(call, { token_type: 'Bearer', expires_in: fake.expiresIn, access_token: access });
      }
      const group = GROUP_PATH.exec(url.pathname);
      if (req.method === 'GET' && group) {
        const authorization = req.headers.authorization;
        const call: GraphCall = {
          method: 'GET',
          url: `${url.pathname}${url.search}`,
          ...(authorization ? { authorization } : {}),
          status: 200,
        };
        const groupId = decodeURIComponent(group[1] ?? '');
        const found = fake.groups.get(groupId);
        const tenant = issued.get((authorization ?? '').replace(/^Bearer /, ''));
        if (tenant === undefined)
          return send({ ...call, status: 401 }, { error: { code: 'InvalidAuthenticationToken', message: 'no' } });
        if (!found || found.tenantId !== tenant)
          return send({ ...call, status: 404 }, { error: { code: 'Request_ResourceNotFound', message: 'no group' } });
        const skip = Number(url.searchParams.get('$skiptoken') ?? 0);
        const top = Math.min(fake.pageSize, Number(url.searchParams.get('$top') ?? 100));
        const page = Math.floor(skip / top) + 1;
        const failing = fake.failPages.find((f) => f.groupId === groupId && f.page === page);
        if (failing)
          return send({ ...call, status: failing.status }, { error: { code: 'serviceUnavailable', message: 'down' } });
        const select = url.searchParams.get('$select')?.split(',');
        const value = found.members
          .slice(skip, skip + top)
          .map((u) =>
            select
              ? Object.fromEntries(Object.entries(u).filter(([k]) => select.includes(k)))
              : (u as unknown as Record<string, unknown>),
          );
        const more = skip + top < found.members.length;
        const next = new URL(url.toString());
        next.searchParams.set('$skiptoken', String(skip + top));
        return send(call, {
          '@odata.context': `${base}/v1.0/$metadata#users`,
          value,
          ...(more ? { '@odata.nextLink': fake.nextLinkOverride ?? next.toString() } : {}),
        });
      }
      send({ method: req.method ?? '', url: req.url ?? '', status: 404 }, { error: 'not faked' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    loginUrl: `${base}/`,
    graphUrl: `${base}/`,
    revokeTokens: () => issued.clear(),
    tokenCalls: () => calls.filter((c) => TOKEN_PATH.test(c.url.split('?')[0] ?? '')),
    graphCalls: () => calls.filter((c) => GROUP_PATH.test(c.url.split('?')[0] ?? '')),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
