/**
 * Slack as an outlet for the announcer: update a case's card in its Slack channel
 * (`chat.update`) and message people directly (a DM opened once and kept as their contact).
 */
import type { WebClient } from '@slack/web-api';
import type { Outlet, Reached } from '../../app/announcer';
import type { Notice } from '../../app/notify';
import { actorFor } from '../../app/people';
import type { CaseRepository, StoredCase, ThreadReference } from '../../app/store/repository';
import { stageCardView } from '../../app/views/stage-card';
import type { Directory, Person } from '../../domain/directory';
import type { Actor, CaseEvent } from '../../domain/escalation';
import { cut, escape, LIMITS, stageCardBlocks, type Block } from './blocks';

/** Slack message metadata marking a reminder, nudge or notification, so a redelivery can find it. */
export const TIMER_EVENT = 'escalation_timer';

/** What the bot keeps about a case's Slack channel and its card. */
export interface SlackThread {
  channel: string;
  ts: string;
  name?: string;
}

export interface SlackOutletDeps {
  client: WebClient;
  repo: CaseRepository;
  directory: Directory;
  clock: () => Date;
}

export class SlackOutlet implements Outlet {
  readonly platform = 'slack' as const;

  constructor(private readonly deps: SlackOutletDeps) {}

  /** The card as blocks, for everyone (a channel) or for one viewer (their DM). */
  card(stored: StoredCase, events: readonly CaseEvent[], viewer?: Actor): { text: string; blocks: Block[] } {
    return stageCardBlocks(
      stageCardView(stored.state, {
        now: this.deps.clock(),
        directory: this.deps.directory,
        events,
        ...(viewer ? { viewer } : {}),
      }),
    );
  }

  async updateThreads(
    stored: StoredCase,
    events: readonly CaseEvent[],
    threads: readonly ThreadReference[],
  ): Promise<void> {
    const card = this.card(stored, events);
    for (const t of threads) {
      const thread = t.reference as unknown as SlackThread;
      await this.deps.client.chat.update({
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
    const opened = await this.deps.client.conversations.open({ users: person.slackUserId });
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
    if (notice.recheck && notice.key && (await this.arrived(channel, notice.key, notice.since)))
      return id ? { id } : {};
    const card = this.card(stored, events, actorFor(this.deps.directory, notice.person, this.deps.clock()));
    await this.deps.client.chat.postMessage({
      channel,
      text: cut(escape(notice.text), LIMITS.messageText),
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: cut(escape(notice.text), LIMITS.sectionText) } },
        ...card.blocks,
      ].slice(0, LIMITS.blocksPerMessage),
      ...(notice.key ? { metadata: { event_type: TIMER_EVENT, event_payload: { key: notice.key } } } : {}),
    });
    return id ? { id } : {};
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
      if (recheckSince && key && (await this.arrived(thread.channel, key, recheckSince))) continue;
      await this.deps.client.chat.postMessage({
        channel: thread.channel,
        text: cut(escape(text), LIMITS.messageText),
        ...(key ? { metadata: { event_type: TIMER_EVENT, event_payload: { key } } } : {}),
      });
    }
  }

  /**
   * Whether a message carrying `key` was posted in the channel since `since` (less five minutes
   * for clocks that differ), reading back through the channel's history page by page.
   */
  private async arrived(channel: string, key: string, since?: string): Promise<boolean> {
    const oldest = since ? String(Math.floor(new Date(since).getTime() / 1000) - 300) : undefined;
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const history = await this.deps.client.conversations.history({
        channel,
        limit: 200,
        include_all_metadata: true,
        ...(oldest ? { oldest } : {}),
        ...(cursor ? { cursor } : {}),
      });
      const found = (history.messages ?? []).some((m) => {
        const payload: Record<string, unknown> = { ...(m.metadata?.event_payload ?? {}) };
        return payload.key === key;
      });
      if (found) return true;
      cursor = history.response_metadata?.next_cursor || undefined;
      if (!history.has_more || !cursor) return false;
    }
    return false;
  }
}
