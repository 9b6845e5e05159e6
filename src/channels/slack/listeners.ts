/**
 * What the Slack listeners (raising, card buttons, documents) share: the Bolt app and its client,
 * the outlet, who may see a case, who a Slack user is, and the answers of a modal.
 */
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { CaseAccess } from '../../app/access';
import { busyWords } from '../../app/store/busy';
import { NOT_IN_DIRECTORY } from '../../app/people';
import { directoryChatCommand } from '../../app/chat-commands';
import type { Person } from '../../domain/directory';
import type { CaseEvent, Refusal } from '../../domain/escalation';
import type { SlackDeps } from './app';
import type { SlackOutlet } from './outlet';

export interface SlackParts {
  deps: SlackDeps;
  app: App;
  client: WebClient;
  outlet: SlackOutlet;
  /** Who may see a case: every button and form that names a case loads it through this. */
  access: CaseAccess;
  /** Someone already in the directory, by Slack user id (no outside call). */
  person: (userId: string | undefined) => Person | undefined;
  /**
   * Who a Slack user is: known, learned from Slack, or the words that say why not (the
   * resolver's; without one, the directory alone). `team` is the workspace the request came from.
   */
  who: (userId: string | undefined, team?: string) => Promise<{ person?: Person; words: string }>;
  /** The answer to a directory command (roles, assign, remove, away, back), or undefined if `text` is none. */
  directoryCommand: (text: unknown, user: Person | undefined, words: string) => Promise<string | undefined>;
  timeline: (reference: string) => Promise<CaseEvent[]>;
  fail: (what: string, error: unknown) => void;
  /**
   * The store busy (another process holds the record) as the refusal of a change that was not
   * made: the person is told, and may try again. Only for the change itself, never what follows it.
   */
  busyRefusal: (error: unknown) => { ok: false; refusal: Refusal };
}

export function slackParts(deps: SlackDeps, app: App, outlet: SlackOutlet): SlackParts {
  const { directory, repo } = deps;
  const fail = (what: string, error: unknown): void =>
    deps.report(what, { error: error instanceof Error ? error.message : String(error) });
  const parts: SlackParts = {
    deps,
    app,
    client: app.client,
    outlet,
    access: new CaseAccess(repo, directory, deps.clock),
    person: (userId) => (userId ? directory.people.find((p) => p.slackUserId === userId) : undefined),
    who: async (userId, team) => {
      if (!deps.identity) {
        const known = userId ? directory.people.find((p) => p.slackUserId === userId) : undefined;
        return known ? { person: known, words: '' } : { words: NOT_IN_DIRECTORY };
      }
      const found = await deps.identity.slack(userId, team);
      return 'person' in found ? { person: found.person, words: '' } : { words: found.refused };
    },
    directoryCommand: async (text, user, words) => {
      const command = directoryChatCommand(text);
      if (!command || !deps.directoryCommands) return undefined;
      return deps.directoryCommands.answer(command, user, words, async (spec) => {
        const id = /^<@([UW][A-Z0-9]+)/.exec(spec)?.[1];
        return id ? (await parts.who(id)).person : undefined;
      });
    },
    timeline: async (reference) => (await repo.getEvents(reference)).map((e) => e.event),
    fail,
    busyRefusal: (error) => {
      const words = busyWords(error);
      if (!words) throw error;
      fail('The store was busy', error);
      return { ok: false, refusal: { code: 'invalid-input', message: words } };
    },
  };
  return parts;
}

type ViewState = Record<
  string,
  Record<string, { value?: string | null; selected_option?: { value: string } | null; selected_date?: string | null }>
>;

/** The answers of a modal, by block id (a date picker's as 'YYYY-MM-DD'). */
export function answers(state: ViewState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [block, actions] of Object.entries(state)) {
    const v = actions.value;
    const answer = v?.selected_option?.value ?? v?.selected_date ?? v?.value ?? undefined;
    if (typeof answer === 'string') out[block] = answer;
  }
  return out;
}

/** The workspace a request came from (an event, an action, a view submission or a slash command). */
export function teamOf(body: unknown): string | undefined {
  const b = body as { team?: { id?: unknown } | string | null; team_id?: unknown; user?: { team_id?: unknown } };
  const team = typeof b.team === 'string' ? b.team : b.team?.id;
  const found = team ?? b.team_id ?? b.user?.team_id;
  return typeof found === 'string' ? found : undefined;
}

export function parse<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
