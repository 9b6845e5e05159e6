/**
 * Slack over Socket Mode, for local development (SLACK_APP_TOKEN, xapp-…): the bot opens a
 * WebSocket to Slack (apps.connections.open) and Slack sends commands, clicks and events down it,
 * so no public address is needed. Each envelope is acknowledged on the socket and handed to Bolt
 * (App.processEvent), as the HTTP receiver (./receiver) does for POST /slack/events. Signatures are
 * not checked (the socket is opened with the app token, and only Slack can send down it); every
 * other check is the same: the body's shape (./payload), the workspace (Bolt's authorize), the person.
 */
import type { App, Logger as BoltLogger, Receiver, ReceiverEvent } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import { shapeProblem } from './payload';

export interface SocketReceiverOptions {
  appToken: string;
  logger: BoltLogger;
  report: (message: string, fields: Record<string, unknown>) => void;
  /** The Web API's address (apps.connections.open), where not Slack's own. */
  apiUrl?: string;
}

interface Envelope {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id?: string;
  type?: string;
  body?: unknown;
  retry_num?: number;
  retry_reason?: string;
}

export class SocketReceiver implements Receiver {
  private app: App | undefined;
  readonly client: SocketModeClient;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: SocketReceiverOptions) {
    this.client = new SocketModeClient({
      appToken: options.appToken,
      logger: options.logger,
      clientOptions: {
        ...(options.apiUrl
          ? { slackApiUrl: options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/` }
          : {}),
      },
    });
    this.client.on('slack_event', (envelope: Envelope) => {
      const work = this.handle(envelope).catch((error: unknown) =>
        options.report('Slack request failed (Socket Mode)', {
          error: error instanceof Error ? error.message : String(error),
        }),
      );
      this.running.add(work);
      void work.finally(() => this.running.delete(work));
    });
  }

  init(app: App): void {
    this.app = app;
  }

  /** Connects to Slack; resolves once connected (Slack's hello). */
  async start(): Promise<unknown> {
    return this.client.start();
  }

  async stop(): Promise<void> {
    // Never connected (a refused token, no network): there is nothing to close.
    await this.client.disconnect().catch(() => undefined);
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private async handle(envelope: Envelope): Promise<void> {
    const body = envelope.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      await envelope.ack();
      return;
    }
    const problem = shapeProblem(body as Record<string, unknown>);
    if (problem) {
      this.options.report('Slack: a malformed Socket Mode envelope was acknowledged and ignored', { problem });
      await envelope.ack();
      return;
    }
    let acked = false;
    const event: ReceiverEvent = {
      body: body,
      ack: async (response?: unknown) => {
        if (acked) return;
        acked = true;
        await envelope.ack(
          typeof response === 'string'
            ? { text: response }
            : response && typeof response === 'object'
              ? (response as Record<string, unknown>)
              : undefined,
        );
      },
      ...(envelope.retry_num ? { retryNum: envelope.retry_num } : {}),
      ...(envelope.retry_reason ? { retryReason: envelope.retry_reason } : {}),
      customProperties: {},
    };
    if (!this.app) throw new Error('The Slack Socket Mode receiver has no app');
    try {
      await this.app.processEvent(event);
    } finally {
      // Nothing listens for it (an unknown button or event): acknowledged now, so Slack does not send it again.
      if (!acked) await event.ack();
    }
  }
}
