/**
 * Card buttons in Teams (Action.Execute): the raising dialog's steps inline, the card's own view, the
 * documents card, and every case command, each loaded through who may see the case.
 */
import type { AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, TurnContext } from 'botbuilder';
import { CaseAccess, UNKNOWN_COMMAND } from '../../app/access';
import { CASE_COMMANDS, commandFrom } from '../../app/commands';
import type { Actor } from '../../domain/escalation';
import type { TeamsDocuments } from './documents';
import type { TeamsThread } from './outlet';
import { asCard, RAISE_STEPS, type TeamsRaising } from './raising';
import { withRefreshUsers, type TeamsThreads } from './threads';
import { busyAnswer, card, message, unlessBusy, whoIs, type TeamsBotDeps } from './turns';

export class TeamsButtons {
  /** Who may see a case: every card button loads its case through it (caseFor). */
  private readonly access: CaseAccess;

  constructor(
    private readonly deps: TeamsBotDeps,
    private readonly parts: { threads: TeamsThreads; raising: TeamsRaising; documents: TeamsDocuments },
  ) {
    this.access = new CaseAccess(deps.repo, deps.directory, deps.clock);
  }

  /** The answer to a click, or the busy words if the store cannot take it just now. */
  clicked(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    return this.answer(context, value).catch((error: unknown) => message(busyAnswer(this.deps, error)));
  }

  /**
   * The case a button names, for someone who may see it; for anyone else (and a case that does
   * not exist) the neutral words, the attempt in the security log. Every card button, whatever its
   * verb, loads its case here.
   */
  private caseFor(who: { actor: Actor }, reference: unknown, verb: string): ReturnType<CaseAccess['open']> {
    const reads = verb === 'refresh' || verb === 'documents' || verb === 'send-document';
    return this.access.open(reference, who.actor, { action: verb, platform: 'teams', writing: !reads });
  }

  private async answer(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const { threads, raising, documents } = this.parts;
    const verb = value.action?.verb ?? '';
    const data = value.action?.data ?? {};
    if (verb === 'raise-form') return asCard(await raising.openForm(context, true));
    if (RAISE_STEPS.has(verb)) return asCard(await raising.submit(context, { ...data, action: verb }, true));
    const { who, words } = await whoIs(this.deps, context);
    if (!who) return message(words);
    const opened = await this.caseFor(who, data.reference, verb);
    if (!opened.ok) return message(opened.refusal.message);
    const stored = opened.case;
    const reference = stored.reference;
    const found = await threads.threadOf(reference);
    const userIds = [...new Set([...(found?.thread.userIds ?? []), context.activity.from.id])];
    if (verb === 'refresh') {
      await this.access.read(reference, who.actor, 'card', 'teams');
      return card(threads.stageCard(stored, userIds, await threads.timeline(reference), who.actor));
    }
    if (verb === 'documents') return card(await documents.documentsCard(stored, {}));
    if (verb === 'send-document') return documents.sendDocument(stored, who, data);
    if (verb === 'complete-form') {
      // One of the board's forms (stages[].forms): what was typed is checked and recorded; the outbox sends it.
      const answers: Record<string, string> = {};
      for (const [k, v] of Object.entries(data))
        if (k.startsWith('complete-form.') && typeof v === 'string') answers[k.slice('complete-form.'.length)] = v;
      const done = await this.deps.service.completeForm(
        reference,
        who.actor,
        {
          form: typeof data.form === 'string' ? data.form : '',
          stage: typeof data.stage === 'string' ? data.stage : '',
          answers,
        },
        this.deps.directory,
        'teams',
      );
      if (!done.ok) return message(done.refusal.message);
      return card(threads.stageCard(done.case, userIds, await threads.timeline(reference), who.actor));
    }
    if (!CASE_COMMANDS.has(verb)) {
      await this.access.refused('unknown-command', reference, who.actor, { action: verb, platform: 'teams' });
      return message(UNKNOWN_COMMAND);
    }
    const command = commandFrom(verb, data, who.actor);
    // Stored with what it owes: the thread's card, other platforms, word to people (the outbox).
    const outcome = await this.deps.service.act(reference, command, { platform: 'teams' });
    if (!outcome.ok) return message(outcome.refusal.message);
    // The clicker sees their own view of the thread's card from its next change (refresh).
    if (found && !found.thread.userIds.includes(context.activity.from.id)) {
      const thread: TeamsThread = { ...found.thread, userIds: withRefreshUsers(userIds, []) };
      await threads.saveThread(reference, found.agencyId, thread).catch((e: unknown) => unlessBusy(this.deps, e));
    }
    const events = await threads.timeline(reference);
    return card(threads.stageCard(outcome.case, userIds, events, who.actor));
  }
}
