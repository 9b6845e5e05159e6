/**
 * Bringing cases up to date after an upgrade. A case's state is the fold of its events, but the
 * store keeps the folded state and its index fields (next due time, status, people) beside them,
 * written by the release that wrote the case. When a release changes the fold or the timers,
 * those stored copies are stale: `audit verify` would report them as not matching their events,
 * and the deadline sweeper could look at a case later than its new timers need.
 *
 * For each case (open ones first, then closed ones), its events are replayed and, where the
 * stored state or record fields differ from the replay, rewritten from it (`restateCase`, on the
 * version read: a case written meanwhile is read again and looked at afresh; two replicas doing
 * this at once agree, and one of them wins). Nothing is rewritten when nothing differs. A case whose timeline
 * does not verify is never rewritten, so that tampering stays for `audit verify` to report. A
 * stop half-way leaves every case either as it was or up to date; the next run finishes the rest.
 * Only counts and case references are reported, never the adult's details.
 */
import { calendarFor, nextTimerAt, replay, type CaseState } from '../domain/escalation';
import { stateDifferences } from './audit-verify';
import { canonicalJson, checkChain, type AuditKey } from './store/chain';
import { StoreError, type CaseRepository, type StoredCase } from './store/repository';

export interface RestateOptions {
  /** The audit key, to check each timeline before its state is rewritten from it. */
  key: AuditKey;
  /** Cases looked at before pausing, so that the work does not hold up anything else (default 50). */
  batchSize?: number;
  /** The pause between batches (default: let other work run first). */
  pause?: () => Promise<void>;
  /** Stops the work between two cases (the rest are done by the next run). */
  signal?: AbortSignal;
  /** A case left as it was, and why (its reference only). */
  report?: (msg: string, fields: { reference: string }) => void;
}

export interface RestateReport {
  /** Cases looked at. */
  checked: number;
  /** Cases whose stored state or record was rewritten from their events. */
  restated: number;
  /**
   * Writes by someone else met while a case was being looked at (the version check refused ours):
   * the case is read again and looked at afresh, at most ATTEMPTS times in all, then left to its writer.
   */
  raced: number;
  /** Cases whose timeline does not verify: left as they are, for `audit verify` to report. */
  refused: string[];
  /** Cases that could not be read or whose events do not make a case. */
  failed: string[];
}

type Outcome = 'unchanged' | 'restated' | 'raced' | 'refused' | 'failed';

/** Looks at one case, counting the first: a case written meanwhile is read again, up to this many in all. */
const ATTEMPTS = 3;

const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Bring every case whose stored state or record is not what its events give (by this release) up to date. */
export async function restateStore(repo: CaseRepository, options: RestateOptions): Promise<RestateReport> {
  const batchSize = Math.max(1, options.batchSize ?? 50);
  const pause = options.pause ?? nextTurn;
  const report: RestateReport = { checked: 0, restated: 0, raced: 0, refused: [], failed: [] };
  let legacy: Promise<boolean> | undefined;
  // A store with no anchor at all is one written before timelines were keyed (as `audit verify` reads it).
  const unanchored = (): Promise<boolean> => (legacy ??= repo.readCheckpoints().then((c) => c.length === 0));
  const tally = (reference: string, outcome: Outcome): void => {
    report.checked++;
    if (outcome === 'restated') report.restated++;
    else if (outcome === 'refused') {
      report.refused.push(reference);
      options.report?.(
        'A case’s timeline does not verify, so its stored state was not rewritten from it: run "audit verify"',
        { reference },
      );
    } else if (outcome === 'failed') {
      report.failed.push(reference);
      options.report?.('A case could not be brought up to date after an upgrade: run "audit verify"', { reference });
    }
  };
  // A case written meanwhile (by a person, the sweeper, or a replica of the older release) is read again.
  const bringUpToDate = async (reference: string, first: StoredCase): Promise<Outcome> => {
    let stored: StoredCase | undefined = first;
    for (let attempt = 1; ; attempt++) {
      const outcome = await restateCase(repo, options.key, reference, stored, unanchored);
      if (outcome !== 'raced') return outcome;
      report.raced++;
      if (attempt >= ATTEMPTS) return 'raced';
      stored = await repo.getCase(reference).catch(() => undefined);
      if (!stored) return 'failed';
    }
  };
  const closed: string[] = [];
  let inBatch = 0;
  const turn = async (): Promise<void> => {
    if (++inBatch < batchSize) return;
    inBatch = 0;
    await pause();
  };
  // Open cases first: the deadline sweeper needs their due times.
  for (const reference of await repo.allReferences()) {
    if (options.signal?.aborted) return report;
    let stored: StoredCase | undefined;
    try {
      stored = await repo.getCase(reference);
    } catch {
      tally(reference, 'failed');
      await turn();
      continue;
    }
    if (!stored) continue;
    if (stored.state.status !== 'open') closed.push(reference);
    else tally(reference, await bringUpToDate(reference, stored));
    await turn();
  }
  for (const reference of closed) {
    if (options.signal?.aborted) return report;
    let stored: StoredCase | undefined;
    try {
      stored = await repo.getCase(reference);
    } catch {
      stored = undefined;
    }
    tally(reference, stored ? await bringUpToDate(reference, stored) : 'failed');
    await turn();
  }
  return report;
}

async function restateCase(
  repo: CaseRepository,
  key: AuditKey,
  reference: string,
  stored: StoredCase,
  unanchored: () => Promise<boolean>,
): Promise<Outcome> {
  try {
    const events = await repo.getEvents(reference);
    let breaks = checkChain(key, stored, events, reference);
    if (breaks.length && breaks.every((f) => f.kind === 'not-keyed') && (await unanchored()))
      breaks = checkChain(key, stored, events, reference, true);
    if (breaks.length) return 'refused';
    let derived: CaseState | undefined;
    try {
      derived = replay(events.map((e) => e.event));
    } catch {
      return 'failed';
    }
    if (!derived || derived.version !== stored.version || derived.reference !== reference) return 'failed';
    const dueAt = nextTimerAt(derived, calendarFor(derived.procedure));
    if (upToDate(stored, derived, dueAt, await repo.recordFields(reference))) return 'unchanged';
    await repo.restateCase({
      reference,
      expectedVersion: stored.version,
      state: derived,
      ...(dueAt !== undefined ? { dueAt } : {}),
    });
    return 'restated';
  } catch (error) {
    if (error instanceof StoreError && error.code === 'conflict') return 'raced';
    return 'failed';
  }
}

/** Whether the stored state and record fields are what `audit verify` expects of these events. */
function upToDate(
  stored: StoredCase,
  derived: CaseState,
  dueAt: string | undefined,
  fields: Awaited<ReturnType<CaseRepository['recordFields']>>,
): boolean {
  if (stateDifferences(stored.state, derived).length || stored.dueAt !== dueAt) return false;
  if (!fields) return true;
  return (
    fields.boardId === derived.boardId &&
    fields.status === derived.status &&
    fields.raisedAt === derived.raisedAt &&
    fields.dueAt === dueAt &&
    canonicalJson(fields.people) === canonicalJson([...new Set(derived.participants)].sort())
  );
}
