/**
 * Teams' door: POST /api/messages on the bot's HTTP server. The body is read with a limit and
 * must be an activity; its token is checked by botbuilder's Bot Framework authentication from
 * the configuration (a forged or garbled one is a 401 in words, never botbuilder's error text);
 * then the CloudAdapter runs the turn. With an app id, a request without a well-formed bearer token
 * is refused before its body is read. With no app id (local development) nothing is authenticated,
 * so only requests from this computer are taken, and none that came through a proxy or tunnel
 * (which would make a request from anywhere look local).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import { busyWords } from '../../app/store/busy';
import type { Config } from '../../config';
import { verified } from '../../http/admission';
import { readBody } from '../../http/body';
import { isBusy, oneLine, sendBusy, sendError, sendJson } from '../../http/server';
import type { EscalationTeamsBot } from './bot';

/** Teams activities are small (an adaptive card's submission is a few KB); 512 KB is generous. */
export const TEAMS_BODY_LIMIT = 512 * 1024;

export const LOCAL_ONLY =
  'This bot is running in local development mode (it has no Microsoft app id), so it only takes requests from this computer.';
export const FORWARDED =
  'This bot is in local development mode and takes requests from this computer only; this one came through a proxy or tunnel, so it was not accepted. Set MicrosoftAppId to accept requests from Teams.';
/** Headers a proxy or tunnel (ngrok, nginx, a dev tunnel) adds: a sign that the request is not local. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-forwarded-host'];
/** `Bearer` and a JSON web token: three base64url parts. Anything else cannot be a Teams sign-in. */
const BEARER = /^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const NOT_ACTIVITY = 'The request body is not a Teams activity.';
const NOT_SIGNED_IN = 'The request does not carry a valid Teams sign-in, so it was not accepted.';
const NOT_HANDLED = 'This bot does not handle that kind of request.';
const FAILED =
  'Something went wrong on our side. Please try again; if it keeps happening, tell the board’s business unit.';

type Authenticated = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

/** The CloudAdapter, able to run a turn for a request this module has already authenticated. */
export class TeamsAdapter extends CloudAdapter {
  runAuthenticated(
    authenticated: Authenticated,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(authenticated, activity, logic);
  }
}

export interface TeamsDoor {
  adapter: TeamsAdapter;
  auth: ConfigurationBotFrameworkAuthentication;
  /** No app id: unauthenticated, so loopback only. */
  localOnly: boolean;
  /** Refusals (warnings). */
  report: (message: string, fields: Record<string, unknown>) => void;
  /** Failures on our side (errors). */
  fail: (message: string, fields: Record<string, unknown>) => void;
}

export function teamsDoor(config: Config, report: TeamsDoor['report'], fail: TeamsDoor['fail']): TeamsDoor {
  const auth = new ConfigurationBotFrameworkAuthentication({
    ...(config.MicrosoftAppId ? { MicrosoftAppId: config.MicrosoftAppId } : {}),
    ...(config.MicrosoftAppPassword ? { MicrosoftAppPassword: config.MicrosoftAppPassword } : {}),
    ...(config.MicrosoftAppType ? { MicrosoftAppType: config.MicrosoftAppType } : {}),
    ...(config.MicrosoftAppTenantId ? { MicrosoftAppTenantId: config.MicrosoftAppTenantId } : {}),
  });
  const adapter = new TeamsAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    fail('Teams turn failed', { error: oneLine(error), activity: context.activity.type });
    await context.sendActivity(
      busyWords(error) ??
        'Sorry: something went wrong and nothing was changed. Please try again; if it keeps happening, tell the board’s business unit.',
    );
  };
  return { adapter, auth, localOnly: !config.MicrosoftAppId, report, fail };
}

/** Whether a socket's remote address is this computer (127.0.0.0/8, ::1, or IPv4-mapped loopback). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1';
}

type Parsed = { ok: true; activity: Activity } | { ok: false };

function parseActivity(raw: Buffer): Parsed {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return { ok: false };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false };
  const a = body as Record<string, unknown>;
  if (typeof a.type !== 'string' || !a.type) return { ok: false };
  if (shapeProblem(a)) return { ok: false };
  // As botbuilder's own validateAndFixActivity: timestamps as dates.
  for (const k of ['timestamp', 'expiration', 'localTimestamp'])
    if (typeof a[k] === 'string') {
      a[`raw${k[0]?.toUpperCase()}${k.slice(1)}`] = a[k];
      a[k] = new Date(a[k]);
    }
  return { ok: true, activity: a as unknown as Activity };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasId = (v: unknown): boolean => isObj(v) && typeof v.id === 'string';

/** What botbuilder and the bot read into without checking: the wrong shape there is a 400, not a failure. */
function shapeProblem(a: Record<string, unknown>): boolean {
  if (
    !['serviceUrl', 'channelId', 'id', 'name', 'text', 'locale'].every(
      (k) => a[k] === undefined || typeof a[k] === 'string',
    )
  )
    return true;
  if (!hasId(a.from) || !hasId(a.conversation) || (a.recipient !== undefined && !hasId(a.recipient))) return true;
  if (a.channelData !== undefined && !isObj(a.channelData)) return true;
  if (a.type === 'invoke') {
    if (a.value !== undefined && !isObj(a.value)) return true;
    // A dialog's or a message extension's invoke carries what was asked or submitted.
    const name = typeof a.name === 'string' ? a.name : '';
    if ((name.startsWith('task/') || name.startsWith('composeExtension/')) && !isObj(a.value)) return true;
    if (a.name === 'adaptiveCard/action') {
      const action = isObj(a.value) ? a.value.action : undefined;
      if (!isObj(action) || typeof action.type !== 'string') return true;
      if (action.verb !== undefined && typeof action.verb !== 'string') return true;
      if (action.data !== undefined && !isObj(action.data)) return true;
    }
  }
  return false;
}

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return typeof v === 'string' ? v : '';
}

/** Handle one POST /api/messages. Rejects only with what the server's guard answers. */
export async function handleTeams(
  door: TeamsDoor,
  bot: EscalationTeamsBot,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (door.localOnly && !isLoopback(req.socket.remoteAddress)) {
    door.report('Teams: a request from another computer was refused (local development mode)', {});
    return sendError(res, 403, LOCAL_ONLY, { connection: 'close' });
  }
  if (door.localOnly && FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined)) {
    door.report('Teams: a request through a proxy or tunnel was refused (local development mode)', {});
    return sendError(res, 403, FORWARDED, { connection: 'close' });
  }
  if (!door.localOnly && !BEARER.test(header(req, 'authorization'))) {
    door.report('Teams: a request without a sign-in was refused before its body was read', {});
    return sendError(res, 401, NOT_SIGNED_IN, { connection: 'close' });
  }
  const parsed = parseActivity(await readBody(req, TEAMS_BODY_LIMIT));
  if (!parsed.ok) return sendError(res, 400, NOT_ACTIVITY);
  const { activity } = parsed;
  let authenticated: Authenticated;
  try {
    authenticated = await door.auth.authenticateRequest(activity, header(req, 'authorization'));
  } catch (error) {
    door.report('Teams: a request without a valid sign-in was refused', { error: oneLine(error) });
    return sendError(res, 401, NOT_SIGNED_IN);
  }
  verified(req); // signed in (or, in local development mode, from this computer): its own share now
  let failure: unknown;
  let result: InvokeResponse | undefined;
  try {
    result = await door.adapter.runAuthenticated(authenticated, activity, (context) =>
      bot.run(context).catch((error: unknown) => {
        failure = error;
        throw error;
      }),
    );
  } catch (error) {
    if (isBusy(error) || isBusy(failure)) return sendBusy(res);
    // Outside the bot's own logic: what the activity says could not be used (its service address, say).
    (failure === undefined ? door.report : door.fail)('Teams: an activity could not be processed', {
      error: oneLine(error),
      activity: activity.type,
    });
    return sendError(res, failure === undefined ? 400 : 500, failure === undefined ? NOT_ACTIVITY : FAILED);
  }
  if (failure !== undefined) {
    if (isBusy(failure)) return sendBusy(res);
    return sendError(res, 500, FAILED);
  }
  const status = result?.status ?? 200;
  // An invoke the bot has no answer for (botbuilder's 501): said in words, and not as a server failure.
  if (status === 501) return sendError(res, 400, NOT_HANDLED);
  if (result?.body === undefined) {
    res.writeHead(status).end();
    return;
  }
  sendJson(res, status, result.body);
}
