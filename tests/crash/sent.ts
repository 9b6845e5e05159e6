/**
 * For the outbox crash test: what reached the fake Slack Web API and the fake Teams connector,
 * read back as people would see it: 1:1 messages (Slack by the outbox item id in their metadata,
 * Teams by whom they went to and their words) and the last body each case's card was given.
 */
import type { Directory } from '../../src/domain/directory';
import type { FakeSlackApi } from '../fakes/slack-api';
import { teamsPeople } from '../fakes/teams-client';
import type { FakeConnector } from '../fakes/teams-connector';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A 1:1 message the bot sent in Teams: to whom (a person's id), its words, the chat it is in. */
export interface TeamsDirect {
  personId: string;
  text: string;
  conversation: string;
  /** When it reached the connector. */
  at: number;
}

/**
 * Every 1:1 message sent in Teams: a new personal chat opened with it (POST /v3/conversations,
 * not a group), or a message into a personal chat the bot knows (`personal-<name>` as the fake
 * client names the chats people start, `a:<object id>` as the fake connector names those the
 * bot opens).
 */
export function teamsDirects(connector: FakeConnector, directory: Directory): TeamsDirect[] {
  const byAad = (aad: string | undefined): string | undefined =>
    directory.people.find((p) => p.teamsAadObjectId && p.teamsAadObjectId === aad)?.id;
  const chats = new Map<string, string>();
  for (const who of Object.values(teamsPeople)) {
    const id = byAad(who.aadObjectId);
    if (id) chats.set(`personal-${who.id.slice(3)}`, id);
  }
  for (const p of directory.people) if (p.teamsAadObjectId) chats.set(`a:${p.teamsAadObjectId}`, p.id);
  return connector.calls.flatMap((c): TeamsDirect[] => {
    if (c.method !== 'POST') return [];
    if (c.url === '/v3/conversations' && c.body?.isGroup === false) {
      const to = (c.body.members as Array<{ id: string }> | undefined)?.[0]?.id;
      const personId = byAad(to);
      const text = (c.body.activity as { text?: string } | undefined)?.text ?? '';
      return personId ? [{ personId, text, conversation: str(c.result?.id), at: c.at ?? 0 }] : [];
    }
    const into = /^\/v3\/conversations\/([^/]+)\/activities(?:\/[^/]+)?$/.exec(c.url)?.[1];
    const conversation = into ? decodeURIComponent(into) : '';
    const personId = chats.get(conversation);
    const text = typeof c.body?.text === 'string' ? c.body.text : '';
    // A message's card goes on its own after its words (so it can be kept up to date): one message.
    if (!text && Array.isArray(c.body?.attachments)) return [];
    return personId ? [{ personId, text, conversation, at: c.at ?? 0 }] : [];
  });
}

/** How many messages went into Slack DMs (channels D…) with each outbox key in their metadata. */
export function slackDirectCounts(api: FakeSlackApi): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of api.messages) {
    const key = m.metadata?.event_payload.key;
    if (key && m.channel.startsWith('D')) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The last body given to a Slack message (its postMessage, then each chat.update), as text. */
export function lastSlackBody(api: FakeSlackApi, channel: string, ts: string): string | undefined {
  let body: unknown;
  for (const c of api.calls) {
    if (c.args.channel !== channel) continue;
    if (c.method === 'chat.postMessage' && c.result?.ts === ts) body = c.args.blocks;
    if (c.method === 'chat.update' && c.args.ts === ts) body = c.args.blocks;
  }
  return body === undefined ? undefined : JSON.stringify(body);
}

/** The thread cards posted in Teams (a new channel thread opened with the card) that name `reference`. */
export function teamsThreadPosts(
  connector: FakeConnector,
  reference: string,
): Array<{ activityId: string; at: number }> {
  return connector.calls
    .filter(
      (c) =>
        c.method === 'POST' &&
        c.url === '/v3/conversations' &&
        c.body?.isGroup === true &&
        JSON.stringify(c.body).includes(`escalation ${reference}`),
    )
    .map((c) => ({ activityId: str(c.result?.activityId), at: c.at ?? 0 }));
}

/** The last body given to a Teams activity (the post that made it, then each update), as text. */
export function lastTeamsBody(connector: FakeConnector, conversation: string, activityId: string): string | undefined {
  let body: unknown;
  for (const c of connector.calls) {
    if (c.method === 'POST' && c.url === '/v3/conversations' && c.result?.id === conversation)
      body = (c.body?.activity as { attachments?: unknown } | undefined)?.attachments;
    if (
      c.method === 'PUT' &&
      c.url === `/v3/conversations/${encodeURIComponent(conversation)}/activities/${encodeURIComponent(activityId)}`
    )
      body = c.body?.attachments;
  }
  return body === undefined ? undefined : JSON.stringify(body);
}
