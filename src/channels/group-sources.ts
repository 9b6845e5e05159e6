/**
 * The group sources the configuration allows: Slack user groups where the bot has a Slack token,
 * Entra ID groups where it has a Microsoft app registration (client secret) or runs as a
 * user-assigned managed identity. Used by the bot (src/main.ts) and `cli directory sync-groups`.
 */
import type * as Identity from '@azure/identity';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import type { Config } from '../config';
import type { Agency } from '../domain/directory';
import type { GroupSource } from '../app/directory/group-sources';
import { SlackUserGroups } from './slack/user-groups';
import { EntraGroups } from './teams/entra-groups';
import { GraphTokens } from './teams/graph-token';

export type GroupSourcesConfig = Pick<
  Config,
  | 'SLACK_BOT_TOKEN'
  | 'SLACK_API_URL'
  | 'MicrosoftAppId'
  | 'MicrosoftAppPassword'
  | 'MicrosoftAppType'
  | 'MicrosoftAppTenantId'
  | 'GRAPH_API_URL'
  | 'ENTRA_AUTHORITY_URL'
>;

export interface GroupSourceOptions {
  /**
   * The bot token of an agency's workspace. Unset: SLACK_BOT_TOKEN for every Slack agency (the
   * one workspace it belongs to); with per-workspace installs, the installation's token.
   */
  slackTokenFor?: (agency: Agency) => string | undefined | Promise<string | undefined>;
}

export function groupSources(
  config: GroupSourcesConfig,
  options: GroupSourceOptions = {},
): Partial<Record<'slack' | 'teams', GroupSource>> {
  const sources: Partial<Record<'slack' | 'teams', GroupSource>> = {};
  const slackTokenFor = options.slackTokenFor ?? (config.SLACK_BOT_TOKEN ? () => config.SLACK_BOT_TOKEN : undefined);
  if (slackTokenFor)
    sources.slack = new SlackUserGroups({
      ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
      tokenFor: slackTokenFor,
    });
  const managed = config.MicrosoftAppType === 'UserAssignedMSI' && config.MicrosoftAppId;
  const tokens = new GraphTokens({
    ...(config.ENTRA_AUTHORITY_URL ? { authorityUrl: config.ENTRA_AUTHORITY_URL } : {}),
    ...(managed
      ? {
          credential: managedIdentity(config.MicrosoftAppId as string),
          ...(config.MicrosoftAppTenantId ? { homeTenantId: config.MicrosoftAppTenantId } : {}),
        }
      : {
          ...(config.MicrosoftAppId ? { clientId: config.MicrosoftAppId } : {}),
          ...(config.MicrosoftAppPassword ? { clientSecret: config.MicrosoftAppPassword } : {}),
        }),
  });
  if (tokens.configured)
    sources.teams = new EntraGroups({ ...(config.GRAPH_API_URL ? { graphUrl: config.GRAPH_API_URL } : {}), tokens });
  return sources;
}

/** The user-assigned managed identity's credential, @azure/identity loaded with its first token (not at start). */
function managedIdentity(clientId: string): TokenCredential {
  let credential: TokenCredential | undefined;
  return {
    getToken: (scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      credential ??= new (require('@azure/identity') as typeof Identity).ManagedIdentityCredential({ clientId });
      return credential.getToken(scopes, options);
    },
  };
}
