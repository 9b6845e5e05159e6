/**
 * The use cases every chat platform shares: raise a case, act on it, and the adult's details.
 * The pure core decides; this layer loads, stores (with the version it read), and retries a
 * decision when someone else changed the case in between. Platforms only translate.
 */
import {
  calendarFor,
  decide,
  evolve,
  formAudience,
  formsDue,
  stageFormOf,
  namesTheAdult,
  wordsProblem,
  nextTimerAt,
  raise,
  refusalEvent,
  type Actor,
  type ActorRecord,
  type CaseCommand,
  type CaseState,
  type CaseEvent,
  type Decision,
  type KnownAdult,
  type RaiseCommand,
  type Refusal,
} from '../domain/escalation';
import type { Procedure } from '../domain/procedure';
import type { Directory } from '../domain/directory';
import { CaseAccess, notAvailable, UNKNOWN_COMMAND, type Platform } from './access';
import { CASE_COMMANDS } from './commands';
import type { PersonalDataVault, PersonalDetails } from './store/personal-data';
import { personalDetailsSchema } from './store/personal-data';
import { StoreError, type CaseRepository, type StoredCase } from './store/repository';
import {
  formRecipients,
  owedByChange,
  owedByDocument,
  owedByForm,
  owedByRaise,
  type ClickedCard,
  type RaiseOrigin,
} from './owed';
import type { NewOutboxItem } from './store/outbox';
import { NO_TELEMETRY, type Telemetry } from './telemetry';

export type Outcome = { ok: true; case: StoredCase; created: boolean } | { ok: false; refusal: Refusal };

export interface RaiseRequest {
  boardId: string;
  command: Omit<RaiseCommand, 'sequence'>;
  /** The adult's details, sealed and stored apart; never in a chat. */
  personal?: PersonalDetails;
  /** The platform's id for this submission, so a retry never makes a second case. */
  idempotencyKey?: string;
  /** Where it was raised from, for the case's thread (written with the case, in the outbox). */
  origin?: RaiseOrigin;
}

const ATTEMPTS = 4;

/** The longest answer a form's typed field takes (as the words typed on a card, src/domain/escalation/rules.ts). */
const FORM_TEXT_LIMIT = 4000;

export class CaseService {
  /** Who may see and act on a case (src/app/access.ts), and the logs of reads and refused attempts. */
  readonly access: CaseAccess;
  /** Told after a write that owes people something (the delivery worker wakes). */
  private owed: () => void = () => undefined;

  constructor(
    private readonly repo: CaseRepository,
    private readonly procedures: ReadonlyMap<string, Procedure>,
    private readonly vault: PersonalDataVault,
    private readonly clock: () => Date = () => new Date(),
    private readonly directory?: Directory,
  ) {
    this.access = new CaseAccess(repo, directory, clock);
  }

  /** Who to wake when a write has left work in the outbox. */
  whenOwed(wake: () => void): void {
    this.owed = wake;
  }

  private telemetry: Telemetry = NO_TELEMETRY;

  /** Where each raise and command is counted and traced (board, command and outcome; nothing personal). */
  observe(telemetry: Telemetry): void {
    this.telemetry = telemetry;
  }

  async raise(request: RaiseRequest): Promise<Outcome> {
    const board = this.procedures.has(request.boardId) ? request.boardId : 'unknown';
    return this.telemetry.span('case raise', { 'case.board': board, 'case.command': 'raise' }, async (span) => {
      const outcome = await this.raiseCase(request);
      span.set('case.outcome', outcome.ok ? (outcome.created ? 'raised' : 'already-raised') : outcome.refusal.code);
      if (outcome.ok) span.set('case.reference', outcome.case.reference);
      if (outcome.ok && outcome.created) this.telemetry.caseRaised(outcome.case.boardId);
      return outcome;
    });
  }

  private async raiseCase(request: RaiseRequest): Promise<Outcome> {
    const procedure = this.procedures.get(request.boardId);
    if (!procedure)
      return {
        ok: false,
        refusal: {
          code: 'invalid-input',
          message: `There is no board "${request.boardId}".`,
          fields: { board: 'Choose a board.' },
        },
      };
    if (request.personal) {
      const checked = personalDetailsSchema.safeParse(request.personal);
      if (!checked.success) {
        return {
          ok: false,
          refusal: {
            code: 'invalid-input',
            message: 'Some of the adult’s details need changing.',
            fields: Object.fromEntries(checked.error.issues.map((i) => [i.path.join('.') || 'personal', i.message])),
          },
        };
      }
    }
    if (request.idempotencyKey) {
      const existing = await this.repo.findByIdempotencyKey(request.idempotencyKey);
      if (existing) return { ok: true, case: existing, created: false };
    }
    const now = this.clock();
    const calendar = calendarFor(procedure);
    // Check the form before taking a case number, so a mistake does not use one up.
    // The free text is checked against the adult's details that come with the form, if any.
    const words = request.personal ? { adult: request.personal } : {};
    const trial = raise(procedure, { ...request.command, sequence: 1 }, now, calendar, words);
    if (!trial.ok) return trial;
    const sequence = await this.repo.nextSequence(procedure.id, Number(calendar.localDate(now).slice(0, 4)));
    const decision = raise(procedure, { ...request.command, sequence }, now, calendar, words);
    if (!decision.ok) return decision;
    const outbox = this.directory
      ? owedByRaise(decision.state, decision.events, this.directory, now, request.origin)
      : [];
    const { created, case: stored } = await this.repo.createCase({
      state: decision.state,
      events: decision.events,
      dueAt: nextTimerAt(decision.state, calendar),
      ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
      outbox,
    });
    if (created && request.personal)
      await this.repo.savePersonalDetails(stored.reference, this.vault.seal(stored.reference, request.personal));
    if (created && outbox.length) this.owed();
    return { ok: true, case: stored, created };
  }

  /**
   * Act on a case. A party's refusal is recorded on the case's timeline (who tried what, and why
   * not); anyone else (or a case that does not exist) gets the neutral words and the attempt goes
   * to the security log, as does a command the bot does not know. When someone else changed the
   * case meanwhile, the command is decided again on the new state. With `checkOnly`, an allowed
   * command is not carried out (nothing is stored).
   */
  async act(
    reference: string,
    command: CaseCommand,
    options: { checkOnly?: boolean; platform?: Platform; clicked?: ClickedCard } = {},
  ): Promise<Outcome> {
    const name = CASE_COMMANDS.has(command.type) ? command.type : 'unknown';
    return this.telemetry.span(`case ${name}`, { 'case.command': name }, async (span) => {
      const outcome = await this.actOn(reference, command, options);
      span.set('case.outcome', outcome.ok ? (options.checkOnly ? 'allowed' : 'done') : outcome.refusal.code);
      if (outcome.ok) {
        span.set('case.reference', outcome.case.reference);
        span.set('case.board', outcome.case.boardId);
        if (!options.checkOnly) this.telemetry.transition(outcome.case.boardId, name);
      }
      return outcome;
    });
  }

  private async actOn(
    reference: string,
    command: CaseCommand,
    options: { checkOnly?: boolean; platform?: Platform; clicked?: ClickedCard },
  ): Promise<Outcome> {
    const attempted = {
      action: command.type,
      writing: true,
      ...(options.platform ? { platform: options.platform } : {}),
    };
    // The adult's sealed details, to check the command's words against (once the case is open to them).
    // Every command that carries words (a plan, the steps taken, a milestone's note too).
    const words = ['text', 'reason', 'outcome', 'outstandingIssues', 'decision', 'also', 'plan', 'steps', 'note'].some(
      (k) => k in command,
    );
    let adult: KnownAdult | undefined;
    for (let attempt = 1; ; attempt++) {
      const opened = await this.access.open(reference, command.actor, attempted);
      if (!opened.ok) return opened;
      const stored = opened.case;
      if (!CASE_COMMANDS.has(command.type)) {
        await this.access.refused('unknown-command', reference, command.actor, attempted);
        return { ok: false, refusal: { code: 'invalid-input', message: UNKNOWN_COMMAND } };
      }
      if (words && attempt === 1) adult = await this.sealedAdult(reference);
      const now = this.clock();
      const decision: Decision = decide(stored.state, command, now, undefined, adult ? { adult } : {});
      // Words that name the adult are refused and not recorded: they stay in the form they came from.
      if (!decision.ok && decision.refusal.code === 'names-the-adult') return decision;
      // Asked before a form for the command's words opens: a refusal is recorded now, and an
      // allowed command is left to be given with its words.
      if (options.checkOnly && decision.ok) return { ok: true, case: stored, created: false };
      try {
        if (!decision.ok) {
          const event = refusalEvent(stored.state, command, decision.refusal, now);
          const state = evolve(stored.state, event);
          await this.repo.appendEvents({
            reference,
            expectedVersion: stored.version,
            events: [event],
            state,
            ...(stored.dueAt ? { dueAt: stored.dueAt } : {}),
          });
          return decision;
        }
        const outbox = this.directory
          ? owedByChange(
              stored.state,
              decision.state,
              decision.events,
              this.directory,
              now,
              command.actor.personId,
              options.clicked,
            )
          : [];
        const saved = await this.repo.appendEvents({
          reference,
          expectedVersion: stored.version,
          events: decision.events,
          state: decision.state,
          dueAt: nextTimerAt(decision.state),
          outbox,
        });
        if (outbox.length) this.owed();
        return { ok: true, case: saved, created: false };
      } catch (error) {
        if (error instanceof StoreError && error.code === 'conflict' && attempt < ATTEMPTS) continue;
        throw error;
      }
    }
  }

  /**
   * The adult's details the case holds sealed, opened only to check a command's words against
   * them (not a person reading them: not logged as an access). If they cannot be opened, the
   * words are still checked for the shapes of a date of birth or a postcode.
   */
  private async sealedAdult(reference: string): Promise<KnownAdult | undefined> {
    try {
      const sealed = await this.repo.readPersonalDetails(reference);
      return sealed ? this.vault.open(reference, sealed) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The adult's details, for a form or an export asked for by a role holder of the case. Anyone
   * else gets the neutral words. The opening is logged as an access (not a case event: forms
   * record their own).
   */
  async personalDetails(
    reference: string,
    requester: Actor,
    directory?: Directory,
    platform?: Platform,
    /** Whether this opening goes in the access log (not when a document already logged is built again). */
    options: { logged?: boolean } = {},
  ): Promise<{ ok: true; details: PersonalDetails } | { ok: false; refusal: Refusal }> {
    const access = directory ? new CaseAccess(this.repo, directory, this.clock) : this.access;
    const opened = await access.open(reference, requester, {
      action: 'personal-details',
      ...(platform ? { platform } : {}),
    });
    if (!opened.ok) return opened;
    if (opened.case.state.personalDataErasedAt)
      return {
        ok: false,
        refusal: { code: 'case-closed', message: `The adult's details for case ${reference} were erased on request.` },
      };
    const sealed = await this.repo.readPersonalDetails(reference);
    if (!sealed)
      return {
        ok: false,
        refusal: { code: 'invalid-input', message: `No details of the adult were given for case ${reference}.` },
      };
    const details = this.vault.open(reference, sealed);
    if (options.logged ?? true) await access.read(reference, requester, 'personal-details', platform);
    return { ok: true, details };
  }

  /**
   * Give or correct the adult's details (a role holder of the case, in a private form, never in
   * a chat): sealed and stored apart from the case; the timeline records that it was done, and
   * the access log who gave them.
   */
  async recordPersonalDetails(
    reference: string,
    by: Actor,
    details: PersonalDetails,
    directory?: Directory,
    platform?: Platform,
  ): Promise<Outcome> {
    const access = directory ? new CaseAccess(this.repo, directory, this.clock) : this.access;
    const opened = await access.open(reference, by, {
      action: 'give-personal-details',
      writing: true,
      ...(platform ? { platform } : {}),
    });
    if (!opened.ok) return opened;
    const checked = personalDetailsSchema.safeParse(details);
    if (!checked.success)
      return {
        ok: false,
        refusal: {
          code: 'invalid-input',
          message: 'Some of the adult’s details need changing.',
          fields: Object.fromEntries(checked.error.issues.map((i) => [i.path.join('.') || 'name', i.message])),
        },
      };
    const outcome = await this.appendRecord(reference, async (stored) => {
      if (!access.may(stored.state, by)) return { done: { ok: false, refusal: notAvailable() } };
      await this.repo.savePersonalDetails(reference, this.vault.seal(reference, checked.data));
      return {
        event: { type: 'personal-details-recorded', at: this.clock().toISOString(), by: recordOf(stored.state, by) },
      };
    });
    if (outcome.ok) await access.read(reference, by, 'personal-details-given', platform);
    return outcome;
  }

  /** Record that someone was sent a document of the case. */
  async recordDocumentIssued(
    reference: string,
    by: Actor,
    document: string,
    format: 'pdf' | 'docx',
    withPersonalDetails: boolean,
    /** Where the platform hands it over later (through the outbox), if it does. */
    deliver?: Platform,
  ): Promise<void> {
    const at = new Date().toISOString();
    await this.appendRecord(reference, (stored) =>
      Promise.resolve({
        ...(deliver
          ? { outbox: [owedByDocument(reference, stored.version + 1, by.personId, deliver, { document, format }, at)] }
          : {}),
        event: {
          type: 'document-issued',
          at: this.clock().toISOString(),
          by: recordOf(stored.state, by),
          document,
          format,
          withPersonalDetails,
        },
      }),
    );
  }

  /**
   * Complete one of the board's forms that a stage asks for (stages[].forms): `actor` must be one
   * the form's moment calls on (formsDue). What they type goes through the free-text check that
   * refuses the adult's name; the completion is recorded (the typed text is the record), and the
   * filled form is owed, through the outbox, to its recipients: 1:1 on their platform, and by
   * email to the form's contacts when email is set up (emailForms).
   */
  async completeForm(
    reference: string,
    actor: Actor,
    form: { form: string; stage: string; answers: Readonly<Record<string, string>> },
    directory: Directory | undefined = this.directory,
    platform?: Platform,
  ): Promise<Outcome> {
    if (!directory) throw new Error('completing a form needs the directory, to find whom it goes to');
    const access = new CaseAccess(this.repo, directory, this.clock);
    // Anyone who may not see the case (a forged or replayed submission naming another case) gets the
    // neutral words, and the attempt goes to the security log, as for every other write.
    const opened = await access.open(reference, actor, {
      action: 'complete-form',
      writing: true,
      ...(platform ? { platform } : {}),
    });
    if (!opened.ok) return opened;
    const adult = await this.sealedAdult(reference);
    let refused: Refusal | undefined;
    /** A party's refusal, recorded on the timeline as every other refused command is (never the words typed). */
    const recorded = (state: CaseState, refusal: Refusal) => {
      refused = refusal;
      const event: CaseEvent = {
        type: 'command-refused',
        at: this.clock().toISOString(),
        by: { ...recordOf(state, actor), roles: [] },
        stage: state.stages[state.stages.length - 1]?.id ?? form.stage,
        command: 'complete-form',
        code: refusal.code,
        reason: refusal.message,
      };
      return Promise.resolve({ event });
    };
    const outcome = await this.appendRecord(reference, (stored) => {
      refused = undefined;
      const { state } = stored;
      if (!access.may(state, actor)) return Promise.resolve({ done: { ok: false, refusal: notAvailable() } });
      const due = formsDue(state, actor).find((d) => d.form === form.form && d.stage === form.stage);
      const declared = state.procedure.forms.find((f) => f.id === form.form);
      if (!due || !declared)
        return recorded(state, {
          code: 'nothing-to-decide',
          message: `There is no form for you to complete on case ${reference} now: it is not yet its moment, your role does not complete it, or someone of your agency already has.`,
        });
      const answers: Record<string, string> = {};
      const fields: Record<string, string> = {};
      for (const field of declared.fields.filter((f) => f.from === 'typed')) {
        const raw = form.answers[field.key];
        const text = typeof raw === 'string' ? raw.trim() : '';
        if (!text) {
          if (!field.optional) fields[field.key] = `Please answer: ${field.prompt ?? field.label}`;
          continue;
        }
        // The same limit as the words typed on a card.
        if (text.length > FORM_TEXT_LIMIT) {
          fields[field.key] = `Please keep this under ${FORM_TEXT_LIMIT} characters.`;
          continue;
        }
        const named = wordsProblem(text, field.label.toLowerCase(), {
          now: this.clock(),
          initials: state.subject.initials,
          ...(adult ? { adult } : {}),
        });
        if (named) return Promise.resolve({ done: { ok: false, refusal: namesTheAdult(field.key, named) } });
        answers[field.key] = text;
      }
      if (Object.keys(fields).length)
        return recorded(state, {
          code: 'invalid-input',
          message: Object.values(fields).some((m) => m.startsWith('Please keep'))
            ? `An answer is too long: please keep each answer under ${FORM_TEXT_LIMIT} characters.`
            : 'The form needs an answer to each question.',
          fields,
        });
      const now = this.clock();
      const event: CaseEvent = {
        type: 'form-completed',
        at: now.toISOString(),
        by: recordOf(state, actor, due.party),
        form: form.form,
        stage: form.stage,
        answers,
      };
      event.by.roles = [...due.roles];
      const after = evolve(state, event);
      const sendTo = stageFormOf(state, form.stage, form.form)?.sendTo ?? [];
      const people = formRecipients(state, formAudience(state, sendTo, actor.agencyId), directory, now);
      const emails = this.emailing ? declared.sendTo.flatMap((c) => (c.email ? [c.email] : [])) : [];
      const wall = new Date();
      return Promise.resolve({
        event,
        outbox: [
          ...owedByChange(state, after, [event], directory, now, actor.personId, undefined, wall),
          ...owedByForm(after, actor, { form: form.form, stage: form.stage }, people, emails, directory, wall),
        ],
      });
    });
    return refused ? { ok: false, refusal: refused } : outcome;
  }

  private emailing = false;

  /** Whether completed forms also go by email to the forms' contacts (SMTP is set up). */
  emailForms(on: boolean): void {
    this.emailing = on;
  }

  /**
   * Erase the adult's details on request: the timeline stays whole and records the erasure.
   * Safe to repeat: a second call after a failure finishes the job without a second record.
   */
  async erasePersonalDetails(reference: string, by: Actor, reason: string): Promise<Outcome> {
    if (!reason.trim())
      return {
        ok: false,
        refusal: {
          code: 'invalid-input',
          message: 'Say why the details are being erased (for example, the request it answers).',
          fields: { reason: 'Give a reason.' },
        },
      };
    // The reason stays on the timeline after the details are gone: it must not name the adult.
    const adult = await this.sealedAdult(reference);
    const named = wordsProblem(reason, 'reason', { now: this.clock(), ...(adult ? { adult } : {}) });
    if (named) return { ok: false, refusal: namesTheAdult('reason', named) };
    const outcome = await this.appendRecord(reference, (stored) =>
      Promise.resolve(
        stored.state.personalDataErasedAt
          ? { done: { ok: true, case: stored, created: false } as Outcome }
          : {
              event: {
                type: 'personal-data-erased',
                at: this.clock().toISOString(),
                by: recordOf(stored.state, by, 'board'),
                reason: reason.trim(),
              } as CaseEvent,
            },
      ),
    );
    if (outcome.ok) await this.repo.erasePersonalDetails(reference);
    return outcome;
  }

  /**
   * Append one record-keeping event that changes nothing else about the case (details given, a
   * document issued, an erasure), reading the case again if someone else wrote it meanwhile.
   * `make` gives the event, or an answer that needs no event.
   */
  private async appendRecord(
    reference: string,
    make: (stored: StoredCase) => Promise<{ event: CaseEvent; outbox?: NewOutboxItem[] } | { done: Outcome }>,
  ): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.repo.getCase(reference);
      if (!stored) return { ok: false, refusal: { code: 'invalid-input', message: `There is no case ${reference}.` } };
      const made = await make(stored);
      if ('done' in made) return made.done;
      try {
        const saved = await this.repo.appendEvents({
          reference,
          expectedVersion: stored.version,
          events: [made.event],
          state: evolve(stored.state, made.event),
          ...(stored.dueAt ? { dueAt: stored.dueAt } : {}),
          ...(made.outbox ? { outbox: made.outbox } : {}),
        });
        if (made.outbox?.length) this.owed();
        return { ok: true, case: saved, created: false };
      } catch (error) {
        if (error instanceof StoreError && error.code === 'conflict' && attempt < ATTEMPTS) continue;
        throw error;
      }
    }
  }
}

/** Who did something on the record: their side of the case (or the board's), unless given. */
function recordOf(state: CaseState, by: Actor, party?: ActorRecord['party']): ActorRecord {
  const side =
    by.agencyId === state.responding.agencyId
      ? 'responding'
      : by.agencyId === state.raising.agencyId
        ? 'raising'
        : 'board';
  return { personId: by.personId, agencyId: by.agencyId, party: party ?? side, roles: [...by.roles] };
}
