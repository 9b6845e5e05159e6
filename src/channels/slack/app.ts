/**
 * The Slack adapter: a Bolt app behind the bot's own receiver (./receiver) at POST /slack/events
 * on the bot's HTTP server, which checks every request's signature, timestamp and novelty. `/escalate` opens the raising
 * modals (immediate risk first); a raised case gets a private channel named from its reference,
 * with both practitioners invited (Slack Connect where the other agency is another workspace),
 * and its stage card. Buttons act through the shared service; the adapter decides nothing.
 */
import { App, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Announcer } from '../../app/announcer';
import type { CaseService } from '../../app/case-service';
import type { DocumentKind, DocumentService } from '../../app/records/documents';
import { actorFor, NOT_IN_DIRECTORY } from '../../app/people';
import { formFieldOf, raiseRequestFrom, type Submitted } from '../../app/raise-request';
import type { CaseRepository, StoredCase } from '../../app/store/repository';
import { stageCardView } from '../../app/views/stage-card';
import type { Directory, Person } from '../../domain/directory';
import type { CaseEvent, Refusal } from '../../domain/escalation';
import type { Procedure } from '../../domain/procedure';
import { CASE_COMMANDS, commandFrom } from '../../app/commands';
import { busyWords } from '../../app/store/busy';
import { CaseAccess, UNKNOWN_COMMAND } from '../../app/access';
import {
  ACTION_PREFIX,
  DOCUMENTS_ACTION,
  DOCUMENTS_CALLBACK,
  documentsModal,
  emergencyBlocks,
  INPUT_CALLBACK,
  inputModal,
  messageModal,
  raiseFormModal,
  riskModal,
  type ButtonValue,
  type RaiseMetadata,
} from './blocks';
import { SlackOutlet, type SlackThread } from './outlet';
import { SlackReceiver } from './receiver';
import { signatureClaims } from './replays';

export interface SlackDeps {
  documents: DocumentService;
  signingSecret: string;
  token: string;
  apiUrl?: string;
  service: CaseService;
  repo: CaseRepository;
  procedures: ReadonlyMap<string, Procedure>;
  directory: Directory;
  announcer: Announcer;
  clock: () => Date;
  report: (message: string, fields: Record<string, unknown>) => void;
}

export interface SlackSide {
  app: App;
  receiver: SlackReceiver;
  outlet: SlackOutlet;
  client: WebClient;
  /** Resolves once every request being handled (including work after its ack) has finished. */
  idle(): Promise<void>;
}

/** Bolt's own messages (a bad signature, a stale request) into the bot's JSON logs. */
function boltLogger(report: SlackDeps['report']): BoltLogger {
  let level = LogLevel.WARN;
  const say =
    (at: LogLevel) =>
    (...msg: unknown[]): void => {
      const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
      if (order.indexOf(at) >= order.indexOf(level))
        report(`Slack: ${msg.map((m) => (m instanceof Error ? m.message : String(m))).join(' ')}`, { slackLevel: at });
    };
  return {
    debug: say(LogLevel.DEBUG),
    info: say(LogLevel.INFO),
    warn: say(LogLevel.WARN),
    error: say(LogLevel.ERROR),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

const NO_BOARD = 'Your agency is not set up under any board yet. Ask the board’s business unit.';

type ViewState = Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null }>>;

/** The answers of a modal, by block id. */
function answers(state: ViewState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [block, actions] of Object.entries(state)) {
    const v = actions.value;
    const answer = v?.selected_option?.value ?? v?.value ?? undefined;
    if (typeof answer === 'string') out[block] = answer;
  }
  return out;
}

function parse<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** A channel name from the case reference and the agency's prefix: no personal data. */
export function channelName(prefix: string, reference: string, attempt: number): string {
  const base = `${prefix}-${reference.toLowerCase()}`.replace(/[^a-z0-9_-]/g, '-').slice(0, 75);
  return attempt === 1 ? base : `${base}-${attempt}`;
}

export function createSlack(deps: SlackDeps): SlackSide {
  const logger = boltLogger(deps.report);
  const receiver = new SlackReceiver({
    signingSecret: deps.signingSecret,
    unhandledRequestTimeoutMillis: 2900,
    logger,
    report: deps.report,
    claim: signatureClaims((signature, at) => deps.repo.claimRequest('slack-signature', signature, at)),
  });
  const app = new App({
    token: deps.token,
    receiver,
    logger,
    logLevel: LogLevel.WARN,
    clientOptions: {
      ...(deps.apiUrl ? { slackApiUrl: deps.apiUrl.endsWith('/') ? deps.apiUrl : `${deps.apiUrl}/` } : {}),
      // A few quick retries; a 429 waits for its Retry-After before the next.
      retryConfig: { retries: 3, factor: 1, minTimeout: 200, maxTimeout: 1000 },
    },
  });
  const client = app.client;
  const outlet = new SlackOutlet({ client, repo: deps.repo, directory: deps.directory, clock: deps.clock });
  const { directory, service, repo } = deps;
  // Who may see a case: every button and form that names a case loads it through this.
  const access = new CaseAccess(repo, directory, deps.clock);
  const person = (userId: string | undefined): Person | undefined =>
    userId ? directory.people.find((p) => p.slackUserId === userId) : undefined;
  const boardOf = (p: Person, requested?: string): Procedure | undefined => {
    const boards = directory.agencies.find((a) => a.id === p.agency)?.boards ?? [];
    const id = requested && boards.includes(requested) ? requested : boards[0];
    return id ? deps.procedures.get(id) : undefined;
  };
  const timeline = async (reference: string): Promise<CaseEvent[]> =>
    (await repo.getEvents(reference)).map((e) => e.event);
  const fail = (what: string, error: unknown): void =>
    deps.report(what, { error: error instanceof Error ? error.message : String(error) });
  // The store busy (another process holds the record) as the refusal of a change that was not
  // made: the person is told, and may try again. Only for the change itself, never what follows it.
  const busyRefusal = (error: unknown): { ok: false; refusal: Refusal } => {
    const words = busyWords(error);
    if (!words) throw error;
    fail('The store was busy', error);
    return { ok: false, refusal: { code: 'invalid-input', message: words } };
  };

  // Requests being handled, so that stopping waits for the work each does after its ack.
  const running = new Set<Promise<void>>();
  // Slack retries (X-Slack-Retry-Num) of a request already being handled are acknowledged and ignored.
  app.use(async (args) => {
    if (args.context.retryNum) {
      if ('ack' in args && typeof args.ack === 'function') await args.ack();
      return;
    }
    const work = args.next();
    running.add(work);
    try {
      await work;
    } finally {
      running.delete(work);
    }
  });

  // A listener's failure goes back to the receiver, which answers it (a busy store: try again) and logs it.
  app.error((error) => {
    const original = (error as { original?: unknown }).original;
    return Promise.reject(original instanceof Error ? original : error);
  });

  // ── raising ──────────────────────────────────────────────────────────────────────
  app.command('/escalate', async ({ command, ack }) => {
    const raiser = person(command.user_id);
    if (!raiser) return ack({ response_type: 'ephemeral', text: NOT_IN_DIRECTORY });
    const procedure = boardOf(raiser);
    if (!procedure) return ack({ response_type: 'ephemeral', text: NO_BOARD });
    await ack();
    const mentioned = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/.exec(command.text)?.[1];
    const counterpart = person(mentioned);
    const metadata: RaiseMetadata = {
      board: procedure.id,
      channel: command.channel_id,
      ...(counterpart ? { counterpartEmail: counterpart.email } : {}),
    };
    await client.views
      .open({ trigger_id: command.trigger_id, view: riskModal(procedure, metadata) })
      .catch((e: unknown) => fail('Could not open the raising form', e));
  });

  app.view('raise-risk', async ({ ack, body, view }) => {
    const raiser = person(body.user.id);
    const metadata = parse<RaiseMetadata>(view.private_metadata) ?? { board: '' };
    const procedure = raiser ? boardOf(raiser, metadata.board) : undefined;
    if (!raiser || !procedure)
      return ack({
        response_action: 'update',
        view: messageModal('Raise an escalation', [
          { type: 'section', text: { type: 'mrkdwn', text: raiser ? NO_BOARD : NOT_IN_DIRECTORY } },
        ]),
      });
    const risk = answers(view.state.values).immediateRisk;
    if (risk === 'yes' && procedure.immediateRisk.onYes === 'refuse') {
      return ack({
        response_action: 'update',
        view: messageModal(
          'Immediate risk',
          emergencyBlocks(
            procedure,
            'No escalation has been opened. Once the adult is safe, you can raise the disagreement with /escalate.',
          ),
        ),
      });
    }
    return ack({
      response_action: 'update',
      view: raiseFormModal(procedure, directory, raiser, { ...metadata, board: procedure.id, urgent: risk === 'yes' }),
    });
  });

  app.view('raise-form', async ({ ack, body, view }) => {
    const raiser = person(body.user.id);
    const metadata = parse<RaiseMetadata>(view.private_metadata) ?? { board: '' };
    const procedure = raiser ? boardOf(raiser, metadata.board) : undefined;
    if (!raiser || !procedure)
      return ack({ response_action: 'errors', errors: { initials: raiser ? NO_BOARD : NOT_IN_DIRECTORY } });
    const actor = actorFor(directory, raiser, deps.clock());
    const values: Submitted = { ...answers(view.state.values), immediateRisk: metadata.urgent ? 'yes' : 'no' };
    // The view's id is the same for a repeated submission: a retry never makes a second case.
    const built = raiseRequestFrom(procedure, directory, { actor }, values, `slack:${view.id}`);
    if (!built.ok) return ack({ response_action: 'errors', errors: built.errors });
    const outcome = await service.raise(built.request).catch(busyRefusal);
    if (!outcome.ok) {
      const errors = Object.fromEntries(
        Object.entries(outcome.refusal.fields ?? {}).map(([k, v]) => [formFieldOf(k), v]),
      );
      return ack({
        response_action: 'errors',
        errors: Object.keys(errors).length ? errors : { summary: outcome.refusal.message },
      });
    }
    const stored = outcome.case;
    const raised = `Escalation ${stored.reference} is raised. A private channel for it is being opened, with its card and the deadline for ${procedure.stages[0]?.name ?? 'the first stage'}.`;
    await ack({
      response_action: 'update',
      view: messageModal(
        `Raised ${stored.reference}`,
        stored.state.urgent
          ? emergencyBlocks(procedure, `${raised} It is marked urgent.`)
          : [{ type: 'section', text: { type: 'mrkdwn', text: raised } }],
      ),
    });
    if (outcome.created)
      await openCaseChannel(stored, raiser).catch((e: unknown) => fail('Could not open the case channel', e));
  });

  /** The case's private channel: created, people invited, the card posted, everyone told. */
  async function openCaseChannel(stored: StoredCase, raiser: Person): Promise<void> {
    const events = await timeline(stored.reference);
    const agency = directory.agencies.find((a) => a.id === raiser.agency);
    const prefix = agency?.threads?.slackChannelPrefix ?? 'esc';
    let channel: string | undefined;
    let name = '';
    for (let attempt = 1; attempt <= 5 && !channel; attempt++) {
      name = channelName(prefix, stored.reference, attempt);
      try {
        channel = (await client.conversations.create({ name, is_private: true })).channel?.id;
      } catch (error) {
        if ((error as { data?: { error?: string } }).data?.error !== 'name_taken') throw error;
      }
    }
    if (!channel) throw new Error(`no free channel name for ${stored.reference}`);
    const counterpart = directory.people.find((p) => p.id === stored.state.responding.personId);
    const counterpartAgency = directory.agencies.find((a) => a.id === counterpart?.agency);
    const sameWorkspace =
      counterpartAgency?.platform === 'slack' && counterpartAgency.slack?.teamId === agency?.slack?.teamId;
    const invite = [raiser.slackUserId, sameWorkspace ? counterpart?.slackUserId : undefined].filter((u): u is string =>
      Boolean(u),
    );
    if (invite.length) await client.conversations.invite({ channel, users: invite.join(',') });
    const card = outlet.card(stored, events);
    const posted = await client.chat.postMessage({ channel, text: card.text, blocks: card.blocks });
    const thread: SlackThread = { channel, ts: posted.ts ?? '', name };
    await repo.saveThread(stored.reference, {
      platform: 'slack',
      agencyId: raiser.agency,
      reference: thread as unknown as Record<string, unknown>,
    });
    if (counterpart && counterpartAgency?.platform === 'slack' && !sameWorkspace) {
      // Slack Connect: the other agency's workspace must accept before they can see the channel.
      try {
        await client.conversations.inviteShared({
          channel,
          ...(counterpart.slackUserId ? { user_ids: [counterpart.slackUserId] } : { emails: [counterpart.email] }),
        });
        await client.chat.postMessage({
          channel,
          text: `${counterpart.name} works at ${counterpartAgency.name}, in another Slack workspace. They have been invited to this channel through Slack Connect: they (or an admin of their workspace) must accept the invitation before they can see it. Until then the bot sends them the card directly.`,
        });
      } catch (error) {
        fail('Could not invite the other agency through Slack Connect', error);
        await client.chat.postMessage({
          channel,
          text: `${counterpart.name} could not be invited to this channel through Slack Connect (their workspace may not allow it). The bot sends them the card directly instead.`,
        });
      }
    }
    await deps.announcer.changed({ after: stored, events, actorId: raiser.id, threadsDone: ['slack'] });
  }

  // ── card buttons ─────────────────────────────────────────────────────────────────
  app.action(new RegExp(`^${ACTION_PREFIX}`), async ({ ack, body, action }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button' || !('action_id' in action)) return;
    const verb = action.action_id.slice(ACTION_PREFIX.length);
    const value = parse<ButtonValue>(action.value) ?? { reference: '', stage: '' };
    const channel = body.container.channel_id as string | undefined;
    const ts = body.container.message_ts as string | undefined;
    const clicker = person(body.user.id);
    const ephemeral = (text: string): Promise<unknown> =>
      channel
        ? client.chat
            .postEphemeral({ channel, user: body.user.id, text })
            .catch((e: unknown) => fail('Could not answer a click', e))
        : Promise.resolve();
    if (!clicker) return void (await ephemeral(NOT_IN_DIRECTORY));
    const actor = actorFor(directory, clicker, deps.clock());
    const opened = await access.open(value.reference, actor, { action: verb, platform: 'slack', writing: true });
    if (!opened.ok) return void (await ephemeral(opened.refusal.message));
    const stored = opened.case;
    if (!CASE_COMMANDS.has(verb)) {
      await access.refused('unknown-command', stored.reference, actor, { action: verb, platform: 'slack' });
      return void (await ephemeral(UNKNOWN_COMMAND));
    }
    const command = commandFrom(verb, { stage: value.stage }, actor);
    const offered = stageCardView(stored.state, { now: deps.clock(), directory, viewer: actor }).actions.find(
      (a) => a.verb === verb,
    );
    if (offered?.input) {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: inputModal(offered, {
          reference: value.reference,
          stage: value.stage,
          channel: channel ?? '',
          ts: ts ?? '',
        }),
      });
      return;
    }
    // A command that needs words the clicker may not give is refused and recorded now, before
    // any form opens; only the check is made (placeholder words are never stored).
    const outcome = await service
      .act(
        stored.reference,
        { ...command, ...placeholderWords(verb) },
        { checkOnly: needsWords(verb), platform: 'slack' },
      )
      .catch(busyRefusal);
    if (!outcome.ok) return void (await ephemeral(outcome.refusal.message));
    await afterAct(stored, outcome.case, actor.personId, channel, ts);
  });

  app.view(new RegExp(`^${INPUT_CALLBACK}`), async ({ ack, body, view }) => {
    const verb = view.callback_id.slice(INPUT_CALLBACK.length);
    const meta = parse<{ reference: string; stage: string; channel: string; ts: string }>(view.private_metadata);
    const clicker = person(body.user.id);
    if (!meta || !clicker)
      return ack({
        response_action: 'errors',
        errors: { [Object.keys(view.state.values)[0] ?? 'text']: NOT_IN_DIRECTORY },
      });
    const actor = actorFor(directory, clicker, deps.clock());
    const typed = answers(view.state.values);
    const data: Record<string, unknown> = { stage: meta.stage };
    for (const [field, text] of Object.entries(typed)) data[`${verb}.${field}`] = text;
    const before = await repo.getCase(meta.reference).catch((error: unknown) => {
      if (busyWords(error)) return undefined; // the command below is refused as busy too
      throw error;
    });
    const outcome = await service
      .act(meta.reference, commandFrom(verb, data, actor), { platform: 'slack' })
      .catch(busyRefusal);
    if (!outcome.ok) {
      const first = Object.keys(typed)[0] ?? 'text';
      const errors = Object.fromEntries(Object.entries(outcome.refusal.fields ?? {}).filter(([k]) => k in typed));
      return ack({
        response_action: 'errors',
        errors: Object.keys(errors).length ? errors : { [first]: outcome.refusal.message },
      });
    }
    await ack({ response_action: 'clear' });
    if (before) await afterAct(before, outcome.case, actor.personId, meta.channel || undefined, meta.ts || undefined);
  });

  /** After a change: the clicked card (if it is someone's own copy) and every thread and person. */
  async function afterAct(
    before: StoredCase,
    after: StoredCase,
    actorId: string,
    channel: string | undefined,
    ts: string | undefined,
  ): Promise<void> {
    const events = await timeline(after.reference);
    const threads = (await repo.getThreads(after.reference))
      .filter((t) => t.platform === 'slack')
      .map((t) => t.reference as unknown as SlackThread);
    if (channel && ts && !threads.some((t) => t.channel === channel && t.ts === ts)) {
      const clicker = directory.people.find((p) => p.id === actorId);
      const card = outlet.card(after, events, clicker ? actorFor(directory, clicker, deps.clock()) : undefined);
      await client.chat
        .update({ channel, ts, text: card.text, blocks: card.blocks })
        .catch((e: unknown) => fail('Could not update a card', e));
    }
    await deps.announcer.changed({ before: before.state, after, events, actorId });
  }

  // ── documents, sent privately ───────────────────────────────────────────────────
  app.action(DOCUMENTS_ACTION, async ({ ack, body, action }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    const value = parse<ButtonValue>(action.value) ?? { reference: '', stage: '' };
    const channel = body.container.channel_id as string | undefined;
    const clicker = person(body.user.id);
    if (!clicker) {
      if (channel)
        await client.chat
          .postEphemeral({ channel, user: body.user.id, text: NOT_IN_DIRECTORY })
          .catch((e: unknown) => fail('Could not answer a click', e));
      return;
    }
    const offered = await deps.documents.choices(value.reference, actorFor(directory, clicker, deps.clock()), 'slack');
    if (!offered.ok) {
      if (channel)
        await client.chat
          .postEphemeral({ channel, user: body.user.id, text: offered.refusal.message })
          .catch((e: unknown) => fail('Could not answer a click', e));
      return;
    }
    const detailsGiven = Boolean(await repo.readPersonalDetails(offered.case.reference));
    await client.views.open({
      trigger_id: body.trigger_id,
      view: documentsModal(offered.case.reference, offered.choices, detailsGiven),
    });
  });

  app.view(DOCUMENTS_CALLBACK, async ({ ack, body, view }) => {
    const meta = parse<{ reference: string }>(view.private_metadata) ?? { reference: '' };
    const clicker = person(body.user.id);
    if (!clicker) return ack({ response_action: 'errors', errors: { document: NOT_IN_DIRECTORY } });
    const actor = actorFor(directory, clicker, deps.clock());
    const typed = answers(view.state.values);
    const opened = await access.open(meta.reference, actor, { action: 'send-document', platform: 'slack' });
    if (!opened.ok) return ack({ response_action: 'errors', errors: { document: opened.refusal.message } });
    if (typed.name || typed.dateOfBirth || typed.address) {
      if (!typed.name)
        return ack({
          response_action: 'errors',
          errors: { name: "Please give the adult's name with the other details." },
        });
      const saved = await service
        .recordPersonalDetails(
          meta.reference,
          actor,
          {
            name: typed.name,
            ...(typed.dateOfBirth ? { dateOfBirth: typed.dateOfBirth } : {}),
            ...(typed.address ? { address: typed.address } : {}),
          },
          directory,
          'slack',
        )
        .catch(busyRefusal);
      if (!saved.ok)
        return ack({
          response_action: 'errors',
          errors: Object.keys(saved.refusal.fields ?? {}).length
            ? (saved.refusal.fields ?? {})
            : { name: saved.refusal.message },
        });
    }
    const issued = await deps.documents
      .issue(
        meta.reference,
        actor,
        (typed.document ?? 'case-record') as DocumentKind,
        typed.format === 'docx' ? 'docx' : 'pdf',
        { platform: 'slack' },
      )
      .catch(busyRefusal);
    if (!issued.ok)
      return ack({
        response_action: 'errors',
        errors: { [issued.refusal.fields?.name ? 'name' : 'document']: issued.refusal.message },
      });
    await ack({ response_action: 'clear' });
    const dm = await outlet.directChannel(clicker);
    if (!dm) return;
    await client
      .filesUploadV2({
        channel_id: dm,
        file: issued.document.bytes,
        filename: issued.document.fileName,
        title: issued.document.title,
        initial_comment: `${issued.document.title} for case ${meta.reference}, as you asked. It is for your agency's file: keep it there.`,
      })
      .catch((e: unknown) => fail('Could not send a document', e));
  });

  app.event('app_mention', async ({ event, say }) => {
    await say({
      text: 'Type /escalate to raise a disagreement with another agency about an adult at risk.',
      ...(event.thread_ts ? { thread_ts: event.thread_ts } : {}),
    });
  });

  const idle = async (): Promise<void> => {
    while (running.size) await Promise.allSettled([...running]);
  };
  return { app, receiver, outlet, client, idle };
}

const WORDS: Record<string, Record<string, string>> = {
  'add-note': { text: '-' },
  'propose-resolution': { outcome: '-', outstandingIssues: '-' },
  'record-final-decision': { decision: '-' },
  'dispute-resolution': { reason: '-' },
  'request-escalation': { reason: '-' },
  'return-escalation': { reason: '-' },
  withdraw: { reason: '-' },
};

/** Commands whose words come from a modal. */
function needsWords(verb: string): boolean {
  return verb in WORDS;
}

function placeholderWords(verb: string): Record<string, string> {
  return WORDS[verb] ?? {};
}
