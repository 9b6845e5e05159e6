/**
 * Teams' door: POST /api/messages on the bot's HTTP server, handed to botbuilder's CloudAdapter
 * with Bot Framework authentication from the configuration. With no app id the adapter accepts
 * unauthenticated local traffic only (development and tests), and the bot says so at start.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Request as BotRequest,
  type Response as BotResponse,
} from 'botbuilder';
import { busyWords } from '../../app/store/busy';
import type { Config } from '../../config';
import type { EscalationTeamsBot } from './bot';

const MAX_BODY = 1_000_000;

export function teamsAdapter(
  config: Config,
  report: (message: string, fields: Record<string, unknown>) => void,
): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    ...(config.MicrosoftAppId ? { MicrosoftAppId: config.MicrosoftAppId } : {}),
    ...(config.MicrosoftAppPassword ? { MicrosoftAppPassword: config.MicrosoftAppPassword } : {}),
    ...(config.MicrosoftAppType ? { MicrosoftAppType: config.MicrosoftAppType } : {}),
    ...(config.MicrosoftAppTenantId ? { MicrosoftAppTenantId: config.MicrosoftAppTenantId } : {}),
  });
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    report('Teams turn failed', {
      error: error instanceof Error ? error.message : String(error),
      activity: context.activity.type,
    });
    await context.sendActivity(
      busyWords(error) ??
        'Sorry: something went wrong and nothing was changed. Please try again; if it keeps happening, tell the board’s business unit.',
    );
  };
  return adapter;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new Error('request too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    req.on('error', reject);
  });
}

/** Handle one POST /api/messages through the CloudAdapter. */
export async function handleTeams(
  adapter: CloudAdapter,
  bot: EscalationTeamsBot,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let body: unknown;
  try {
    body = await readJson(req);
  } catch {
    res
      .writeHead(400, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: 'The request body is not an activity.' }));
    return;
  }
  const request: BotRequest = { body: body as Record<string, unknown>, headers: req.headers, method: req.method };
  const response: BotResponse = {
    socket: res.socket,
    status(code: number) {
      res.statusCode = code;
      return response;
    },
    header(name: string, value: unknown) {
      res.setHeader(name, String(value));
      return response;
    },
    send(data?: unknown) {
      if (data !== undefined)
        res.write(typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data));
      return response;
    },
    end() {
      res.end();
      return response;
    },
  };
  await adapter.process(request, response, (context) => bot.run(context));
}
