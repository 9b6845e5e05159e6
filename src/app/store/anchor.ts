/**
 * The store-wide anchor: a chain of signed checkpoints, one per case write, each naming the case's
 * new head (version and last event's hash) and the number of cases, sealed under the audit key
 * and chained to the checkpoint before. Kept where the app can append but not rewrite (SQLite: a
 * table whose triggers refuse updates and deletes; Cosmos DB: a container of its own). Against
 * it, `audit verify` sees a case deleted, a timeline cut short or rolled back, and an edited or
 * removed checkpoint (see `checkAnchor`).
 */
import { createHash } from 'node:crypto';
import { canonicalJson, GENESIS, type AuditKey } from './chain';
import type { AuditFinding, Checkpoint } from './repository';

/** What a write tells the anchor. */
export interface Head {
  reference: string;
  version: number;
  lastHash: string;
  at: string;
  /** This write created the case. */
  created: boolean;
  idempotencyKey?: string;
}

export function idempotencyFingerprint(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function checkpointText(c: Omit<Checkpoint, 'seal'>): string {
  return canonicalJson({
    seq: c.seq,
    at: c.at,
    reference: c.reference,
    version: c.version,
    lastHash: c.lastHash,
    cases: c.cases,
    idempotency: c.idempotency,
    keyId: c.keyId,
    prev: c.prev,
  });
}

/** The checkpoint that follows `previous` for a write that left a case at `head`. */
export function nextCheckpoint(key: AuditKey, previous: Checkpoint | undefined, head: Head): Checkpoint {
  const unsealed: Omit<Checkpoint, 'seal'> = {
    seq: (previous?.seq ?? 0) + 1,
    at: head.at,
    reference: head.reference,
    version: head.version,
    lastHash: head.lastHash,
    cases: (previous?.cases ?? 0) + (head.created ? 1 : 0),
    ...(head.created && head.idempotencyKey !== undefined
      ? { idempotency: idempotencyFingerprint(head.idempotencyKey) }
      : {}),
    keyId: key.keyId,
    prev: previous?.seal ?? GENESIS,
  };
  return { ...unsealed, seal: key.seal(checkpointText(unsealed)) };
}

/** What the anchor says about a case: its newest head, and how it was created. */
export interface AnchoredCase {
  version: number;
  lastHash: string;
  /** The checkpoint that records that head. */
  checkpoint: number;
  idempotency?: string;
}

export interface AnchorReading {
  findings: AuditFinding[];
  cases: Map<string, AnchoredCase>;
  /** The case count of the newest checkpoint (0 when there is none). */
  count: number;
  latest?: Checkpoint;
  /** Set when the checkpoints were sealed under another key: nothing else can be checked. */
  otherKey?: string;
}

const broken = (problem: string, kind: AuditFinding['kind'] = 'anchor-broken'): AuditFinding => ({
  reference: 'store',
  kind,
  problem,
});

/** Check the chain of checkpoints and fold it into each case's newest anchored head. */
export function checkAnchor(key: AuditKey, checkpoints: readonly Checkpoint[]): AnchorReading {
  const reading: AnchorReading = { findings: [], cases: new Map(), count: 0 };
  const foreign = checkpoints.find((c) => c.keyId !== key.keyId);
  if (foreign && checkpoints.every((c) => c.keyId === foreign.keyId)) {
    reading.otherKey = foreign.keyId;
    reading.findings.push(
      broken(
        `the store was sealed with another audit key (key ${foreign.keyId}; the configured AUDIT_KEY is key ${key.keyId}): check AUDIT_KEY before anything else`,
        'wrong-audit-key',
      ),
    );
    return reading;
  }
  let prev = GENESIS;
  let expected = 1;
  for (const c of checkpoints) {
    if (c.seq !== expected)
      reading.findings.push(
        broken(
          `checkpoint ${expected}${c.seq > expected + 1 ? ` to ${c.seq - 1}` : ''} of the anchor ${c.seq > expected + 1 ? 'are' : 'is'} missing`,
          'anchor-missing-checkpoint',
        ),
      );
    else if (c.prev !== prev)
      reading.findings.push(broken(`checkpoint ${c.seq} does not follow checkpoint ${c.seq - 1}`));
    const { seal, ...unsealed } = c;
    if (!key.sealed(checkpointText(unsealed), seal)) {
      reading.findings.push(broken(`checkpoint ${c.seq} (case ${c.reference}) has been changed since it was written`));
    } else {
      const before = reading.cases.get(c.reference);
      reading.cases.set(c.reference, {
        version: c.version,
        lastHash: c.lastHash,
        checkpoint: c.seq,
        ...((before?.idempotency ?? c.idempotency) ? { idempotency: before?.idempotency ?? c.idempotency } : {}),
      });
      reading.count = c.cases;
      reading.latest = c;
    }
    prev = c.seal;
    expected = c.seq + 1;
  }
  return reading;
}
