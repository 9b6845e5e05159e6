/**
 * The Teams adapter: turns what people do in Teams (the `escalate` command, the raising dialog,
 * card buttons) into the application's commands, and renders the shared view model back as
 * Adaptive Cards. It decides nothing itself.
 */
import {
  CardFactory,
  TeamsActivityHandler,
  TeamsInfo,
  TurnContext,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type FileConsentCardResponse,
  type AdaptiveCardInvokeValue,
  type MessagingExtensionAction,
  type MessagingExtensionActionResponse,
  type TaskModuleRequest,
  type TaskModuleResponse,
} from 'botbuilder';
import type { CaseService } from '../../app/case-service';
import type { CaseRepository, StoredCase } from '../../app/store/repository';
import type { Announcer } from '../../app/announcer';
import { choicesFor, type DocumentFormat, type DocumentKind, type DocumentService } from '../../app/records/documents';
import { CaseAccess, UNKNOWN_COMMAND } from '../../app/access';
import type { Directory, Person } from '../../domain/directory';
import type { Actor, CaseEvent } from '../../domain/escalation';
import { CASE_COMMANDS, commandFrom } from '../../app/commands';
import { busyWords } from '../../app/store/busy';

export { commandFrom } from '../../app/commands';
import type { Procedure } from '../../domain/procedure';
import { actorFor, NOT_IN_DIRECTORY, personByAadId } from './identity';
import { formFieldOf, wordProblemsOf } from '../../app/raise-request';
import { emergencyCard, raiseFormCard, raiseRequestFrom, valuesShownAgain, type Submitted } from './raise-dialog';
import type { TeamsOutlet, TeamsThread } from './outlet';
import { cardTemplate } from './stage-card';

export interface TeamsBotDeps {
  /** The bot's Microsoft app id ('' in local development). */
  appId?: string;
  report?: (message: string, fields: Record<string, unknown>) => void;
  /**
   * A local client (the Agents Playground) that cannot open conversations: the card stays in the
   * conversation the case was raised from and nobody is messaged 1:1.
   */
  localClient?: boolean;
  service: CaseService;
  repo: CaseRepository;
  documents: DocumentService;
  outlet: TeamsOutlet;
  announcer: Announcer;
  procedures: ReadonlyMap<string, Procedure>;
  directory: Directory;
  clock: () => Date;
}

const launcherCard = (): Record<string, unknown> => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Raise an escalation', weight: 'Bolder', size: 'Medium' },
    {
      type: 'TextBlock',
      text: 'For a disagreement with another agency about an adult at risk. If the adult is in immediate danger, call 999 first.',
      wrap: true,
    },
  ],
  actions: [
    {
      type: 'Action.Submit',
      title: 'Raise an escalation',
      data: { msteams: { type: 'task/fetch' }, action: 'raise-open' },
    },
    {
      type: 'Action.Execute',
      title: 'Fill in the form here',
      verb: 'raise-form',
      data: { action: 'raise-form' },
      fallback: { type: 'Action.Submit', title: 'Fill in the form here', data: { action: 'raise-form' } },
    },
  ],
});

/** What raising came to, shown in a dialog or, where dialogs are not available, in the chat. */
type RaiseResult =
  | { kind: 'form'; card: Record<string, unknown> }
  | { kind: 'emergency'; card: Record<string, unknown>; title: string }
  | { kind: 'done'; text: string }
  | { kind: 'message'; text: string };

const doneCard = (text: string): Record<string, unknown> => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text, wrap: true, weight: 'Bolder' }],
});

const NO_BOARD = 'Your agency is not set up under any board yet. Ask the board’s business unit.';

function asDialog(result: RaiseResult): TaskModuleResponse {
  if (result.kind === 'done' || result.kind === 'message') return { task: { type: 'message', value: result.text } };
  const title = result.kind === 'emergency' ? result.title : 'Raise an escalation';
  return {
    task: {
      type: 'continue',
      value: { title, height: 'large', width: 'large', card: CardFactory.adaptiveCard(result.card) },
    },
  };
}

function asCard(result: RaiseResult): AdaptiveCardInvokeResponse {
  if (result.kind === 'message') return message(result.text);
  return card(result.kind === 'done' ? doneCard(result.text) : result.card);
}

/** Teams shows a card's own view (refresh) to at most 60 people. */
const MAX_REFRESH_USERS = 60;

export class EscalationTeamsBot extends TeamsActivityHandler {
  /** Work after answered clicks, still running. */
  private readonly pending = new Set<Promise<unknown>>();
  /** Personal conversations already saved as contacts in this process (person → conversation id). */
  private readonly remembered = new Map<string, string>();
  /** Who may see a case: every card button loads its case through it (caseFor). */
  private readonly access: CaseAccess;

  constructor(private readonly deps: TeamsBotDeps) {
    super();
    this.access = new CaseAccess(deps.repo, deps.directory, deps.clock);
    // Whenever someone in the directory talks to the bot 1:1 (or installs it), keep that
    // conversation so the bot can message them there later.
    this.onTurn(async (context, next) => {
      this.deps.outlet.seen(context.activity);
      // Kept beside the turn, not before it: a busy store never holds up the answer.
      this.later('', () => this.remember(context));
      await next();
    });
    this.onMessage(async (context, next) => {
      const text = (TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '')
        .trim()
        .toLowerCase();
      if (text.startsWith('escalate')) {
        await context.sendActivity({ attachments: [CardFactory.adaptiveCard(launcherCard())] });
      } else {
        await context.sendActivity(
          'Type "escalate" to raise a disagreement with another agency about an adult at risk.',
        );
      }
      await next();
    });
  }

  // ── raising ───────────────────────────────────────────────────────────────────────

  protected override handleTeamsTaskModuleFetch(context: TurnContext): Promise<TaskModuleResponse> {
    return Promise.resolve(asDialog(this.openForm(context, false)));
  }

  protected override async handleTeamsTaskModuleSubmit(
    context: TurnContext,
    request: TaskModuleRequest,
  ): Promise<TaskModuleResponse> {
    return asDialog(await this.submit(context, (request.data ?? {}) as Submitted, false));
  }

  protected override handleTeamsMessagingExtensionFetchTask(
    context: TurnContext,
  ): Promise<MessagingExtensionActionResponse> {
    return Promise.resolve(asDialog(this.openForm(context, false)));
  }

  protected override async handleTeamsMessagingExtensionSubmitAction(
    context: TurnContext,
    action: MessagingExtensionAction,
  ): Promise<MessagingExtensionActionResponse> {
    return asDialog(await this.submit(context, (action.data ?? {}) as Submitted, false));
  }

  private whoIs(context: TurnContext): { person: Person; actor: Actor } | undefined {
    const person = personByAadId(this.deps.directory, context.activity.from.aadObjectId);
    return person ? { person, actor: actorFor(this.deps.directory, person, this.deps.clock()) } : undefined;
  }

  private boardOf(person: Person, requested?: string): Procedure | undefined {
    const boards = this.deps.directory.agencies.find((a) => a.id === person.agency)?.boards ?? [];
    const id = requested && boards.includes(requested) ? requested : boards[0];
    return id ? this.deps.procedures.get(id) : undefined;
  }

  private openForm(context: TurnContext, inline: boolean): RaiseResult {
    const who = this.whoIs(context);
    if (!who) return { kind: 'message', text: NOT_IN_DIRECTORY };
    const procedure = this.boardOf(who.person);
    if (!procedure) return { kind: 'message', text: NO_BOARD };
    return { kind: 'form', card: raiseFormCard(procedure, this.deps.directory, who.person, { inline }) };
  }

  /** Raising, or the busy words if the store cannot take it just now. */
  private submit(context: TurnContext, values: Submitted, inline: boolean): Promise<RaiseResult> {
    return this.raise(context, values, inline).catch((error: unknown) => {
      const text = busyWords(error);
      if (!text) throw error;
      this.reportBusy(error);
      return { kind: 'message', text };
    });
  }

  private reportBusy(error: unknown): void {
    this.deps.report?.('The store was busy', { error: error instanceof Error ? error.message : String(error) });
  }

  /** After a change is stored, a busy store is reported and the answer goes on; anything else is thrown. */
  private unlessBusy(error: unknown): void {
    if (!busyWords(error)) throw error;
    this.reportBusy(error);
  }

  private async raise(context: TurnContext, values: Submitted, inline: boolean): Promise<RaiseResult> {
    const who = this.whoIs(context);
    if (!who) return { kind: 'message', text: NOT_IN_DIRECTORY };
    const procedure = this.boardOf(who.person, values.board);
    if (!procedure) return { kind: 'message', text: NO_BOARD };
    const { directory, service } = this.deps;
    if (values.immediateRisk === 'yes' && procedure.immediateRisk.onYes === 'refuse') {
      return {
        kind: 'emergency',
        card: emergencyCard(
          procedure,
          'No escalation has been opened. Once the adult is safe, you can raise the disagreement here.',
        ),
        title: 'The adult is at risk of immediate harm',
      };
    }
    // A refused value goes back only into a private dialog, never into the chat's copy of the form.
    const form = (refused: Record<string, string>, problem: string, named = false): RaiseResult => {
      const shown = valuesShownAgain(values, Object.keys(refused), named, inline, this.deps.clock());
      const errors = Object.fromEntries(
        Object.entries(refused).map(([k, v]) => [k.startsWith('record') ? 'recordNumbers' : k, v]),
      );
      return {
        kind: 'form',
        card: raiseFormCard(procedure, directory, who.person, { values: shown, errors, problem, inline }),
      };
    };
    const built = raiseRequestFrom(
      procedure,
      directory,
      who,
      values,
      `teams:${context.activity.conversation.id}:${context.activity.id ?? ''}`,
    );
    if (!built.ok)
      return form({ ...built.errors, ...wordProblemsOf(values, this.deps.clock()) }, 'Some answers need changing.');
    const outcome = await service.raise(built.request);
    if (!outcome.ok) {
      const refused = Object.entries(outcome.refusal.fields ?? {}).map(([k, v]): [string, string] => [
        formFieldOf(k),
        v,
      ]);
      return form(Object.fromEntries(refused), outcome.refusal.message, outcome.refusal.code === 'names-the-adult');
    }
    // The case is stored: a busy store now costs its thread, never a second case raised on retry.
    if (outcome.created) await this.postStageCard(context, outcome.case).catch((e: unknown) => this.unlessBusy(e));
    const raised = `Escalation ${outcome.case.reference} is raised. Its card is in the thread, with the deadline for ${procedure.stages[0]?.name ?? 'the first stage'}.`;
    if (outcome.case.state.urgent)
      return {
        kind: 'emergency',
        card: emergencyCard(procedure, `${raised} It is marked urgent.`),
        title: `Escalation ${outcome.case.reference} raised`,
      };
    return { kind: 'done', text: raised };
  }

  // ── reaching people 1:1 ───────────────────────────────────────────────────────────

  private async remember(context: TurnContext): Promise<void> {
    if (context.activity.conversation?.conversationType !== 'personal') return;
    const person = personByAadId(this.deps.directory, context.activity.from?.aadObjectId);
    if (!person || this.remembered.get(person.id) === context.activity.conversation.id) return;
    try {
      // Without the activity id: later messages start afresh rather than reply to this one.
      const { activityId: _reply, ...reference } = TurnContext.getConversationReference(context.activity);
      await this.deps.repo.saveContact({
        personId: person.id,
        platform: 'teams',
        reference: reference,
        updatedAt: this.deps.clock().toISOString(),
      });
      this.remembered.set(person.id, context.activity.conversation.id);
    } catch (error) {
      this.deps.report?.('Could not keep a personal conversation', {
        person: person.id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  // ── the thread and its card ───────────────────────────────────────────────────────

  private async timeline(reference: string): Promise<CaseEvent[]> {
    return (await this.deps.repo.getEvents(reference)).map((e) => e.event);
  }

  /**
   * The stage card for `viewer`, with their own buttons; without a viewer, the card everyone sees
   * until their client refreshes it for them (refresh.userIds): the buttons of anyone taking
   * part, each click still decided for the person who makes it.
   */
  private stageCard(
    stored: StoredCase,
    userIds: readonly string[],
    events: readonly CaseEvent[],
    viewer?: Actor,
  ): Record<string, unknown> {
    return this.deps.outlet.card(stored, events, userIds, viewer).content as Record<string, unknown>;
  }

  /**
   * Post the case's card where the raising agency keeps its escalation threads: a new thread in
   * its configured Teams channel, or else the conversation the case was raised from. If the
   * channel cannot be reached, the card goes to the conversation instead: it is never lost.
   */
  private async postStageCard(context: TurnContext, stored: StoredCase): Promise<void> {
    const events = await this.timeline(stored.reference);
    const userIds = [context.activity.from.id];
    const agency = this.deps.directory.agencies.find((a) => a.id === stored.state.raising.agencyId);
    const channelId = agency?.threads?.mode === 'channel' ? agency.threads.teamsChannelId : undefined;
    let thread: TeamsThread | undefined;
    if (channelId && !this.deps.localClient) {
      const created = await this.deps.outlet.open(context.activity.serviceUrl, {
        isGroup: true,
        bot: context.activity.recipient,
        channelData: { channel: { id: channelId } },
        activity: { type: 'message', attachments: [this.deps.outlet.card(stored, events, userIds)] } as Activity,
      });
      if (!created)
        this.deps.report?.(
          'Could not open the case thread in the agency channel; posting in this conversation instead',
          { reference: stored.reference },
        );
      // Teams names a channel thread "<channel>;messageid=<id of its first message>".
      if (created)
        thread = {
          conversation: TurnContext.getConversationReference(created),
          activityId: /;messageid=([^;]+)$/.exec(created.conversation?.id ?? '')?.[1],
          userIds,
        };
    }
    if (!thread) {
      const chat =
        context.activity.conversation.conversationType === 'groupChat'
          ? await this.groupChat(context, stored)
          : undefined;
      const ids = withRefreshUsers(userIds, chat?.userIds ?? []);
      const sent = await context.sendActivity({
        attachments: [CardFactory.adaptiveCard(this.stageCard(stored, ids, events))],
      });
      thread = {
        conversation: TurnContext.getConversationReference(context.activity),
        activityId: sent?.id,
        userIds: ids,
      };
      if (chat?.missing)
        await context.sendActivity(
          `${chat.missing} is not in this chat. Add them, so that both agencies share this thread; the bot has also sent them the card directly where it can.`,
        );
    }
    await this.deps.repo.saveThread(stored.reference, {
      platform: 'teams',
      agencyId: stored.state.raising.agencyId,
      reference: thread as unknown as Record<string, unknown>,
    });
    this.later(stored.reference, () =>
      this.announce({ after: stored, events, actorId: stored.state.raising.personId ?? '', threadsDone: ['teams'] }),
    );
  }

  /**
   * Work that follows a click but need not hold up its answer (Teams waits only a few seconds for
   * one): telling people 1:1 and updating the case's other threads. Failures are reported.
   */
  private later(reference: string, work: () => Promise<unknown>): void {
    const done = work()
      .catch((error: unknown) =>
        this.deps.report?.('Could not finish telling people about a change', {
          reference,
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  /** Resolves once the work after every answered click has finished. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Tell people and update other threads; those reached on Teams get their own view of the thread's card next time it changes. */
  private async announce(change: Parameters<Announcer['changed']>[0]): Promise<void> {
    const reached = (await this.deps.announcer.changed(change)).get('teams') ?? [];
    const found = await this.threadOf(change.after.reference);
    if (!found || reached.every((id) => found.thread.userIds.includes(id))) return;
    const thread: TeamsThread = { ...found.thread, userIds: withRefreshUsers(found.thread.userIds, reached) };
    await this.deps.repo.saveThread(change.after.reference, {
      platform: 'teams',
      agencyId: found.agencyId,
      reference: thread as unknown as Record<string, unknown>,
    });
  }

  /**
   * A case raised in a group chat keeps its thread there (Teams does not let a bot start group
   * chats). Returns the Teams ids of the chat's members who take part in the case (their
   * clients show them their own view of the card) and the named counterpart's name if they
   * are not in the chat, so the raiser can add them.
   */
  private async groupChat(context: TurnContext, stored: StoredCase): Promise<{ userIds: string[]; missing?: string }> {
    const agencies = new Set([stored.state.raising.agencyId, stored.state.responding.agencyId]);
    const members: Array<{ id: string; aadObjectId?: string }> = [];
    try {
      let token: string | undefined;
      do {
        const page = await TeamsInfo.getPagedMembers(context, 100, token);
        members.push(...page.members);
        token = page.continuationToken;
      } while (token);
    } catch (error) {
      this.deps.report?.('Could not read the members of the group chat', {
        reference: stored.reference,
        error: error instanceof Error ? error.message : String(error),
      });
      return { userIds: [] };
    }
    const inChat = members.map((m) => ({ id: m.id, person: personByAadId(this.deps.directory, m.aadObjectId) }));
    const counterpart = this.deps.directory.people.find((p) => p.id === stored.state.responding.personId);
    return {
      userIds: inChat.filter((m) => m.person && agencies.has(m.person.agency)).map((m) => m.id),
      ...(counterpart && !inChat.some((m) => m.person?.id === counterpart.id) ? { missing: counterpart.name } : {}),
    };
  }

  /** Replace the thread's card with the case as it now is, wherever the click came from. */
  private async updateThreadCard(
    context: TurnContext,
    stored: StoredCase,
    thread: TeamsThread,
    events: readonly CaseEvent[],
  ): Promise<void> {
    if (!thread.activityId) return;
    const update = {
      type: 'message',
      id: thread.activityId,
      attachments: [CardFactory.adaptiveCard(this.stageCard(stored, thread.userIds, events))],
    };
    try {
      // The same conversation only on the same service (two clients can use the same ids).
      if (
        thread.conversation.conversation?.id === context.activity.conversation.id &&
        thread.conversation.serviceUrl === context.activity.serviceUrl
      ) {
        await context.updateActivity(update);
        return;
      }
      await this.deps.outlet.updateThreads(stored, events, [
        { platform: 'teams', agencyId: '', reference: thread as unknown as Record<string, unknown> },
      ]);
    } catch (error) {
      // What was done is recorded and the person who clicked sees it; the thread catches up on
      // the next change.
      this.deps.report?.('Could not update the card in the case thread', {
        reference: stored.reference,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  // ── documents, sent privately ───────────────────────────────────────────────────

  /** The documents card: which document, what format, and the adult's details if they are needed. */
  private async documentsCard(
    stored: StoredCase,
    values: Record<string, unknown>,
    problem?: string,
  ): Promise<Record<string, unknown>> {
    const detailsGiven = Boolean(await this.deps.repo.readPersonalDetails(stored.reference));
    return cardTemplate('documents').expand({
      $root: {
        reference: stored.reference,
        stage: stored.state.stages.at(-1)?.id ?? '',
        kind: typeof values['documents.kind'] === 'string' ? values['documents.kind'] : 'case-record',
        format: values['documents.format'] === 'docx' ? 'docx' : 'pdf',
        choices: choicesFor(stored.state),
        detailsNote: detailsGiven
          ? "The adult's details are on the case (sealed). Fill these in only to correct them."
          : "The forms and the record naming the adult need the adult's details. Give them here: they are kept sealed and appear only in documents a role holder asks for.",
        ...(problem ? { problem } : {}),
      },
    }) as Record<string, unknown>;
  }

  /**
   * Build the document asked for and send it to the person's own chat with the bot as a file to
   * accept (a file consent card): accepted, it is saved to their OneDrive; nothing is posted in
   * the case thread.
   */
  private async sendDocument(
    stored: StoredCase,
    who: { person: Person; actor: Actor },
    data: Record<string, unknown>,
  ): Promise<AdaptiveCardInvokeResponse> {
    const text = (k: string): string =>
      typeof data[`documents.${k}`] === 'string' ? (data[`documents.${k}`] as string).trim() : '';
    if (text('name') || text('dateOfBirth') || text('address')) {
      if (!text('name'))
        return card(await this.documentsCard(stored, data, "Please give the adult's name with the other details."));
      const saved = await this.deps.service.recordPersonalDetails(
        stored.reference,
        who.actor,
        {
          name: text('name'),
          ...(text('dateOfBirth') ? { dateOfBirth: text('dateOfBirth') } : {}),
          ...(text('address') ? { address: text('address') } : {}),
        },
        this.deps.directory,
        'teams',
      );
      if (!saved.ok)
        return card(
          await this.documentsCard(stored, data, Object.values(saved.refusal.fields ?? {})[0] ?? saved.refusal.message),
        );
    }
    const kind = (text('kind') || 'case-record') as DocumentKind;
    const format: DocumentFormat = text('format') === 'docx' ? 'docx' : 'pdf';
    const issued = await this.deps.documents.issue(stored.reference, who.actor, kind, format, { platform: 'teams' });
    if (!issued.ok) return card(await this.documentsCard(stored, data, issued.refusal.message));
    const consent = {
      type: 'message',
      text: `${issued.document.title} for case ${stored.reference}, as you asked. Accept it to save it to your OneDrive; it is for your agency's file.`,
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.card.file.consent',
          name: issued.document.fileName,
          content: {
            description: issued.document.title,
            sizeInBytes: issued.document.bytes.length,
            acceptContext: { reference: stored.reference, kind, format },
            declineContext: { reference: stored.reference },
          },
        },
      ],
    };
    const reached = await this.deps.outlet.deliverTo(who.person, consent, stored.reference);
    if (!reached)
      return message(
        'The document could not be sent to your chat with the bot. Open a chat with the bot (say hello), then ask again.',
      );
    return message(`${issued.document.title} is on its way to your chat with the bot: accept the file there.`);
  }

  protected override async handleTeamsFileConsentAccept(
    context: TurnContext,
    response: FileConsentCardResponse,
  ): Promise<void> {
    const asked = (response.context ?? {}) as { reference?: string; kind?: DocumentKind; format?: DocumentFormat };
    const who = this.whoIs(context);
    const upload = response.uploadInfo;
    if (!who || typeof asked.reference !== 'string' || typeof asked.kind !== 'string' || !upload?.uploadUrl) {
      await context.sendActivity('That file can no longer be sent. Ask for it again from the case card.');
      return;
    }
    // Built again from the record (its issue was recorded when it was asked for).
    const issued = await this.deps.documents.issue(
      asked.reference,
      who.actor,
      asked.kind,
      asked.format === 'docx' ? 'docx' : 'pdf',
      { record: false, platform: 'teams' },
    );
    if (!issued.ok) {
      await context.sendActivity(issued.refusal.message);
      return;
    }
    const size = issued.document.bytes.length;
    const put = await fetch(upload.uploadUrl, {
      method: 'PUT',
      headers: { 'Content-Length': String(size), 'Content-Range': `bytes 0-${size - 1}/${size}` },
      body: issued.document.bytes,
    });
    if (!put.ok) {
      this.deps.report?.('Could not upload a document to OneDrive', { reference: asked.reference, status: put.status });
      await context.sendActivity(
        'The file could not be saved to your OneDrive. Please ask for it again from the case card.',
      );
      return;
    }
    await context.sendActivity({
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.card.file.info',
          contentUrl: upload.contentUrl,
          name: upload.name,
          content: { uniqueId: upload.uniqueId, fileType: upload.fileType },
        },
      ],
    });
  }

  protected override async handleTeamsFileConsentDecline(context: TurnContext): Promise<void> {
    await context.sendActivity('Not sent: you declined the file. Ask again from the case card whenever you need it.');
  }

  private async threadOf(reference: string): Promise<{ agencyId: string; thread: TeamsThread } | undefined> {
    const found = (await this.deps.repo.getThreads(reference)).find((t) => t.platform === 'teams');
    return found ? { agencyId: found.agencyId, thread: found.reference as unknown as TeamsThread } : undefined;
  }

  // ── card buttons ──────────────────────────────────────────────────────────────────

  /**
   * The case a button names, for someone who may see it; for anyone else (and a case that does
   * not exist) the neutral words, the attempt in the security log. Every card button, whatever its
   * verb, loads its case here.
   */
  private caseFor(who: { actor: Actor }, reference: unknown, verb: string): ReturnType<CaseAccess['open']> {
    const reads = verb === 'refresh' || verb === 'documents' || verb === 'send-document';
    return this.access.open(reference, who.actor, { action: verb, platform: 'teams', writing: !reads });
  }

  protected override onAdaptiveCardInvoke(
    context: TurnContext,
    value: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    return this.clicked(context, value).catch((error: unknown) => {
      const text = busyWords(error);
      if (!text) throw error;
      this.reportBusy(error);
      return message(text);
    });
  }

  private async clicked(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const verb = value.action?.verb ?? '';
    const data = value.action?.data ?? {};
    if (verb === 'raise-form') return asCard(this.openForm(context, true));
    if (verb === 'raise-submit') return asCard(await this.submit(context, data, true));
    const who = this.whoIs(context);
    if (!who) return message(NOT_IN_DIRECTORY);
    const opened = await this.caseFor(who, data.reference, verb);
    if (!opened.ok) return message(opened.refusal.message);
    const stored = opened.case;
    const reference = stored.reference;
    const found = await this.threadOf(reference);
    const userIds = [...new Set([...(found?.thread.userIds ?? []), context.activity.from.id])];
    if (verb === 'refresh') {
      await this.access.read(reference, who.actor, 'card', 'teams');
      return card(this.stageCard(stored, userIds, await this.timeline(reference), who.actor));
    }
    if (verb === 'documents') return card(await this.documentsCard(stored, {}));
    if (verb === 'send-document') return this.sendDocument(stored, who, data);
    if (!CASE_COMMANDS.has(verb)) {
      await this.access.refused('unknown-command', reference, who.actor, { action: verb, platform: 'teams' });
      return message(UNKNOWN_COMMAND);
    }
    const command = commandFrom(verb, data, who.actor);
    const outcome = await this.deps.service.act(reference, command, { platform: 'teams' });
    if (!outcome.ok) return message(outcome.refusal.message);
    const events = await this.timeline(reference);
    if (found) {
      const thread: TeamsThread = { ...found.thread, userIds: withRefreshUsers(userIds, []) };
      await this.deps.repo
        .saveThread(reference, {
          platform: 'teams',
          agencyId: found.agencyId,
          reference: thread as unknown as Record<string, unknown>,
        })
        .catch((e: unknown) => this.unlessBusy(e));
      await this.updateThreadCard(context, outcome.case, thread, events);
    }
    this.later(reference, () =>
      this.announce({
        before: stored.state,
        after: outcome.case,
        events,
        actorId: who.actor.personId,
        threadsDone: ['teams'],
      }),
    );
    return card(this.stageCard(outcome.case, userIds, events, who.actor));
  }
}

/** The people whose clients refresh the card for themselves: those already listed, then those just reached. */
function withRefreshUsers(listed: readonly string[], reached: readonly string[]): string[] {
  return [...new Set([...listed, ...reached])].slice(0, MAX_REFRESH_USERS);
}

function message(text: string): AdaptiveCardInvokeResponse {
  return {
    statusCode: 200,
    type: 'application/vnd.microsoft.activity.message',
    value: text as unknown as Record<string, unknown>,
  };
}

function card(value: Record<string, unknown>): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value };
}
