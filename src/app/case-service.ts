/**
 * The use cases every chat platform shares: raise a case, act on it, and the adult's details.
 * The pure core decides; this layer loads, stores (with the version it read), and retries a
 * decision when someone else changed the case in between. Platforms only translate.
 */
import {
  calendarFor,
  decide,
  evolve,
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
import { isRoleHolder } from './people';
import { verifyChain } from './store/chain';
import type { PersonalDataVault, PersonalDetails } from './store/personal-data';
import { personalDetailsSchema } from './store/personal-data';
import { StoreError, type AuditFinding, type CaseRepository, type StoredCase } from './store/repository';

export type Outcome = { ok: true; case: StoredCase; created: boolean } | { ok: false; refusal: Refusal };

export interface RaiseRequest {
  boardId: string;
  command: Omit<RaiseCommand, 'sequence'>;
  /** The adult's details, sealed and stored apart; never in a chat. */
  personal?: PersonalDetails;
  /** The platform's id for this submission, so a retry never makes a second case. */
  idempotencyKey?: string;
}

const ATTEMPTS = 4;

export class CaseService {
  constructor(
    private readonly repo: CaseRepository,
    private readonly procedures: ReadonlyMap<string, Procedure>,
    private readonly vault: PersonalDataVault,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async raise(request: RaiseRequest): Promise<Outcome> {
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
    const { created, case: stored } = await this.repo.createCase({
      state: decision.state,
      events: decision.events,
      dueAt: nextTimerAt(decision.state, calendar),
      ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
    });
    if (created && request.personal)
      await this.repo.savePersonalDetails(stored.reference, this.vault.seal(stored.reference, request.personal));
    return { ok: true, case: stored, created };
  }

  /**
   * Act on a case. A refusal is recorded on the case's timeline (who tried what, and why not).
   * When someone else changed the case meanwhile, the command is decided again on the new state.
   * With `checkOnly`, an allowed command is not carried out (nothing is stored).
   */
  async act(reference: string, command: CaseCommand, options: { checkOnly?: boolean } = {}): Promise<Outcome> {
    const words = ['text', 'reason', 'outcome', 'outstandingIssues', 'decision'].some((k) => k in command);
    const adult = words ? await this.sealedAdult(reference) : undefined;
    for (let attempt = 1; ; attempt++) {
      const stored = await this.repo.getCase(reference);
      if (!stored) return { ok: false, refusal: { code: 'invalid-input', message: `There is no case ${reference}.` } };
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
        const saved = await this.repo.appendEvents({
          reference,
          expectedVersion: stored.version,
          events: decision.events,
          state: decision.state,
          dueAt: nextTimerAt(decision.state),
        });
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
   * The adult's details, for a form or an export asked for by someone taking part in the case.
   * Anyone else is refused. The reading itself is not a case event (forms record their own).
   */
  async personalDetails(
    reference: string,
    requester: Actor,
    directory?: Directory,
  ): Promise<{ ok: true; details: PersonalDetails } | { ok: false; refusal: Refusal }> {
    const stored = await this.repo.getCase(reference);
    if (!stored) return { ok: false, refusal: { code: 'invalid-input', message: `There is no case ${reference}.` } };
    if (!isRoleHolder(stored.state, requester, directory))
      return {
        ok: false,
        refusal: {
          code: 'not-a-party',
          message: `Only the role holders of case ${reference} can see the adult's details.`,
        },
      };
    if (stored.state.personalDataErasedAt)
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
    return { ok: true, details: this.vault.open(reference, sealed) };
  }

  /**
   * Give or correct the adult's details (a role holder of the case, in a private form, never in
   * a chat): sealed and stored apart from the case; the timeline records that it was done.
   */
  async recordPersonalDetails(
    reference: string,
    by: Actor,
    details: PersonalDetails,
    directory?: Directory,
  ): Promise<Outcome> {
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
    return this.appendRecord(reference, async (stored) => {
      if (!isRoleHolder(stored.state, by, directory))
        return {
          done: {
            ok: false,
            refusal: {
              code: 'not-a-party',
              message: `Only the role holders of case ${reference} can give the adult's details.`,
            },
          },
        };
      await this.repo.savePersonalDetails(reference, this.vault.seal(reference, checked.data));
      return {
        event: { type: 'personal-details-recorded', at: this.clock().toISOString(), by: recordOf(stored.state, by) },
      };
    });
  }

  /** Record that someone was sent a document of the case. */
  async recordDocumentIssued(
    reference: string,
    by: Actor,
    document: string,
    format: 'pdf' | 'docx',
    withPersonalDetails: boolean,
  ): Promise<void> {
    await this.appendRecord(reference, (stored) =>
      Promise.resolve({
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
    make: (stored: StoredCase) => Promise<{ event: CaseEvent } | { done: Outcome }>,
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
        });
        return { ok: true, case: saved, created: false };
      } catch (error) {
        if (error instanceof StoreError && error.code === 'conflict' && attempt < ATTEMPTS) continue;
        throw error;
      }
    }
  }

  /** Check every case's timeline (or one), in reference order: the first broken one is named. */
  async audit(reference?: string): Promise<{ checked: number; events: number; broken?: AuditFinding }> {
    const references = reference ? [reference] : await this.repo.allReferences();
    let events = 0;
    for (const [i, ref] of references.entries()) {
      const [stored, timeline] = await Promise.all([
        this.repo.getCase(ref).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
        this.repo.getEvents(ref),
      ]);
      events += timeline.length;
      const finding =
        stored instanceof Error ? { reference: ref, problem: stored.message } : verifyChain(stored, timeline, ref);
      if (finding) return { checked: i + 1, events, broken: finding };
    }
    return { checked: references.length, events };
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
