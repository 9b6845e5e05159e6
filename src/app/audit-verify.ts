/**
 * `audit verify`: everything the store holds, checked against what cannot be rewritten without
 * the audit key. For each case: its timeline (each event in place, linked and sealed), its
 * stored state and record fields against the fold of its events, its sealed details against
 * their binding to the case; across the store: the anchor's checkpoints (chained and sealed)
 * against each case's head and the number of cases. Every break is named and listed, not only
 * the first; nothing is changed, and no adult's details or free text are ever shown.
 */
import { calendarFor, nextTimerAt, replay, type CaseState } from '../domain/escalation';
import { checkAnchor, idempotencyFingerprint, type AnchoredCase, type AnchorReading } from './store/anchor';
import { canonicalJson, checkChain, type AuditKey } from './store/chain';
import type { PersonalDataVault } from './store/personal-data';
import {
  StoreError,
  type AuditFinding,
  type CaseRepository,
  type Checkpoint,
  type StoredCase,
  type StoredEvent,
} from './store/repository';

export interface AuditOptions {
  key: AuditKey;
  vault: PersonalDataVault;
  /** Check one case only (the store-wide case count is then not checked). */
  reference?: string;
  /** A checkpoint recorded earlier outside the store (its number and the start of its seal): it must still be there. */
  expectCheckpoint?: { seq: number; seal: string };
}

export interface AuditReport {
  checked: number;
  events: number;
  checkpoints: number;
  latest?: Pick<Checkpoint, 'seq' | 'seal' | 'at'>;
  /** Breaks: any one makes the store fail verification. */
  findings: AuditFinding[];
  /** What a crash between two writes can leave, and is not by itself a sign of tampering. */
  warnings: AuditFinding[];
}

/** Short, non-identifying state fields whose values may be shown in a finding. */
const SHOWN = new Set(['status', 'boardId', 'version', 'urgent', 'reference']);

export function stateDifferences(stored: CaseState, derived: CaseState): string[] {
  const a = stored as unknown as Record<string, unknown>;
  const b = derived as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys
    .filter((k) => canonicalJson(a[k] ?? null) !== canonicalJson(b[k] ?? null))
    .map((k) => (SHOWN.has(k) ? `${k} (stored ${JSON.stringify(a[k])}, its events give ${JSON.stringify(b[k])})` : k));
}

interface CaseData {
  reference: string;
  stored?: StoredCase;
  unreadable?: string;
  /** Its timeline could not be read at all (an event, or the procedure it refers to, damaged or gone). */
  timelineUnreadable?: boolean;
  events: StoredEvent[];
}

async function load(repo: CaseRepository, reference: string): Promise<CaseData> {
  let events: StoredEvent[];
  try {
    events = await repo.getEvents(reference);
  } catch (error) {
    if (!(error instanceof StoreError && error.code === 'corrupt')) throw error;
    return { reference, events: [], unreadable: error.message, timelineUnreadable: true };
  }
  try {
    const stored = await repo.getCase(reference);
    return { reference, events, ...(stored ? { stored } : {}) };
  } catch (error) {
    return { reference, events, unreadable: error instanceof Error ? error.message : String(error) };
  }
}

/** The stored state and record fields against the fold of the events. */
async function checkDerived(repo: CaseRepository, data: CaseData, out: AuditFinding[]): Promise<void> {
  const { reference, stored, events } = data;
  if (!stored || !events.length) return;
  let derived: CaseState | undefined;
  try {
    derived = replay(events.map((e) => e.event));
  } catch (error) {
    out.push({
      reference,
      kind: 'state-mismatch',
      problem: `its events do not make a case (${error instanceof Error ? error.message : String(error)})`,
    });
    return;
  }
  if (!derived) return;
  const differences = stateDifferences(stored.state, derived);
  if (differences.length)
    out.push({
      reference,
      kind: 'state-mismatch',
      problem: `the stored state is not what its events give: ${differences.join('; ')}`,
    });
  const fields = await repo.recordFields(reference);
  if (!fields) return;
  const dueAt = nextTimerAt(derived, calendarFor(derived.procedure));
  const people = [...new Set(derived.participants)].sort();
  const wrong = [
    fields.boardId !== derived.boardId
      ? `board (stored "${fields.boardId}", its events give "${derived.boardId}")`
      : '',
    fields.status !== derived.status ? `status (stored "${fields.status}", its events give "${derived.status}")` : '',
    fields.raisedAt !== derived.raisedAt ? 'time raised' : '',
    fields.version !== events.length ? `version (stored ${fields.version}, ${events.length} events)` : '',
    fields.dueAt !== dueAt
      ? `next deadline (stored ${fields.dueAt ?? 'none'}, its events give ${dueAt ?? 'none'}): the deadline sweeper would ${fields.dueAt === undefined ? 'never look at it' : 'look at it at the wrong time'}`
      : '',
    canonicalJson(fields.people) !== canonicalJson(people) ? 'the people listed as taking part' : '',
  ].filter(Boolean);
  if (wrong.length)
    out.push({
      reference,
      kind: 'record-mismatch',
      problem: `the case record's ${wrong.join('; ')} ${wrong.length === 1 ? 'does' : 'do'} not match its events`,
    });
}

/** The case's head against the anchor's newest checkpoint of it. */
function checkAgainstAnchor(
  data: CaseData,
  anchored: AnchoredCase | undefined,
  anchor: AnchorReading,
  atomic: boolean,
  out: { findings: AuditFinding[]; warnings: AuditFinding[] },
  idempotencyKey: string | undefined,
): void {
  const { reference, stored, events } = data;
  if (anchor.otherKey) return;
  const last = events[events.length - 1]?.seq ?? 0;
  if (!anchored) {
    const keyed = !out.findings.some((f) => f.reference === reference && f.kind === 'not-keyed');
    if (keyed && (stored || events.length))
      (atomic ? out.findings : out.warnings).push({
        reference,
        kind: 'not-anchored',
        problem: atomic
          ? 'the case is not in the store-wide anchor: it was written behind the bot’s back'
          : 'the case is not in the store-wide anchor yet (a write interrupted before its checkpoint, or checkpoints removed): run "audit anchor"',
      });
    return;
  }
  const at = `the anchor recorded it at version ${anchored.version} (checkpoint ${anchored.checkpoint})`;
  if (!stored && !events.length) {
    out.findings.push({ reference, kind: 'case-deleted', problem: `the case has been deleted: ${at}` });
    return;
  }
  if (last < anchored.version) {
    const consistent = stored?.version === last;
    out.findings.push({
      reference,
      seq: last + 1,
      kind: consistent ? 'rolled-back' : 'timeline-truncated',
      problem: consistent
        ? `the case has been rolled back to version ${last}: ${at}`
        : `its timeline has been cut short after event ${last}: ${at}`,
    });
    return;
  }
  if (events.find((e) => e.seq === anchored.version)?.hash !== anchored.lastHash) {
    out.findings.push({
      reference,
      seq: anchored.version,
      kind: 'rolled-back',
      problem: `event ${anchored.version} is not the one the anchor recorded: its history has been rewritten`,
    });
    return;
  }
  if (stored && stored.version > anchored.version)
    (atomic ? out.findings : out.warnings).push({
      reference,
      seq: anchored.version + 1,
      kind: 'not-anchored',
      problem: atomic
        ? `events ${anchored.version + 1} to ${stored.version} are not in the store-wide anchor: ${at}, and its later checkpoints are missing`
        : `events ${anchored.version + 1} to ${stored.version} are not in the store-wide anchor yet (a write interrupted before its checkpoint, or checkpoints removed): run "audit anchor"`,
    });
  const fingerprint = idempotencyKey === undefined ? undefined : idempotencyFingerprint(idempotencyKey);
  if (fingerprint !== anchored.idempotency)
    out.findings.push({
      reference,
      kind: 'idempotency-mismatch',
      problem:
        'its submission key (which stops a retried form making a second case) is not the one it was created with',
    });
}

async function checkDetails(
  repo: CaseRepository,
  vault: PersonalDataVault,
  data: CaseData,
  out: { findings: AuditFinding[]; warnings: AuditFinding[] },
): Promise<void> {
  const sealed = await repo.readPersonalDetails(data.reference);
  if (!sealed) return;
  if (data.stored?.state.personalDataErasedAt)
    out.warnings.push({
      reference: data.reference,
      kind: 'personal-details-altered',
      problem: 'the adult’s details are still stored though the timeline records their erasure: erase them again',
    });
  try {
    vault.open(data.reference, sealed);
  } catch (error) {
    const otherKey = error instanceof Error && /another key/.test(error.message);
    out.findings.push({
      reference: data.reference,
      kind: 'personal-details-altered',
      problem: otherKey
        ? 'the adult’s details were sealed with another key (check PERSONAL_DATA_KEY), or replaced'
        : 'the adult’s details have been altered or belong to another case',
    });
  }
}

/** Check every case (or one) and the anchor; every break is listed. */
export async function verifyStore(repo: CaseRepository, options: AuditOptions): Promise<AuditReport> {
  const checkpoints = await repo.readCheckpoints();
  const anchor = checkAnchor(options.key, checkpoints);
  const atomic = repo.anchoredWithEachWrite;
  const out = { findings: [...anchor.findings], warnings: [] as AuditFinding[] };
  const stored = options.reference ? [options.reference] : await repo.allReferences();
  const references = options.reference ? stored : [...new Set([...stored, ...anchor.cases.keys()])].sort();
  let events = 0;
  let keyed = 0;
  for (const reference of references) {
    const data = await load(repo, reference);
    if (data.timelineUnreadable) {
      // Named, and the rest of the store still checked.
      out.findings.push({
        reference,
        kind: 'case-unreadable',
        problem: data.unreadable ?? 'its timeline is unreadable',
      });
      continue;
    }
    events += data.events.length;
    const caseFindings = checkChain(options.key, data.stored, data.events, reference, !checkpoints.length).filter(
      (f) => !(data.unreadable && f.kind === 'case-missing'),
    );
    if (data.unreadable) caseFindings.unshift({ reference, kind: 'case-unreadable', problem: data.unreadable });
    if (!caseFindings.some((f) => f.kind === 'not-keyed') && data.events.length) keyed++;
    const anchored = anchor.cases.get(reference);
    if (anchored && !data.stored && !data.events.length && !data.unreadable) caseFindings.length = 0;
    out.findings.push(...caseFindings);
    await checkDerived(repo, data, out.findings);
    const fields = data.stored ? await repo.recordFields(reference) : undefined;
    checkAgainstAnchor(data, anchored, anchor, atomic, out, fields?.idempotencyKey);
    await checkDetails(repo, options.vault, data, out);
  }
  if (!options.reference && !anchor.otherKey) checkCount(stored.length, keyed, checkpoints.length, anchor, atomic, out);
  if (options.expectCheckpoint) checkExpected(options.expectCheckpoint, checkpoints, out.findings);
  return {
    checked: references.length,
    events,
    checkpoints: checkpoints.length,
    ...(anchor.latest ? { latest: { seq: anchor.latest.seq, seal: anchor.latest.seal, at: anchor.latest.at } } : {}),
    findings: out.findings,
    warnings: out.warnings,
  };
}

function checkCount(
  cases: number,
  keyed: number,
  checkpoints: number,
  anchor: AnchorReading,
  atomic: boolean,
  out: { findings: AuditFinding[]; warnings: AuditFinding[] },
): void {
  if (checkpoints === 0 && keyed > 0) {
    out.findings.push({
      reference: 'store',
      kind: 'anchor-missing-checkpoint',
      problem: 'the store-wide anchor is empty, though its cases are sealed with the audit key: it has been removed',
    });
    return;
  }
  if (checkpoints === 0 || cases === anchor.count) return;
  const problem = `the anchor counts ${anchor.count} case${anchor.count === 1 ? '' : 's'}, but ${cases} ${cases === 1 ? 'is' : 'are'} stored`;
  if (cases < anchor.count || atomic) out.findings.push({ reference: 'store', kind: 'case-count-mismatch', problem });
  else
    out.warnings.push({ reference: 'store', kind: 'case-count-mismatch', problem: `${problem}: run "audit anchor"` });
}

function checkExpected(
  expected: { seq: number; seal: string },
  checkpoints: readonly Checkpoint[],
  findings: AuditFinding[],
): void {
  const found = checkpoints.find((c) => c.seq === expected.seq);
  if (!found || !found.seal.startsWith(expected.seal.toLowerCase()))
    findings.push({
      reference: 'store',
      kind: 'anchor-missing-checkpoint',
      problem: `checkpoint ${expected.seq} sealed ${expected.seal}… (recorded outside the store) is ${found ? 'not the one stored' : 'not in the anchor'}: the anchor has been cut back or rewritten`,
    });
}
