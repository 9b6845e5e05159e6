/**
 * Which Slack token each call uses. Each agency's workspace installs the app through Slack's OAuth
 * flow (./oauth); its installation is kept in the store, sealed (src/app/store/slack-installations.ts),
 * through Bolt's InstallationStore interface, which Bolt's InstallProvider uses to authorize each
 * incoming request (by its team or organisation) and to refresh rotated tokens. Outbound calls
 * (the outbox, the sweeper) take the token of the workspace of the agency they are for.
 *
 * Only workspaces registered for an agency in the directory (slack.teamId, slack.enterpriseId) are
 * kept: any other installation is refused and nothing is stored. A single-workspace SLACK_BOT_TOKEN
 * still works: it is the token of the workspace it belongs to (auth.test says which).
 */
import type { Installation, InstallationQuery, InstallationStore, InstallProvider } from '@slack/oauth';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { installationKey, type InstallationKey, type InstallationSealer } from '../../app/store/slack-installations';
import type { CaseRepository } from '../../app/store/repository';
import type { Agency, Directory } from '../../domain/directory';
import { NotInstalled } from '../../app/outlet';

export { NotInstalled } from '../../app/outlet';

/** A request from a workspace that is not registered for any agency, or that has not installed the app. */
export class NotAuthorized extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAuthorized';
  }
}

type Ids = { teamId?: string | undefined; enterpriseId?: string | undefined; isEnterpriseInstall?: boolean };

/** The agency a workspace (or organisation) is registered for, if any. */
export function registeredAgency(directory: Directory, ids: Ids): Agency | undefined {
  const slack = directory.agencies.filter((a) => a.slack);
  if (ids.isEnterpriseInstall) return slack.find((a) => ids.enterpriseId && a.slack?.enterpriseId === ids.enterpriseId);
  return (
    slack.find((a) => ids.teamId && a.slack?.teamId === ids.teamId) ??
    slack.find((a) => ids.enterpriseId && a.slack?.enterpriseId === ids.enterpriseId && !ids.teamId)
  );
}

/** The single-workspace token (SLACK_BOT_TOKEN) and what auth.test said of it. */
interface SingleToken {
  token: string;
  teamId?: string;
  enterpriseId?: string;
  botId?: string;
  botUserId?: string;
}

export interface WorkspacesOptions {
  repo: CaseRepository;
  directory: Directory;
  sealer: InstallationSealer;
  clock: () => Date;
  report: (message: string, fields: Record<string, unknown>) => void;
  /** SLACK_BOT_TOKEN, if set: the token of the workspace it belongs to. */
  singleToken?: string;
  clientOptions: WebClientOptions;
}

/** Bolt's installation store, kept in ours, sealed; refusing workspaces no agency is registered for. */
export class SlackWorkspaces implements InstallationStore {
  private installer?: InstallProvider;
  private single?: Promise<SingleToken | undefined>;

  constructor(private readonly options: WorkspacesOptions) {}

  /** The InstallProvider whose authorize (with token refresh) every lookup goes through. */
  use(installer: InstallProvider): void {
    this.installer = installer;
  }

  registered(ids: Ids): Agency | undefined {
    return registeredAgency(this.options.directory, ids);
  }

  async storeInstallation(installation: Installation): Promise<void> {
    const ids = {
      teamId: installation.team?.id,
      enterpriseId: installation.enterprise?.id,
      isEnterpriseInstall: installation.isEnterpriseInstall ?? false,
    };
    const agency = this.registered(ids);
    if (!agency) throw new NotAuthorized('This Slack workspace is not registered for any agency; nothing was stored.');
    const key = installationKey(ids);
    const now = this.options.clock().toISOString();
    await this.options.repo.saveSlackInstallation({
      key,
      ...(ids.teamId && !ids.isEnterpriseInstall ? { teamId: ids.teamId } : {}),
      ...(ids.enterpriseId ? { enterpriseId: ids.enterpriseId } : {}),
      installedAt: now,
      updatedAt: now,
      sealed: this.options.sealer.seal(key, installation),
    });
    this.options.report("Slack: a workspace's installation was stored (the app installed, or its token refreshed)", {
      workspace: key,
      agency: agency.id,
    });
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v1' | 'v2', boolean>> {
    for (const key of this.keysOf(query)) {
      const record = await this.options.repo.getSlackInstallation(key);
      if (record) return this.options.sealer.open(key, record.sealed) as Installation;
    }
    const single = await this.singleToken();
    if (
      single &&
      ((single.teamId !== undefined && single.teamId === query.teamId) ||
        (query.isEnterpriseInstall && single.enterpriseId !== undefined && single.enterpriseId === query.enterpriseId))
    )
      return {
        team: single.teamId ? { id: single.teamId } : undefined,
        enterprise: single.enterpriseId ? { id: single.enterpriseId } : undefined,
        bot: { token: single.token, scopes: [], id: single.botId ?? '', userId: single.botUserId ?? '' },
        user: { token: undefined, scopes: undefined, id: '' },
        isEnterpriseInstall: false,
      };
    throw new NotAuthorized(`No installation for ${this.keysOf(query).join(' or ') || 'an unnamed workspace'}`);
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.removeInstallation(query);
  }

  /** Remove a workspace's installation (it uninstalled the app, or revoked the bot's token). */
  async removeInstallation(query: Ids): Promise<boolean> {
    const key = this.keysOf(query)[0];
    if (!key) return false;
    return this.options.repo.deleteSlackInstallation(key);
  }

  /** The keys an installation for this query may be kept under: the workspace's, then its organisation's. */
  private keysOf(query: Ids): InstallationKey[] {
    if (query.isEnterpriseInstall) return query.enterpriseId ? [`enterprise:${query.enterpriseId}`] : [];
    return [
      ...(query.teamId ? ([`team:${query.teamId}`] as const) : []),
      ...(query.enterpriseId ? ([`enterprise:${query.enterpriseId}`] as const) : []),
    ];
  }

  /** What auth.test says of SLACK_BOT_TOKEN (asked once; asked again after a failure). */
  singleToken(): Promise<SingleToken | undefined> {
    const token = this.options.singleToken;
    if (!token) return Promise.resolve(undefined);
    this.single ??= new WebClient(token, { ...this.options.clientOptions, retryConfig: { retries: 1 } }).auth
      .test()
      .then((r) => {
        const found: SingleToken = {
          token,
          ...(r.team_id ? { teamId: r.team_id } : {}),
          ...(r.enterprise_id ? { enterpriseId: r.enterprise_id } : {}),
          ...(r.bot_id ? { botId: r.bot_id } : {}),
          ...(r.user_id ? { botUserId: r.user_id } : {}),
        };
        if (!this.registered(found))
          this.options.report('Slack: SLACK_BOT_TOKEN belongs to a workspace no agency is registered for', {
            workspace: found.teamId,
          });
        return found;
      })
      .catch((error: unknown) => {
        this.single = undefined;
        this.options.report('Slack: could not check SLACK_BOT_TOKEN (auth.test)', {
          error: error instanceof Error ? error.message : String(error),
        });
        return undefined;
      });
    return this.single;
  }

  /**
   * The bot token for a request or a call: the workspace's installation (refreshed if it rotates),
   * or SLACK_BOT_TOKEN for its own workspace. Throws NotAuthorized for anything else.
   */
  async botToken(
    ids: Ids,
  ): Promise<{ token: string; botId?: string; botUserId?: string; teamId?: string; enterpriseId?: string }> {
    if (!this.registered(ids)) throw new NotAuthorized('This Slack workspace is not registered for any agency.');
    const query = {
      teamId: ids.teamId,
      enterpriseId: ids.enterpriseId,
      isEnterpriseInstall: ids.isEnterpriseInstall ?? false,
    };
    const result = this.installer
      ? await this.installer.authorize(query).catch((error: unknown) => {
          // InstallProvider wraps what failed (no installation, a busy store): the cause is thrown as it is.
          throw (error as { original?: unknown }).original ?? error;
        })
      : await this.fetchInstallation(query).then((i) => ({
          botToken: i.bot?.token,
          botId: i.bot?.id,
          botUserId: i.bot?.userId,
          teamId: i.team?.id ?? ids.teamId,
          enterpriseId: i.enterprise?.id,
        }));
    if (!result.botToken) throw new NotAuthorized('The installation has no bot token.');
    return {
      token: result.botToken,
      ...(result.botId ? { botId: result.botId } : {}),
      ...(result.botUserId ? { botUserId: result.botUserId } : {}),
      ...(result.teamId ? { teamId: result.teamId } : {}),
      ...(result.enterpriseId ? { enterpriseId: result.enterpriseId } : {}),
    };
  }

  /** The token for calls to an agency's people and channels; NotInstalled when its workspace has none. */
  async tokenForAgency(agencyId: string | undefined): Promise<string> {
    const agency = this.options.directory.agencies.find((a) => a.id === agencyId);
    if (!agency?.slack) throw new NotInstalled(agency?.name ?? 'This agency');
    try {
      return (await this.botToken({ teamId: agency.slack.teamId, enterpriseId: agency.slack.enterpriseId })).token;
    } catch (error) {
      if (error instanceof NotAuthorized) throw new NotInstalled(agency.name);
      throw error;
    }
  }
}

/** WebClients by token, made once each (a client keeps its own pacing of Slack's rate limits). */
export class ClientsByToken {
  private readonly clients = new Map<string, WebClient>();

  constructor(private readonly options: WebClientOptions) {}

  get(token: string): WebClient {
    let client = this.clients.get(token);
    if (!client) {
      // Rotated tokens (a new one every twelve hours per workspace) do not pile up.
      if (this.clients.size >= 500) this.clients.clear();
      client = new WebClient(token, this.options);
      this.clients.set(token, client);
    }
    return client;
  }
}
