/**
 * What a fired timer owes people, as outbox items written with its record (src/app/store/outbox.ts):
 * a 1:1 message to each recipient on their agency's platform, and for a nudge a line in the case's
 * threads on each platform. The delivery worker sends them. Each message carries the timer's own
 * key (`<timer>#<person>`, `<timer>#thread`), so a retry first looks for what already arrived.
 */
import type { Directory, Platform } from '../domain/directory';
import type { TimerFired } from '../domain/escalation';
import { owedItem, platformOf } from './owed';
import type { NewOutboxItem } from './store/outbox';

/**
 * The items a timer's record owes. `version` is the case's version after the event that hands
 * them over (the timer-fired, or the timer-delivered of a timer fired before there was an outbox);
 * `recheckSince` is given for the latter: its first sweeper may have sent some already.
 */
export function owedByTimer(
  reference: string,
  fired: TimerFired,
  version: number,
  directory: Directory,
  wall: Date,
  recheckSince?: string,
): NewOutboxItem[] {
  const at = wall.toISOString();
  const item = (kind: 'tell' | 'say', platform: Platform, recipient: string, payload: Record<string, unknown>) =>
    owedItem(reference, version, at, kind, platform, recipient, {
      ...payload,
      ...(recheckSince ? { recheckSince } : {}),
    });
  const items: NewOutboxItem[] = [];
  for (const personId of fired.recipients) {
    const person = directory.people.find((p) => p.id === personId);
    const platform = person && platformOf(directory, person.agency);
    if (platform)
      items.push(item('tell', platform, personId, { text: fired.text, verbs: [], key: `${fired.timer}#${personId}` }));
  }
  if (fired.kind === 'nudge')
    for (const platform of new Set(directory.agencies.map((a) => a.platform)))
      items.push(item('say', platform, platform, { text: fired.text, key: `${fired.timer}#thread` }));
  return items;
}
