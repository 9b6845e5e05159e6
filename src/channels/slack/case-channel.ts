/**
 * Opening a case's private Slack channel, as an outbox item (src/app/delivery.ts): created with a
 * name from its reference, both practitioners invited (Slack Connect where the other agency is
 * another workspace), its card posted, the thread saved. Each step is kept as it is done, and a
 * redelivery after a crash looks before it acts: the channel it made by name, the card and the
 * Slack Connect note by the item's id in their metadata. Nothing is made twice.
 */
import type { WebClient } from '@slack/web-api';
import type { OutboxItem } from '../../app/store/outbox';
import type { CaseRepository, StoredCase } from '../../app/store/repository';
import type { Directory } from '../../domain/directory';
import type { CaseEvent } from '../../domain/escalation';
import { cut, escape, LIMITS, type Block } from './blocks';
import type { SlackThread } from './outlet';

/** Slack message metadata marking a message the outbox sent, so a redelivery can find it. */
export const OUTBOX_EVENT = 'escalation_outbox';

/** A channel name from the case reference and the agency's prefix: no personal data. */
export function channelName(prefix: string, reference: string, attempt: number): string {
  const base = `${prefix}-${reference.toLowerCase()}`.replace(/[^a-z0-9_-]/g, '-').slice(0, 75);
  return attempt === 1 ? base : `${base}-${attempt}`;
}

export interface CaseChannelDeps {
  client: WebClient;
  repo: CaseRepository;
  directory: Directory;
  /** The card everyone sees. */
  card(stored: StoredCase, events: readonly CaseEvent[]): { text: string; blocks: Block[] };
  /** A message carrying `key` posted in `channel` since `since`: its ts. */
  find(channel: string, key: string, since?: string): Promise<string | undefined>;
  report(message: string, fields: Record<string, unknown>): void;
}

function slackError(error: unknown): string | undefined {
  return (error as { data?: { error?: string } }).data?.error;
}

/** The private channel this bot made with `name`, if there is one (a redelivery after a crash). */
async function channelNamed(client: WebClient, name: string): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const listed = await client.conversations.list({
      types: 'private_channel',
      exclude_archived: true,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    const found = (listed.channels ?? []).find((c) => c.name === name && c.is_member !== false);
    if (found?.id) return found.id;
    cursor = listed.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}

export async function openCaseChannel(
  deps: CaseChannelDeps,
  stored: StoredCase,
  events: readonly CaseEvent[],
  item: OutboxItem,
  progress: (result: Record<string, unknown>) => Promise<void>,
): Promise<Record<string, unknown>> {
  const { client, directory, repo } = deps;
  const done = { ...item.result };
  const again = item.attempts > 1;
  const raiser = directory.people.find((p) => p.id === stored.state.raising.personId);
  const agency = directory.agencies.find((a) => a.id === stored.state.raising.agencyId);
  const prefix = agency?.threads?.slackChannelPrefix ?? 'esc';

  // 1. The channel: made once; on a redelivery, the one made before is found by its name.
  let channel = typeof done.channel === 'string' ? done.channel : undefined;
  let name = typeof done.name === 'string' ? done.name : '';
  for (let attempt = 1; attempt <= 5 && !channel; attempt++) {
    name = channelName(prefix, stored.reference, attempt);
    try {
      channel = (await client.conversations.create({ name, is_private: true })).channel?.id;
    } catch (error) {
      if (slackError(error) !== 'name_taken') throw error;
      if (again) channel = await channelNamed(client, name);
    }
  }
  if (!channel) throw new Error(`no free channel name for ${stored.reference}`);
  if (done.channel !== channel) {
    Object.assign(done, { channel, name });
    await progress({ channel, name });
  }

  // 2. The people: both practitioners where they share the workspace.
  const counterpart = directory.people.find((p) => p.id === stored.state.responding.personId);
  const counterpartAgency = directory.agencies.find((a) => a.id === counterpart?.agency);
  const sameWorkspace =
    counterpartAgency?.platform === 'slack' && counterpartAgency.slack?.teamId === agency?.slack?.teamId;
  if (!done.invited) {
    const invite = [raiser?.slackUserId, sameWorkspace ? counterpart?.slackUserId : undefined].filter(
      (u): u is string => Boolean(u),
    );
    if (invite.length)
      await client.conversations.invite({ channel, users: invite.join(',') }).catch((error: unknown) => {
        if (slackError(error) !== 'already_in_channel') throw error;
      });
    done.invited = true;
    await progress({ invited: true });
  }

  // 3. The card, once: a redelivery looks for it by the item's id first.
  const cardKey = `${item.id}#card`;
  let ts =
    typeof done.ts === 'string' ? done.ts : again ? await deps.find(channel, cardKey, item.createdAt) : undefined;
  if (!ts) {
    const card = deps.card(stored, events);
    const posted = await client.chat.postMessage({
      channel,
      text: card.text,
      blocks: card.blocks,
      metadata: { event_type: OUTBOX_EVENT, event_payload: { key: cardKey } },
    });
    ts = posted.ts ?? '';
  }
  if (done.ts !== ts) {
    done.ts = ts;
    await progress({ ts });
  }
  const thread: SlackThread = { channel, ts, name };
  await repo.saveThread(stored.reference, {
    platform: 'slack',
    agencyId: stored.state.raising.agencyId,
    reference: thread as unknown as Record<string, unknown>,
  });

  // 4. Slack Connect: the other agency's workspace must accept before they can see the channel.
  if (counterpart && counterpartAgency?.platform === 'slack' && !sameWorkspace && !done.connect) {
    let text: string;
    let connect: string;
    try {
      await client.conversations.inviteShared({
        channel,
        ...(counterpart.slackUserId ? { user_ids: [counterpart.slackUserId] } : { emails: [counterpart.email] }),
      });
      connect = 'invited';
      text = `${counterpart.name} works at ${counterpartAgency.name}, in another Slack workspace. They have been invited to this channel through Slack Connect: they (or an admin of their workspace) must accept the invitation before they can see it. Until then the bot sends them the card directly.`;
    } catch (error) {
      if (slackError(error) === undefined) throw error; // the network, not a refusal: try again
      deps.report('Could not invite the other agency through Slack Connect', {
        reference: stored.reference,
        error: slackError(error),
      });
      connect = 'refused';
      text = `${counterpart.name} could not be invited to this channel through Slack Connect (their workspace may not allow it). The bot sends them the card directly instead.`;
    }
    const noteKey = `${item.id}#connect`;
    if (!(again && (await deps.find(channel, noteKey, item.createdAt))))
      await client.chat.postMessage({
        channel,
        text: cut(escape(text), LIMITS.messageText),
        metadata: { event_type: OUTBOX_EVENT, event_payload: { key: noteKey } },
      });
    done.connect = connect;
    await progress({ connect });
  }
  return done;
}
