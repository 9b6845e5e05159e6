/**
 * What a change owes people, as outbox items written with it (src/app/store/outbox.ts): the new
 * case's thread or channel, every card of the case brought up to date on each platform, the card
 * someone clicked, and a 1:1 message to each person who now has something to do (src/app/notify.ts).
 * Platform-neutral: each item names the platform whose outlet does it.
 *
 * `now` is the case's clock (what the words say); items are timed by the wall clock (`wall`),
 * as the platforms they go to are: retries and leases are about the real world.
 */
import { roleHolders, type Directory, type Person, type Platform } from '../domain/directory';
import {
  calendarFor,
  formsDue,
  type Actor,
  type CaseEvent,
  type CaseState,
  type FormAudience,
} from '../domain/escalation';
import { noticesFor } from './notify';
import { actorFor, audienceAgencies } from './people';
import { formPrompts } from './views/stage-card';
import { outboxId, type NewOutboxItem } from './store/outbox';

/** Where a case was raised from, as its platform knows it (the conversation the card goes to). */
export interface RaiseOrigin {
  platform: Platform;
  reference?: Record<string, unknown>;
  /** The platform posts the card while it answers; the item is its durable twin, given this long first. */
  inlineGraceMs?: number;
}

/** A card someone clicked that is their own copy (a 1:1 message), to bring up to date with the rest. */
export interface ClickedCard {
  platform: Platform;
  reference: Record<string, unknown>;
  /** The message's own id on its platform (Slack: channel and ts). */
  key: string;
}

/** The open-thread item of a case: caused by its first event, for the raising agency. */
export function openThreadId(state: CaseState): string {
  return outboxId(state.reference, 1, 'open-thread', state.raising.agencyId);
}

/** The platform an agency's people are on. */
export function platformOf(directory: Directory, agencyId: string): Platform | undefined {
  return directory.agencies.find((a) => a.id === agencyId)?.platform;
}

/** An outbox item owed by a case's change that left it at version `event`, due at once (`at`). */
export function owedItem(
  reference: string,
  event: number,
  at: string,
  kind: NewOutboxItem['kind'],
  platform: Platform,
  recipient: string,
  payload: Record<string, unknown> = {},
): NewOutboxItem {
  return {
    id: outboxId(reference, event, kind, recipient),
    reference,
    kind,
    platform,
    recipient,
    event,
    dependsOn: [],
    payload,
    createdAt: at,
    nextAttemptAt: at,
  };
}

function base(
  state: CaseState,
  at: string,
  kind: NewOutboxItem['kind'],
  platform: Platform,
  recipient: string,
  event = state.version,
): NewOutboxItem {
  return owedItem(state.reference, event, at, kind, platform, recipient);
}

/** 1:1 messages to everyone who now has something to do (or to know: the case has closed). */
function tells(
  before: CaseState | undefined,
  after: CaseState,
  recorded: readonly CaseEvent[],
  directory: Directory,
  now: Date,
  at: string,
  actorId: string,
  dependsOn: string[],
): NewOutboxItem[] {
  const items: NewOutboxItem[] = [];
  for (const notice of noticesFor(before, after, recorded, directory, now, actorId)) {
    const platform = platformOf(directory, notice.person.agency);
    if (!platform) continue;
    items.push({
      ...base(after, at, 'tell', platform, notice.person.id),
      dependsOn,
      payload: { text: notice.text, verbs: notice.verbs },
    });
  }
  return items;
}

/** What a newly raised case owes: its thread, then word to whoever must act. */
export function owedByRaise(
  state: CaseState,
  events: readonly CaseEvent[],
  directory: Directory,
  now: Date,
  origin?: RaiseOrigin,
  wall: Date = new Date(),
): NewOutboxItem[] {
  const at = wall.toISOString();
  const platform = origin?.platform ?? platformOf(directory, state.raising.agencyId);
  if (!platform) return [];
  const open: NewOutboxItem = {
    ...base(state, at, 'open-thread', platform, state.raising.agencyId, 1),
    payload: origin?.reference ? { origin: origin.reference } : {},
    nextAttemptAt: new Date(wall.getTime() + (origin?.inlineGraceMs ?? 0)).toISOString(),
  };
  return [open, ...tells(undefined, state, events, directory, now, at, state.raising.personId ?? '', [open.id])];
}

/** What a change to a case owes: its cards on every platform, the card clicked, and word to whoever now must act. */
export function owedByChange(
  before: CaseState,
  after: CaseState,
  recorded: readonly CaseEvent[],
  directory: Directory,
  now: Date,
  actorId: string,
  clicked?: ClickedCard,
  wall: Date = new Date(),
): NewOutboxItem[] {
  const at = wall.toISOString();
  const opened = openThreadId(after);
  const platforms = new Set(directory.agencies.map((a) => a.platform));
  const items: NewOutboxItem[] = [...platforms].map((platform) => ({
    ...base(after, at, 'update-cards', platform, platform),
    dependsOn: [opened],
  }));
  if (clicked)
    items.push({
      ...base(after, at, 'update-message', clicked.platform, clicked.key),
      payload: { message: clicked.reference, viewer: actorId },
    });
  return withFormLines(
    before,
    after,
    [...items, ...tells(before, after, recorded, directory, now, at, actorId, [])],
    directory,
    now,
    at,
  );
}

/**
 * Word to each person a change has just called on to complete one of the board's forms
 * (stages[].forms): the line their card shows, added to the message they are sent anyway, or in
 * a message of its own.
 */
function withFormLines(
  before: CaseState,
  after: CaseState,
  items: NewOutboxItem[],
  directory: Directory,
  now: Date,
  at: string,
): NewOutboxItem[] {
  const agencies = new Set([after.raising.agencyId, after.responding.agencyId]);
  for (const person of directory.people) {
    const agency = directory.agencies.find((a) => a.id === person.agency);
    if (
      !agency ||
      !(
        agencies.has(agency.id) ||
        (agency.kind === 'safeguarding-adults-board' && agency.boards.includes(after.boardId))
      )
    )
      continue;
    const actor = actorFor(directory, person, now);
    const had = new Set(formsDue(before, actor).map((d) => `${d.stage}/${d.form}`));
    const lines = formPrompts(after, actor)
      .filter((f) => !had.has(`${f.stage}/${f.form}`))
      .map((f) => f.line);
    if (!lines.length) continue;
    const told = items.find((i) => i.kind === 'tell' && i.recipient === person.id);
    if (told) told.payload = { ...told.payload, text: [told.payload.text, ...lines].filter(Boolean).join('\n\n') };
    else
      items.push({
        ...base(after, at, 'tell', agency.platform, person.id),
        payload: { text: lines.join('\n\n'), verbs: [] },
      });
  }
  return items;
}

/** A document someone asked for, handed over by their platform from the outbox (built from the record then). */
export function owedByDocument(
  reference: string,
  version: number,
  personId: string,
  platform: Platform,
  payload: { document: string; format: 'pdf' | 'docx' },
  at: string,
): NewOutboxItem {
  return {
    id: outboxId(reference, version, 'send-document', personId),
    reference,
    kind: 'send-document',
    platform,
    recipient: personId,
    event: version,
    dependsOn: [],
    payload,
    createdAt: at,
    nextAttemptAt: at,
  };
}

/**
 * The people a completed form goes to: each audience's role holders today (a deputy for anyone
 * away); `board` is the board's own agency, `commissioner-of:<agency>` that agency's commissioning body.
 */
export function formRecipients(
  state: CaseState,
  audience: readonly FormAudience[],
  directory: Directory,
  now: Date,
): Person[] {
  const on = calendarFor(state.procedure).localDate(now);
  const people = new Map<string, Person>();
  for (const a of audience) {
    if (a.personId) {
      const named = directory.people.find((p) => p.id === a.personId);
      if (named) people.set(named.id, named);
      continue;
    }
    const agencies = audienceAgencies(directory, state.boardId, a.agencyId);
    for (const agencyId of agencies)
      for (const h of roleHolders(directory, agencyId, a.role, on)) people.set(h.person.id, h.person);
  }
  return [...people.values()];
}

/**
 * What a completed form owes: the filled form to each recipient 1:1 on their platform, and by
 * email to each of the form's contacts given (built from the record when each is sent). `state`
 * is the case after the completion: its version is the completion's event.
 */
export function owedByForm(
  state: CaseState,
  completer: Actor,
  form: { form: string; stage: string },
  people: readonly Person[],
  emails: readonly string[],
  directory: Directory,
  wall: Date,
): NewOutboxItem[] {
  const at = wall.toISOString();
  const payload = { form: form.form, stage: form.stage, completion: state.version, by: completer.personId };
  const items: NewOutboxItem[] = [];
  for (const person of people) {
    const platform = platformOf(directory, person.agency);
    if (platform) items.push({ ...base(state, at, 'send-form', platform, person.id), payload });
  }
  const pace = platformOf(directory, completer.agencyId) ?? people.map((p) => platformOf(directory, p.agency))[0];
  if (pace) for (const email of new Set(emails)) items.push({ ...base(state, at, 'email-form', pace, email), payload });
  return items;
}
