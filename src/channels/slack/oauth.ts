/**
 * Installing the Slack app in an agency's workspace, through Slack's OAuth flow (Bolt's
 * InstallProvider, @slack/oauth), on the bot's own HTTP server:
 *
 *   GET /slack/install         the "Add to Slack" page, with Bolt's state cookie (ten minutes)
 *   GET /slack/oauth_redirect  Slack sends the installer back here with a code: the state is checked
 *                              against the cookie, the code exchanged (oauth.v2.access), and the
 *                              installation stored, sealed (./workspaces); a plain page says how it went.
 *
 * Only a workspace (or organisation) registered for an agency in the directory may install: any
 * other is refused on a plain page, its new token revoked at once (auth.revoke), and nothing is
 * stored, so someone installing the app in a workspace of their own gains nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InstallProvider, type CodedError, type Installation, type Logger } from '@slack/oauth';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Route } from '../../http/server';
import type { SlackWorkspaces } from './workspaces';

/** The bot scopes the app asks for (the same as manifests/slack/manifest.yaml; tests/unit/slack-manifest.test.ts). */
export const BOT_SCOPES = [
  'commands',
  'groups:write',
  'groups:read',
  'groups:write.invites',
  'conversations.connect:write',
  'chat:write',
  'im:write',
  'files:write',
  'im:history',
  'groups:history',
  'app_mentions:read',
  'users:read',
  'users:read.email',
  'usergroups:read',
] as const;

export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  workspaces: SlackWorkspaces;
  clientOptions: WebClientOptions;
  logger: Logger;
  report: (message: string, fields: Record<string, unknown>) => void;
  /** Where Slack's authorize page is (tests point it elsewhere; the browser goes there, not the bot). */
  authorizationUrl?: string;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** A plain page: a heading and a paragraph, nothing from outside unescaped. */
export function page(res: ServerResponse, status: number, heading: string, text: string, link?: string): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(heading)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${escapeHtml(heading)}</h1><p>${escapeHtml(text)}</p>${link ? `<p><a href="${escapeHtml(link)}">Add to Slack</a></p>` : ''}</body></html>`,
  );
}

/** What went wrong in the flow, in words the person installing can act on. */
function failureWords(error: CodedError): string {
  switch (error.code) {
    case 'slack_oauth_installer_authorization_error':
      return 'The installation was cancelled in Slack. Nothing was installed.';
    case 'slack_oauth_invalid_state':
    case 'slack_oauth_missing_state':
      return 'This installation link has expired or was opened in another browser. Start again from the install page, in the same browser, within ten minutes.';
    case 'slack_oauth_missing_code':
      return 'Slack did not send back the code this page needs. Start again from the install page.';
    default:
      return 'Slack did not complete the installation. Start again from the install page; if it keeps happening, tell the board’s business unit.';
  }
}

export function slackOAuth(options: OAuthOptions): { installer: InstallProvider; routes: Route[] } {
  const { workspaces, report } = options;
  const installer = new InstallProvider({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    stateSecret: options.stateSecret,
    installationStore: workspaces,
    installUrlOptions: { scopes: [...BOT_SCOPES] },
    logger: options.logger,
    clientOptions: options.clientOptions,
    ...(options.authorizationUrl ? { authorizationUrl: options.authorizationUrl } : {}),
    renderHtmlForInstallPath: (url) =>
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Install the safeguarding escalations app</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>Install the safeguarding escalations app</h1><p>For a Slack administrator of an agency registered with the Safeguarding Adults Board. Slack will ask you to choose your agency's workspace and to allow the app in it.</p><p><a href="${escapeHtml(url)}">Add to Slack</a></p></body></html>`,
  });
  workspaces.use(installer);

  /** A workspace no agency is registered for: its new tokens revoked, nothing stored, a plain refusal. */
  const refuse = async (installation: Installation, res: ServerResponse): Promise<boolean> => {
    const ids = {
      teamId: installation.team?.id,
      enterpriseId: installation.enterprise?.id,
      isEnterpriseInstall: installation.isEnterpriseInstall ?? false,
    };
    if (workspaces.registered(ids)) return true;
    report('Slack: an installation from a workspace no agency is registered for was refused; nothing was stored', {
      team: ids.teamId,
      enterprise: ids.enterpriseId,
    });
    for (const token of [installation.bot?.token, installation.user?.token])
      if (token)
        await new WebClient(token, { ...options.clientOptions, retryConfig: { retries: 1 } }).auth
          .revoke()
          .catch((error: unknown) =>
            report('Slack: could not revoke the token of a refused installation', {
              error: error instanceof Error ? error.message : String(error),
            }),
          );
    page(
      res,
      403,
      'This workspace cannot install the app',
      'This Slack workspace is not registered for any agency with the Safeguarding Adults Board, so the app was not installed in it and nothing was kept. If your agency should be able to use it, ask the board’s business unit to register your workspace first.',
    );
    return false;
  };

  const install = (req: IncomingMessage, res: ServerResponse): Promise<void> => installer.handleInstallPath(req, res);

  const redirect = (req: IncomingMessage, res: ServerResponse): Promise<void> =>
    installer.handleCallback(req, res, {
      afterInstallation: (installation, _o, _req, callbackRes) => refuse(installation, callbackRes),
      success: (installation, _o, _req, callbackRes) => {
        const agency = workspaces.registered({
          teamId: installation.team?.id,
          enterpriseId: installation.enterprise?.id,
          isEnterpriseInstall: installation.isEnterpriseInstall,
        });
        page(
          callbackRes,
          200,
          'The app is installed',
          `The safeguarding escalations app is installed in ${installation.team?.name ?? installation.enterprise?.name ?? 'your workspace'}${agency ? ` for ${agency.name}` : ''}. People there can now type /escalate in Slack.`,
        );
      },
      failure: (error, _o, _req, callbackRes) => {
        report('Slack: an installation did not complete', { code: error.code, error: error.message });
        page(callbackRes, 400, 'The app was not installed', failureWords(error), INSTALL_PATH);
      },
    });

  return {
    installer,
    routes: [
      { paths: [INSTALL_PATH], methods: { GET: install } },
      { paths: [REDIRECT_PATH], methods: { GET: redirect } },
    ],
  };
}
