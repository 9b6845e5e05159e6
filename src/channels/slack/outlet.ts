/**
 * Slack as an outlet for the delivery worker (and the sweeper): open a case's channel
 * (./case-channel), update its card there (`chat.update`), update someone's own copy, and message
 * people directly (a DM opened once and kept as their contact). Messages carry their outbox
 * item's id in their metadata, so a redelivery finds what already arrived.
 */
import type { WebClient } from '@slack/web-api';
import type { Outlet, Reached } from '../../app/delivery';
import type { DocumentFormat, DocumentKind, DocumentService } from '../../app/records/documents';
import type { OutboxItem } from '../../app/store/outbox';
import type { Notice } from '../../app/notify';
import { actorFor } from '../../app/people';
import type { CaseRepository, StoredCase, ThreadReference } from '../../app/store/repository';
import { stageCardView } from '../../app/views/stage-card';
import type { Directory, Person } from '../../domain/directory';
import type { Actor, CaseEvent } from '../../domain/escalation';
import { cut, escape, LIMITS, stageCardBlocks, type Block } from './blocks';
import { openCaseChannel, OUTBOX_EVENT } from './case-channel';

/** Slack message metadata marking a reminder, nudge or notification, so a redelivery can find it. */
export const TIMER_EVENT = 'escalation_timer';

/** What the bot keeps about a case's Slack channel and its card. */
export interface SlackThread {
  channel: string;
  ts: string;
  name?: string;
}

export interface SlackOutletDeps {
  /** One client for every call (a single workspace), unless `clientFor` is given. */
  client?: WebClient;
  /**
   * The client for calls to an agency's people and channels: its workspace's token. Throws
   * NotInstalled (./workspaces) when the agency's workspace has not installed the app.
   */
  clientFor?: (agencyId: string | undefined) => Promise<WebClient>;
  repo: CaseRepository;
  directory: Directory;
  clock: () => Date;
  report: (message: string, fields: Record<string, unknown>) => void;
  /** Documents, built again from the record when one asked for is sent. */
  documents?: DocumentService;
}

export class SlackOutlet implements Outlet {
  readonly platform = 'slack' as const;

  constructor(private readonly deps: SlackOutletDeps) {}

  /** The client with the token of the workspace of `agencyId` (the agency a call is for). */
  private async clientOf(agencyId: string | undefined): Promise<WebClient> {
    if (this.deps.clientFor) return this.deps.clientFor(agencyId);
    if (!this.deps.client) throw new Error('The Slack outlet has no client');
    return this.deps.client;
  }

  /** The agency of a person, by their id in the directory. */
  private agencyOf(person: Person | undefined): string | undefined {
    return person?.agency;
  }

  /** The card as blocks, for everyone (a channel) or for one viewer (their DM). */
  card(
    stored: StoredCase,
    events: readonly CaseEvent[],
    viewer?: Actor,
    problems: readonly string[] = [],
  ): { text: string; blocks: Block[] } {
    return stageCardBlocks(
      stageCardView(stored.state, {
        now: this.deps.clock(),
        directory: this.deps.directory,
        events,
        problems,
        ...(viewer ? { viewer } : {}),
      }),
    );
  }

  async openThread(
    stored: StoredCase,
    events: readonly CaseEvent[],
    item: OutboxItem,
    progress: (result: Record<string, unknown>) => Promise<void>,
  ): Promise<Record<string, unknown>> {
    // The channel lives in the raising agency's workspace (shared with the other by Slack Connect).
    const client = await this.clientOf(stored.state.raising.agencyId);
    return openCaseChannel(
      {
        client,
        repo: this.deps.repo,
        directory: this.deps.directory,
        card: (s, e) => this.card(s, e),
        find: (channel, key, since) => this.arrived(client, channel, key, since),
        report: this.deps.report,
      },
      stored,
      events,
      item,
      progress,
    );
  }

  async updateMessage(
    stored: StoredCase,
    events: readonly CaseEvent[],
    message: Record<string, unknown>,
    viewer: Person | undefined,
    problems: readonly string[],
  ): Promise<void> {
    const channel = typeof message.channel === 'string' ? message.channel : '';
    const ts = typeof message.ts === 'string' ? message.ts : '';
    if (!channel || !ts) return;
    // The case's own channel card is the shared view (update-cards); this is someone's own copy.
    const threads = await this.deps.repo.getThreads(stored.reference);
    if (threads.some((t) => t.platform === 'slack' && (t.reference as unknown as SlackThread).ts === ts)) return;
    const card = this.card(
      stored,
      events,
      viewer ? actorFor(this.deps.directory, viewer, this.deps.clock()) : undefined,
      problems,
    );
    const client = await this.clientOf(this.agencyOf(viewer) ?? stored.state.raising.agencyId);
    await client.chat.update({ channel, ts, text: card.text, blocks: card.blocks });
  }

  /**
   * A document someone asked for, built again from the record (its issue was recorded when it was
   * asked for) and uploaded to their DM. Slack cannot tag an upload with the item's id, so after a
   * crash between the upload and its item being marked done, the document can arrive twice.
   */
  async sendDocument(stored: StoredCase, item: OutboxItem, requester: Person): Promise<Record<string, unknown>> {
    const { documents } = this.deps;
    if (!documents) throw new Error('Documents are not set up for Slack in this replica');
    const channel = await this.directChannel(requester);
    if (!channel) throw new Error('Their direct message channel could not be opened');
    const kind = item.payload.document as DocumentKind;
    const format: DocumentFormat = item.payload.format === 'docx' ? 'docx' : 'pdf';
    const actor = actorFor(this.deps.directory, requester, this.deps.clock());
    const issued = await documents.issue(stored.reference, actor, kind, format, { record: false, platform: 'slack' });
    const client = await this.clientOf(requester.agency);
    if (!issued.ok) {
      // Refused now (no longer theirs to see, or the details were erased): they are told why.
      await client.chat.postMessage({
        channel,
        text: cut(escape(issued.refusal.message), LIMITS.messageText),
      });
      return { refused: true };
    }
    await client.filesUploadV2({
      channel_id: channel,
      file: issued.document.bytes,
      filename: issued.document.fileName,
      title: issued.document.title,
      initial_comment: `${issued.document.title} for case ${stored.reference}, as you asked. It is for your agency's file: keep it there.`,
    });
    return { channel };
  }

  /**
   * A built document (a completed form, sent as the procedure says) uploaded to one person's DM.
   * As for sendDocument, a crash between the upload and the item being marked done can send it twice.
   */
  async sendFile(
    _stored: StoredCase,
    person: Person,
    file: { fileName: string; contentType: string; bytes: Buffer; title: string },
    text: string,
  ): Promise<Record<string, unknown>> {
    const channel = await this.directChannel(person);
    if (!channel) throw new Error('Their direct message channel could not be opened');
    await (
      await this.clientOf(person.agency)
    ).filesUploadV2({
      channel_id: channel,
      file: file.bytes,
      filename: file.fileName,
      title: file.title,
      initial_comment: cut(escape(text), LIMITS.messageText),
    });
    return { channel };
  }

  /** How long Slack asked to wait (a 429's Retry-After), in milliseconds. */
  retryAfterMs(error: unknown): number | undefined {
    const seconds = (error as { retryAfter?: unknown }).retryAfter;
    return typeof seconds === 'number' ? seconds * 1000 : undefined;
  }

  /** Slack limits messages per channel: a case's channel, or a person's DM. */
  conversationOf(item: OutboxItem): string {
    return item.kind === 'tell' ? `dm|${item.recipient}` : `case|${item.reference}`;
  }

  async updateThreads(
    stored: StoredCase,
    events: readonly CaseEvent[],
    threads: readonly ThreadReference[],
    problems: readonly string[] = [],
  ): Promise<void> {
    const card = this.card(stored, events, undefined, problems);
    for (const t of threads) {
      const thread = t.reference as unknown as SlackThread;
      await (
        await this.clientOf(t.agencyId)
      ).chat.update({
        channel: thread.channel,
        ts: thread.ts,
        text: card.text,
        blocks: card.blocks,
      });
    }
  }

  /** The person's DM channel with the bot, opened once and kept. */
  async directChannel(person: Person): Promise<string | undefined> {
    if (!person.slackUserId) return undefined;
    const contact = await this.deps.repo.getContact(person.id, 'slack');
    const known = contact?.reference.channel;
    if (typeof known === 'string') return known;
    const client = await this.clientOf(person.agency);
    const opened = await client.conversations.open({ users: person.slackUserId });
    const channel = opened.channel?.id;
    if (channel)
      await this.deps.repo.saveContact({
        personId: person.id,
        platform: 'slack',
        reference: { channel, user: person.slackUserId },
        updatedAt: this.deps.clock().toISOString(),
      });
    return channel;
  }

  async tell(notice: Notice, stored: StoredCase, events: readonly CaseEvent[]): Promise<Reached | undefined> {
    const channel = await this.directChannel(notice.person);
    if (!channel) return undefined;
    const id = notice.person.slackUserId;
    const client = await this.clientOf(notice.person.agency);
    const found =
      notice.recheck && notice.key ? await this.arrived(client, channel, notice.key, notice.since) : undefined;
    if (found !== undefined)
      return {
        ...(id ? { id } : {}),
        channel,
        ts: found,
        ...(found ? { message: { channel, ts: found } } : {}),
      };
    const card = this.card(stored, events, actorFor(this.deps.directory, notice.person, this.deps.clock()));
    const posted = await client.chat.postMessage({
      channel,
      text: cut(escape(notice.text), LIMITS.messageText),
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: cut(escape(notice.text), LIMITS.sectionText) } },
        ...card.blocks,
      ].slice(0, LIMITS.blocksPerMessage),
      ...(notice.key ? { metadata: { event_type: eventOf(notice.key), event_payload: { key: notice.key } } } : {}),
    });
    return {
      ...(id ? { id } : {}),
      channel,
      ...(posted.ts ? { ts: posted.ts, message: { channel, ts: posted.ts } } : {}),
    };
  }

  /** An earlier copy of someone's card becomes a line saying where the current one is. */
  async retireMessage(stored: StoredCase, message: Record<string, unknown>, person?: Person): Promise<void> {
    const channel = typeof message.channel === 'string' ? message.channel : '';
    const ts = typeof message.ts === 'string' ? message.ts : '';
    if (!channel || !ts) return;
    const text = `This card for ${stored.reference} has moved: the current one is further down this conversation.`;
    await (
      await this.clientOf(this.agencyOf(person) ?? stored.state.raising.agencyId)
    ).chat.update({
      channel,
      ts,
      text,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
    });
  }

  async say(
    _stored: StoredCase,
    threads: readonly ThreadReference[],
    text: string,
    key?: string,
    recheckSince?: string,
  ): Promise<void> {
    for (const t of threads) {
      const thread = t.reference as unknown as SlackThread;
      const client = await this.clientOf(t.agencyId);
      if (recheckSince && key && (await this.arrived(client, thread.channel, key, recheckSince)) !== undefined)
        continue;
      await client.chat.postMessage({
        channel: thread.channel,
        text: cut(escape(text), LIMITS.messageText),
        ...(key ? { metadata: { event_type: eventOf(key), event_payload: { key } } } : {}),
      });
    }
  }

  /**
   * Whether a message carrying `key` was posted in the channel since `since` (less five minutes
   * for clocks that differ), reading back through the channel's history page by page.
   */
  private async arrived(client: WebClient, channel: string, key: string, since?: string): Promise<string | undefined> {
    const oldest = since ? String(Math.floor(new Date(since).getTime() / 1000) - 300) : undefined;
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const history = await client.conversations.history({
        channel,
        limit: 200,
        include_all_metadata: true,
        ...(oldest ? { oldest } : {}),
        ...(cursor ? { cursor } : {}),
      });
      const found = (history.messages ?? []).find((m) => {
        const payload: Record<string, unknown> = { ...(m.metadata?.event_payload ?? {}) };
        return payload.key === key;
      });
      if (found) return found.ts ?? '';
      cursor = history.response_metadata?.next_cursor || undefined;
      if (!history.has_more || !cursor) return undefined;
    }
    return undefined;
  }
}

/** A timer's key (`<timer>#<person>`, from the sweeper) or an outbox item's id. */
function eventOf(key: string): string {
  return key.includes('#') && !key.includes(':') ? TIMER_EVENT : OUTBOX_EVENT;
}
