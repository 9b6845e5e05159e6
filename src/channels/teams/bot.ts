/**
 * The Teams adapter: turns what people do in Teams (the commands typed to it, the raising dialog,
 * card buttons) into the application's commands, and renders the shared view model back as
 * Adaptive Cards. It decides nothing itself. The handler's overrides stay here and hand the
 * work to its parts: messages and the welcome (./finding-work), raising (./raising), documents
 * (./documents), card buttons (./buttons) and the case's thread (./threads).
 */
import {
  TeamsActivityHandler,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type FileConsentCardResponse,
  type MessagingExtensionAction,
  type MessagingExtensionActionResponse,
  type TaskModuleRequest,
  type TaskModuleResponse,
} from 'botbuilder';
import { TeamsButtons } from './buttons';
import { TeamsDocuments } from './documents';
import { TeamsFindingWork } from './finding-work';
import { personByAadId } from './identity';
import type { Submitted } from './raise-dialog';
import { asDialog, TeamsRaising } from './raising';
import { TeamsThreads } from './threads';
import type { TeamsBotDeps } from './turns';

export class EscalationTeamsBot extends TeamsActivityHandler {
  /** Personal conversations already saved as contacts in this process (person → conversation id). */
  private readonly remembered = new Map<string, string>();
  /** Contacts being kept beside their turns (a store write only: nothing is sent). */
  private readonly keeping = new Set<Promise<void>>();
  private readonly threads: TeamsThreads;
  private readonly raising: TeamsRaising;
  private readonly documents: TeamsDocuments;
  private readonly buttons: TeamsButtons;
  private readonly finding: TeamsFindingWork;

  constructor(private readonly deps: TeamsBotDeps) {
    super();
    this.threads = new TeamsThreads(deps);
    this.raising = new TeamsRaising(deps, this.threads);
    this.documents = new TeamsDocuments(deps);
    this.buttons = new TeamsButtons(deps, { threads: this.threads, raising: this.raising, documents: this.documents });
    this.finding = new TeamsFindingWork(deps);
    // Whenever someone in the directory talks to the bot 1:1 (or installs it), keep that
    // conversation so the bot can message them there later.
    this.onTurn(async (context, next) => {
      this.deps.outlet.seen(context.activity);
      // Kept beside the turn, not before it: a busy store never holds up the answer.
      const keeping = this.remember(context).finally(() => this.keeping.delete(keeping));
      this.keeping.add(keeping);
      await next();
      // Someone learned during the turn (their first message) is kept too.
      const learned = this.remember(context).finally(() => this.keeping.delete(learned));
      this.keeping.add(learned);
    });
    // Commands, references and mentions are answered; chatter in a group chat is left alone (./finding-work).
    this.onMessage(async (context, next) => {
      await this.finding.message(context);
      await next();
    });
    // Installed for someone (personal scope) or in a group chat: a welcome, once.
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.finding.welcome(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const added: unknown = context.activity.membersAdded;
      if (
        Array.isArray(added) &&
        added.some((m) => (m as { id?: unknown } | null)?.id === context.activity.recipient?.id)
      )
        await this.finding.welcome(context);
      await next();
    });
  }

  /** Resolves once every contact being kept has been. */
  async idle(): Promise<void> {
    while (this.keeping.size) await Promise.allSettled([...this.keeping]);
  }

  // ── raising ───────────────────────────────────────────────────────────────────────

  protected override async handleTeamsTaskModuleFetch(context: TurnContext): Promise<TaskModuleResponse> {
    return asDialog(await this.raising.openForm(context, false));
  }

  protected override async handleTeamsTaskModuleSubmit(
    context: TurnContext,
    // A task/submit with no value at all (botbuilder hands on undefined): an empty form, answered as one.
    request: TaskModuleRequest | undefined,
  ): Promise<TaskModuleResponse> {
    return asDialog(await this.raising.submit(context, (request?.data ?? {}) as Submitted, false));
  }

  protected override async handleTeamsMessagingExtensionFetchTask(
    context: TurnContext,
  ): Promise<MessagingExtensionActionResponse> {
    return asDialog(await this.raising.openForm(context, false));
  }

  protected override async handleTeamsMessagingExtensionSubmitAction(
    context: TurnContext,
    action: MessagingExtensionAction | undefined,
  ): Promise<MessagingExtensionActionResponse> {
    return asDialog(await this.raising.submit(context, (action?.data ?? {}) as Submitted, false));
  }

  // ── documents, sent privately ───────────────────────────────────────────────────

  protected override handleTeamsFileConsentAccept(
    context: TurnContext,
    response: FileConsentCardResponse,
  ): Promise<void> {
    return this.documents.accepted(context, response);
  }

  protected override async handleTeamsFileConsentDecline(context: TurnContext): Promise<void> {
    await context.sendActivity('Not sent: you declined the file. Ask again from the case card whenever you need it.');
  }

  // ── card buttons ──────────────────────────────────────────────────────────────────

  protected override onAdaptiveCardInvoke(
    context: TurnContext,
    value: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    return this.buttons.clicked(context, value);
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
      // Messages that could not reach them before can now: they go again.
      const failed = (await this.deps.repo.listOutbox({ status: 'failed' })).filter(
        (i) => i.kind === 'tell' && i.platform === 'teams' && i.recipient === person.id,
      );
      if (failed.length) {
        await this.deps.repo.retryOutbox({ ids: failed.map((i) => i.id) }, new Date().toISOString());
        this.deps.owed?.();
      }
    } catch (error) {
      this.deps.report?.('Could not keep a personal conversation', {
        person: person.id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
