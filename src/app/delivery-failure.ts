/**
 * What people are shown when the bot could not deliver something after every attempt: a line in
 * the case's threads and on its cards, or (for a thread that could not be opened) a message to
 * the person who raised the case. Words name people, never the adult.
 */
import type { Directory, Person, Platform } from '../domain/directory';
import { NotInstalled } from './outlet';
import { outboxId, type NewOutboxItem, type OutboxItem } from './store/outbox';

export const PLATFORM_NAMES: Record<Platform, string> = { slack: 'Slack', teams: 'Teams' };

/** The line on a case's cards for an item that failed for good; none for items nobody needs to act on. */
export function problemWords(item: OutboxItem, directory: Directory): string | undefined {
  const platform = PLATFORM_NAMES[item.platform];
  // An agency whose workspace has not installed the app: said as it is (src/app/outlet.ts NotInstalled).
  if (item.lastError?.includes(NotInstalled.WORDS) && ['tell', 'open-thread', 'send-form'].includes(item.kind))
    return item.lastError;
  if (item.kind === 'tell') {
    const person = directory.people.find((p) => p.id === item.recipient);
    return `${person?.name ?? 'Someone'} could not be reached on ${platform}. Ask them to open the app once.`;
  }
  if (item.kind === 'open-thread') return `The case's ${platform} thread could not be opened.`;
  if (item.kind === 'send-form') {
    const person = directory.people.find((p) => p.id === item.recipient);
    return `A completed form could not be sent to ${person?.name ?? 'someone'} on ${platform}. Send it to them from Documents on the card.`;
  }
  if (item.kind === 'email-form')
    return `A completed form could not be emailed to ${item.recipient}. Send it from Documents on the card.`;
  return undefined;
}

/** Once an item has failed for good: a line in the case's threads, its cards updated to say so, the raiser told of a thread not opened. */
export function afterFailure(
  item: OutboxItem,
  at: string,
  raiser: Person | undefined,
  directory: Directory,
  platforms: readonly Platform[],
): NewOutboxItem[] {
  const words = problemWords(item, directory);
  if (!words) return [];
  const made = (kind: NewOutboxItem['kind'], platform: Platform, recipient: string, payload = {}): NewOutboxItem => ({
    id: outboxId(item.reference, item.event, kind, `${recipient}:after:${item.id}`),
    reference: item.reference,
    kind,
    platform,
    recipient,
    event: item.event,
    dependsOn: [],
    payload,
    createdAt: at,
    nextAttemptAt: at,
  });
  if (item.kind === 'open-thread') {
    if (!raiser) return [];
    const platform = directory.agencies.find((a) => a.id === raiser.agency)?.platform ?? item.platform;
    return [
      made('tell', platform, raiser.id, {
        text: `${words} Escalation ${item.reference} is recorded, and its card is in this message. An administrator can send the thread again (outbox retry).`,
        verbs: [],
      }),
    ];
  }
  return platforms.flatMap((p) => [made('say', p, p, { text: words }), made('update-cards', p, p)]);
}
