/**
 * What the Slack listeners (raising, card buttons, documents) share: the Bolt app and its client,
 * the outlet, who may see a case, who a Slack user is, and the answers of a modal.
 */
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { CaseAccess } from '../../app/access';
import { busyWords } from '../../app/store/busy';
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
  person: (userId: string | undefined) => Person | undefined;
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
  return {
    deps,
    app,
    client: app.client,
    outlet,
    access: new CaseAccess(repo, directory, deps.clock),
    person: (userId) => (userId ? directory.people.find((p) => p.slackUserId === userId) : undefined),
    timeline: async (reference) => (await repo.getEvents(reference)).map((e) => e.event),
    fail,
    busyRefusal: (error) => {
      const words = busyWords(error);
      if (!words) throw error;
      fail('The store was busy', error);
      return { ok: false, refusal: { code: 'invalid-input', message: words } };
    },
  };
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

export function parse<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
