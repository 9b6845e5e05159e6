/**
 * An app-only token for Microsoft Graph, per Entra tenant: the client-credentials flow with the
 * bot's own app registration (MicrosoftAppId and MicrosoftAppPassword) at
 * `{authority}/{tenant}/oauth2/v2.0/token`, or, where the bot runs as a user-assigned managed
 * identity (MicrosoftAppType UserAssignedMSI), that identity's token from @azure/identity (its own
 * tenant only). Each token is kept until five minutes before it ends (halfway, for a shorter
 * one); callers at the same moment share one request.
 */
import type { TokenCredential } from '@azure/identity';
import { GroupFetchError } from '../../app/directory/group-sources';
import { boundedFetch, jsonOf } from '../group-fetch';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const EARLY_MS = 5 * 60_000;

export interface GraphTokensOptions {
  /** The login authority (ENTRA_AUTHORITY_URL), default https://login.microsoftonline.com/. */
  authorityUrl?: string;
  clientId?: string;
  clientSecret?: string;
  /** A managed identity (or any credential) instead of the client secret; tokens for `homeTenantId` only. */
  credential?: TokenCredential;
  homeTenantId?: string;
  timeoutMs?: number;
  now?: () => number;
}

interface Kept {
  token: string;
  /** When to ask for a new one: five minutes before it ends, or halfway through a shorter life. */
  renewAt: number;
}

function kept(token: string, now: number, until: number): Kept {
  return { token, renewAt: until - Math.min(EARLY_MS, Math.max(0, until - now) / 2) };
}

export class GraphTokens {
  private readonly kept = new Map<string, Kept>();
  private readonly asking = new Map<string, Promise<Kept>>();
  private readonly authority: string;
  private readonly now: () => number;

  constructor(private readonly options: GraphTokensOptions) {
    const base = options.authorityUrl ?? 'https://login.microsoftonline.com/';
    this.authority = base.endsWith('/') ? base : `${base}/`;
    this.now = options.now ?? Date.now;
  }

  /** Whether the bot has anything to ask Graph tokens with. */
  get configured(): boolean {
    return Boolean(this.options.credential ?? (this.options.clientId && this.options.clientSecret));
  }

  async token(tenantId: string, signal: AbortSignal): Promise<string> {
    const held = this.kept.get(tenantId);
    if (held && held.renewAt > this.now()) return held.token;
    let asking = this.asking.get(tenantId);
    if (!asking) {
      asking = this.ask(tenantId, signal).finally(() => this.asking.delete(tenantId));
      this.asking.set(tenantId, asking);
    }
    const fresh = await asking;
    this.kept.set(tenantId, fresh);
    return fresh.token;
  }

  /** Graph refused the token (401): the next call asks for a new one. */
  forget(tenantId: string): void {
    this.kept.delete(tenantId);
  }

  private async ask(tenantId: string, signal: AbortSignal): Promise<Kept> {
    const { credential, clientId, clientSecret, homeTenantId } = this.options;
    if (credential) {
      if (homeTenantId !== undefined && tenantId !== homeTenantId)
        throw new GroupFetchError(
          `the bot's managed identity belongs to the tenant ${homeTenantId} and cannot read groups of the tenant ${tenantId}`,
          false,
        );
      let got: Awaited<ReturnType<TokenCredential['getToken']>>;
      try {
        got = await credential.getToken(GRAPH_SCOPE, { abortSignal: signal });
      } catch (error) {
        throw new GroupFetchError(
          `the managed identity gave no Microsoft Graph token (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
        );
      }
      if (!got) throw new GroupFetchError('the managed identity gave no Microsoft Graph token');
      return kept(got.token, this.now(), got.expiresOnTimestamp);
    }
    if (!clientId || !clientSecret)
      throw new GroupFetchError(
        'the bot cannot read Entra ID groups: set MicrosoftAppId and MicrosoftAppPassword (or run it as a managed identity)',
        false,
      );
    const what = `Microsoft sign-in for the tenant ${tenantId}`;
    const res = await boundedFetch(
      what,
      `${this.authority}${encodeURIComponent(tenantId)}/oauth2/v2.0/token`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: clientId,
          client_secret: clientSecret,
          scope: GRAPH_SCOPE,
          grant_type: 'client_credentials',
        }).toString(),
      },
      signal,
      this.options.timeoutMs ?? 10_000,
    );
    const body = await jsonOf(what, res);
    const token = body.access_token;
    const seconds = Number(body.expires_in);
    if (res.ok && typeof token === 'string' && token && Number.isFinite(seconds) && seconds > 0)
      return kept(token, this.now(), this.now() + seconds * 1000);
    const code = typeof body.error === 'string' ? body.error.slice(0, 60) : `status ${res.status}`;
    const aadsts =
      typeof body.error_description === 'string' ? /AADSTS\d+/.exec(body.error_description)?.[0] : undefined;
    throw new GroupFetchError(
      `${what} refused the bot (${code}${aadsts ? `, ${aadsts}` : ''}): an administrator of that tenant must consent to the bot's app reading groups (GroupMember.Read.All, User.Read.All)`,
      res.status >= 500 || res.status === 429,
    );
  }
}
