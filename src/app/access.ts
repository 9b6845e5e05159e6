/**
 * Who may see a case, in one place. A case is shown (its card, its documents, the adult's
 * details) only to its parties (the people who have taken part in it) and the procedure's role
 * holders for it: one of its roles in one of the case's two agencies, or a board role in the
 * board's own agency. Anyone else, and a reference that does not exist, gets the same neutral
 * words, which reveal neither whether the case exists nor its stage; the attempt goes to the
 * bounded security log, never to the case's timeline. Readings that are allowed and matter
 * (the adult's details, a case record or form, a card) go to the access log.
 */
import type { Directory } from '../domain/directory';
import type { Actor, CaseState, Refusal } from '../domain/escalation';
import { isRoleHolder } from './people';
import type { CaseRepository, SecurityEvent, StoredCase } from './store/repository';
import { CASE_COMMANDS } from './commands';

/** What anyone who may not see a case is told, whether or not it exists. */
export const NOT_AVAILABLE = 'This case is not available to you.';

/** What a party is told for a button or command the bot does not have. */
export const UNKNOWN_COMMAND = 'This button is not one the bot knows; use the latest card.';

export type Platform = 'slack' | 'teams';

/** The reads a platform offers, as named in the security log. */
const READS: ReadonlySet<string> = new Set([
  'refresh',
  'documents',
  'send-document',
  'file-consent',
  'document',
  'personal-details',
  'give-personal-details',
  // A case reference typed in a chat with the bot.
  'look-up',
]);

/** The writes a platform offers beside the case commands, as named in the security log. */
const WRITES: ReadonlySet<string> = new Set([
  // Completing one of the board's forms (stages[].forms).
  'complete-form',
]);

/** A well-formed case reference (anything else that was sent is not kept). */
const REFERENCE = /^[A-Z]{2,5}-\d{4}-\d{4,8}$/;

export function notAvailable(): Refusal {
  return { code: 'not-a-party', message: NOT_AVAILABLE };
}

/** The name an action is logged under: one the bot knows, or 'unknown'. Never what was sent. */
export function actionName(action: unknown): string {
  return typeof action === 'string' && (READS.has(action) || WRITES.has(action) || CASE_COMMANDS.has(action))
    ? action
    : 'unknown';
}

/**
 * May `actor` see (and so act on) this case? Its parties and its procedure's role holders for
 * it. Without a directory (tools and tests), a board role of the case's board counts.
 */
export function mayAccess(state: CaseState, actor: Actor, directory?: Directory): boolean {
  if (isRoleHolder(state, actor, directory)) return true;
  return (
    !directory &&
    (actor.boards ?? []).includes(state.boardId) &&
    actor.roles.some((r) => state.procedure.roles.find((x) => x.id === r)?.scope === 'board')
  );
}

export interface Attempt {
  /** The verb, command or read tried (logged by name only if the bot knows it). */
  action: unknown;
  platform?: Platform;
  /** A command (a write) rather than a read. */
  writing?: boolean;
}

export type Opened = { ok: true; case: StoredCase } | { ok: false; refusal: Refusal };

export class CaseAccess {
  constructor(
    private readonly repo: CaseRepository,
    private readonly directory: Directory | undefined,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  may(state: CaseState, actor: Actor): boolean {
    return mayAccess(state, actor, this.directory);
  }

  /**
   * The case, if `actor` may see it. Otherwise (no such case, or not theirs) the neutral refusal,
   * and the attempt in the security log.
   */
  async open(reference: unknown, actor: Actor, attempt: Attempt): Promise<Opened> {
    const ref = typeof reference === 'string' && REFERENCE.test(reference) ? reference : undefined;
    const stored = ref ? await this.repo.getCase(ref) : undefined;
    if (stored && this.may(stored.state, actor)) return { ok: true, case: stored };
    await this.refused(
      stored ? (attempt.writing ? 'command-by-non-party' : 'read-by-non-party') : 'no-such-case',
      reference,
      actor,
      attempt,
    );
    return { ok: false, refusal: notAvailable() };
  }

  /** Put a refused attempt in the bounded security log (known names and well-formed references only). */
  async refused(kind: SecurityEvent['kind'], reference: unknown, actor: Actor | undefined, attempt: Attempt) {
    const ref = typeof reference === 'string' && REFERENCE.test(reference) ? reference : undefined;
    await this.repo.recordSecurityEvent({
      at: this.clock().toISOString(),
      kind,
      action: actionName(attempt.action),
      ...(ref ? { reference: ref } : {}),
      ...(actor ? { personId: actor.personId, agencyId: actor.agencyId } : {}),
      ...(attempt.platform ? { platform: attempt.platform } : {}),
    });
  }

  /** Log an allowed reading: the adult's details, a document, a card. */
  async read(reference: string, actor: Actor, what: string, platform?: Platform | 'cli'): Promise<void> {
    await this.repo.recordAccess({
      at: this.clock().toISOString(),
      reference,
      personId: actor.personId,
      agencyId: actor.agencyId,
      what,
      ...(platform ? { platform } : {}),
    });
  }
}
