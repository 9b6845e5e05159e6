/**
 * The tamper-evident timeline: each event carries the hash of the one before it, so an edited,
 * removed or reordered event breaks the chain and `audit verify` names where.
 */
import { createHash } from 'node:crypto';
import type { CaseEvent } from '../../domain/escalation';
import type { AuditFinding, StoredCase, StoredEvent } from './repository';

/** The hash before a case's first event. */
export const GENESIS = '0'.repeat(64);

/** JSON with object keys in sorted order, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function eventHash(reference: string, seq: number, prevHash: string, event: CaseEvent): string {
  return createHash('sha256')
    .update(`${prevHash}\n${reference}\n${seq}\n${canonicalJson(event)}`)
    .digest('hex');
}

/** Link new events onto a chain whose last event is `afterSeq` with hash `prevHash`. */
export function chainEvents(
  reference: string,
  afterSeq: number,
  prevHash: string,
  events: readonly CaseEvent[],
): StoredEvent[] {
  const linked: StoredEvent[] = [];
  let prev = prevHash;
  events.forEach((event, i) => {
    const seq = afterSeq + i + 1;
    const hash = eventHash(reference, seq, prev, event);
    linked.push({ reference, seq, event, prevHash: prev, hash });
    prev = hash;
  });
  return linked;
}

/** The first place a case's stored timeline does not hold together, or undefined when it does. */
export function verifyChain(
  stored: StoredCase | undefined,
  events: readonly StoredEvent[],
  reference: string,
): AuditFinding | undefined {
  let prev = GENESIS;
  let expectedSeq = 1;
  for (const e of events) {
    if (e.seq !== expectedSeq)
      return {
        reference,
        seq: expectedSeq,
        problem: `event ${expectedSeq} is missing (the next stored event is ${e.seq})`,
      };
    if (e.prevHash !== prev)
      return {
        reference,
        seq: e.seq,
        problem: `event ${e.seq} does not follow event ${e.seq - 1}: the chain is broken`,
      };
    if (eventHash(reference, e.seq, e.prevHash, e.event) !== e.hash)
      return {
        reference,
        seq: e.seq,
        problem: `event ${e.seq} (${e.event.type}) has been changed since it was recorded`,
      };
    prev = e.hash;
    expectedSeq++;
  }
  if (!stored)
    return {
      reference,
      problem: events.length ? 'the case record is missing, though its events remain' : 'there is no such case',
    };
  if (stored.version !== events.length) {
    return {
      reference,
      seq: events.length + 1,
      problem: `the case is at version ${stored.version} but ${events.length} events are stored: event ${events.length + 1} onwards is missing`,
    };
  }
  if (stored.lastHash !== prev)
    return {
      reference,
      seq: events.length,
      problem: `the last event (${events.length}) is not the one the case last recorded`,
    };
  return undefined;
}
