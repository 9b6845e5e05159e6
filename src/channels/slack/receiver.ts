/**
 * Bolt's receiver for /slack/events on the bot's own server (in place of Bolt's HTTPReceiver,
 * which buffers 4 MB before checking anything and throws on a GET). The gate (./gate) checks
 * the signature headers before reading, reads at most 256 KB, checks the HMAC and replays; the
 * body is parsed and its shape checked (./payload); then Bolt's own acknowledgement
 * (HTTPResponseAck) and App.processEvent do the rest. A request no listener acknowledges (an
 * unknown button, form or event) is answered 200 at once, not after Bolt's three-second wait.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  HTTPModuleFunctions,
  HTTPResponseAck,
  type App,
  type BufferedIncomingMessage,
  type Logger as BoltLogger,
  type Receiver,
  type ReceiverEvent,
} from '@slack/bolt';
import { verified } from '../../http/admission';
import { BodyError, declaredLength, readBody } from '../../http/body';
import { oneLine, sendError } from '../../http/server';
import { checkSlackHeaders, isSslCheck, signatureMatches, NOT_SIGNED, SLACK_BODY_LIMIT, UNSIGNED_LIMIT } from './gate';
import { parseSlackBody } from './payload';

export interface SlackReceiverOptions {
  signingSecret: string;
  logger: BoltLogger;
  report: (message: string, fields: Record<string, unknown>) => void;
  /** Record a signature as seen (the store's claimRequest): false when it was seen before. */
  claim: (signature: string, at: string) => Promise<boolean>;
  unhandledRequestTimeoutMillis: number;
  /** This machine's clock, in milliseconds (for the signature's timestamp only). */
  now?: () => number;
}

export class SlackReceiver implements Receiver {
  private app: App | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SlackReceiverOptions) {
    this.now = options.now ?? Date.now;
  }

  init(app: App): void {
    this.app = app;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** POST /slack/events. Rejects only with what the server's guard answers (a busy store, a bug). */
  readonly requestListener = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await this.verified(req, res);
    if (!raw) return;
    const parsed = parseSlackBody(req.headers['content-type'], raw);
    if (!parsed.ok) {
      this.options.report('Slack: a signed request was malformed and refused', { problem: parsed.message });
      return sendError(res, 400, parsed.message);
    }
    const { body } = parsed;
    if (body.ssl_check === '1') return HTTPModuleFunctions.buildSSLCheckResponse(res);
    if (body.type === 'url_verification')
      return HTTPModuleFunctions.buildUrlVerificationResponse(res, {
        challenge: typeof body.challenge === 'string' ? body.challenge : '',
      });
    const buffered: BufferedIncomingMessage = Object.assign(req, { rawBody: raw });
    await this.dispatch(buffered, res, body);
  };

  /** The body, once its signature, age and novelty are checked; undefined when already answered. */
  private async verified(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const headers = checkSlackHeaders(req.headers, nowSeconds);
    if (!headers.ok) {
      // Only Slack's SSL check comes unsigned, and it is tiny: anything else is refused unread.
      if (headers.unsigned && (declaredLength(req) ?? 0) <= UNSIGNED_LIMIT) {
        const body = await readBody(req, UNSIGNED_LIMIT).catch((e: unknown) => {
          if (e instanceof BodyError) return undefined;
          throw e;
        });
        if (body && isSslCheck(req.headers['content-type'], body)) {
          HTTPModuleFunctions.buildSSLCheckResponse(res);
          return undefined;
        }
      }
      this.options.report('Slack: a request was refused before its body was read', { problem: headers.message });
      sendError(res, 401, headers.message, { connection: 'close' });
      return undefined;
    }
    const raw = await readBody(req, SLACK_BODY_LIMIT);
    if (!signatureMatches(this.options.signingSecret, headers.timestamp, raw, headers.signature)) {
      this.options.report('Slack: a request with a wrong signature was refused', {});
      sendError(res, 401, NOT_SIGNED);
      return undefined;
    }
    verified(req); // signed by Slack: no longer held to the bound on unverified requests
    if (!(await this.options.claim(headers.signature, new Date(this.now()).toISOString()))) {
      this.options.report('Slack: a request seen before (a replay) was acknowledged and ignored', {});
      HTTPModuleFunctions.buildNoBodyResponse(res, 200);
      return undefined;
    }
    return raw;
  }

  private async dispatch(
    req: BufferedIncomingMessage,
    res: ServerResponse,
    body: Record<string, unknown>,
  ): Promise<void> {
    const ack = new HTTPResponseAck({
      logger: this.options.logger,
      processBeforeResponse: false,
      unhandledRequestTimeoutMillis: this.options.unhandledRequestTimeoutMillis,
      httpRequest: req,
      httpRequestBody: body,
      httpResponse: res,
    });
    const bound = ack.bind();
    let acked = false;
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        acked = true;
        await bound(response);
      },
      retryNum: HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req),
      retryReason: HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(req),
      customProperties: {},
    };
    if (!this.app) throw new Error('The Slack receiver has no app');
    try {
      await this.app.processEvent(event);
    } catch (error) {
      if (!acked && !res.headersSent) {
        ack.ack(); // stops Bolt's no-answer timer; the server's guard answers.
        throw error;
      }
      this.options.report('Slack request failed', { error: oneLine(error) });
      return;
    }
    // Nothing listens for it (an unknown button, form, event or shortcut): answered now, not in 3 s.
    if (!acked && !res.headersSent) await event.ack();
  }
}
