/**
 * The tamper-evident timeline: each event carries a seal (HMAC-SHA-256 under the audit key, held
 * apart from the store) over the seal of the one before it, its place and its body. Without the
 * key nobody can re-seal an edited, forged or reordered event, so `audit verify` names where.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CaseEvent } from '../../domain/escalation';
import type { AuditFinding, StoredCase, StoredEvent } from './repository';

/** The hash before a case's first event. */
export const GENESIS = '0'.repeat(64);

/** The key that seals timelines and checkpoints: 32 bytes or more, never stored with the data. */
export class AuditKey {
  /** A short public name for the key (not the key), so a store sealed under another key is named. */
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new RangeError('an audit key is at least 32 bytes');
    this.keyId = this.seal('audit key id').slice(0, 16);
  }

  /** HMAC-SHA-256 of `text`, in hex. */
  seal(text: string): string {
    return createHmac('sha256', this.key).update(text, 'utf8').digest('hex');
  }

  /** Whether `seal` is the seal of `text` (compared in constant time). */
  sealed(text: string, seal: string): boolean {
    const expected = Buffer.from(this.seal(text), 'hex');
    const given = Buffer.from(/^[0-9a-f]{64}$/.test(seal) ? seal : '', 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/** A fixed key for local development only: never used when NODE_ENV is production. */
export const DEVELOPMENT_AUDIT_KEY = new AuditKey(
  createHash('sha256').update('safeguarding-escalation-bot local development audit key').digest(),
);

/**
 * JSON with object keys in sorted order, so the same event always hashes the same. Written out
 * by hand (no entry arrays, no closures): every write hashes its events and seals a checkpoint.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // A hole is left empty, as joining the mapped array did; undefined is null.
      if (!(i in value)) continue;
      const v: unknown = value[i];
      out += v === undefined ? 'null' : canonicalJson(v);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, as `<` does.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

function eventText(reference: string, seq: number, prevHash: string, event: CaseEvent): string {
  return `${prevHash}\n${reference}\n${seq}\n${canonicalJson(event)}`;
}

/** An event's seal under the audit key. */
export function eventHash(key: AuditKey, reference: string, seq: number, prevHash: string, event: CaseEvent): string {
  return key.seal(eventText(reference, seq, prevHash, event));
}

/** The hash the chain used before it had a key (plain SHA-256): anyone can compute it. */
export function unkeyedEventHash(reference: string, seq: number, prevHash: string, event: CaseEvent): string {
  return createHash('sha256')
    .update(eventText(reference, seq, prevHash, event))
    .digest('hex');
}

/** Link new events onto a chain whose last event is `afterSeq` with hash `prevHash`. */
export function chainEvents(
  key: AuditKey,
  reference: string,
  afterSeq: number,
  prevHash: string,
  events: readonly CaseEvent[],
): StoredEvent[] {
  const linked: StoredEvent[] = [];
  let prev = prevHash;
  events.forEach((event, i) => {
    const seq = afterSeq + i + 1;
    const hash = eventHash(key, reference, seq, prev, event);
    linked.push({ reference, seq, event, prevHash: prev, hash });
    prev = hash;
  });
  return linked;
}

/**
 * Every place a case's stored timeline does not hold together: each event in place, linked to the
 * one before, sealed under the key; the case record's version and last hash those of its last event.
 * In a store from before the key (`legacy`: it has no anchor), a case whose events were all hashed
 * without a key is one `not-keyed` finding; anywhere else an event hashed without it is forged.
 */
export function checkChain(
  key: AuditKey,
  stored: StoredCase | undefined,
  events: readonly StoredEvent[],
  reference: string,
  legacy = false,
): AuditFinding[] {
  const findings: AuditFinding[] = [];
  let prev = GENESIS;
  let expectedSeq = 1;
  const unkeyed: number[] = [];
  for (const e of events) {
    if (e.seq !== expectedSeq) {
      findings.push({
        reference,
        seq: expectedSeq,
        kind: 'event-missing',
        problem: `event ${expectedSeq} is missing (the next stored event is ${e.seq})`,
      });
      expectedSeq = e.seq;
    }
    if (e.prevHash !== prev)
      findings.push({
        reference,
        seq: e.seq,
        kind: 'chain-broken',
        problem: `event ${e.seq} does not follow event ${e.seq - 1}: the chain is broken`,
      });
    if (key.sealed(eventText(reference, e.seq, e.prevHash, e.event), e.hash)) {
      // sealed under the key: as recorded
    } else if (unkeyedEventHash(reference, e.seq, e.prevHash, e.event) === e.hash) {
      unkeyed.push(e.seq);
    } else {
      findings.push({
        reference,
        seq: e.seq,
        kind: 'event-edited',
        problem: `event ${e.seq} (${e.event.type}) has been changed since it was recorded`,
      });
    }
    prev = e.hash;
    expectedSeq++;
  }
  if (legacy && unkeyed.length && unkeyed.length === events.length) {
    findings.push({
      reference,
      kind: 'not-keyed',
      problem: `its ${events.length} events are hashed without the audit key: either recorded before it, or re-chained by someone who does not hold it. A store this version of the bot wrote is never like this: treat it as tampered unless it predates the key`,
    });
  } else {
    for (const seq of unkeyed)
      findings.push({
        reference,
        seq,
        kind: 'forged-event',
        problem: `event ${seq} is not sealed with the audit key: it was written by someone without the key`,
      });
  }
  if (!stored) {
    findings.push(
      events.length
        ? { reference, kind: 'case-missing', problem: 'the case record is missing, though its events remain' }
        : { reference, kind: 'case-missing', problem: 'there is no such case' },
    );
    return findings;
  }
  const last = events[events.length - 1]?.seq ?? 0;
  if (stored.version !== last) {
    findings.push({
      reference,
      seq: Math.min(stored.version, last) + 1,
      kind: stored.version > last ? 'timeline-truncated' : 'version-mismatch',
      problem:
        stored.version > last
          ? `the case is at version ${stored.version} but ${events.length} events are stored: event ${last + 1} onwards is missing`
          : `the case record says version ${stored.version} but ${last} events are stored`,
    });
  } else if (stored.lastHash !== prev) {
    findings.push({
      reference,
      seq: events.length,
      kind: 'head-mismatch',
      problem: `the last event (${events.length}) is not the one the case last recorded`,
    });
  }
  return findings;
}

/** The first place a case's stored timeline does not hold together, or undefined when it does. */
export function verifyChain(
  key: AuditKey,
  stored: StoredCase | undefined,
  events: readonly StoredEvent[],
  reference: string,
): AuditFinding | undefined {
  return checkChain(key, stored, events, reference)[0];
}
