/**
 * What SQLite keeps beside the cases: the threads each case is posted in and each person's
 * direct-message contact, the sweepers' leases and the claims that stop a request being handled
 * twice, and the adult's sealed details. Plain functions of the connection.
 */
import type Database from 'better-sqlite3';
import type { Contact, PersonalCard, SealedDetails, ThreadReference } from '../../app/store/repository';
import { statement } from './statements';

export function saveThread(db: Database.Database, caseReference: string, thread: ThreadReference): void {
  db.prepare(
    'INSERT INTO threads (reference, platform, agency_id, ref, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (reference, platform, agency_id) DO UPDATE SET ref = excluded.ref, updated_at = excluded.updated_at',
  ).run(caseReference, thread.platform, thread.agencyId, JSON.stringify(thread.reference), new Date().toISOString());
}

export function getThreads(db: Database.Database, caseReference: string): ThreadReference[] {
  return (
    statement(db, 'SELECT platform, agency_id, ref FROM threads WHERE reference = ? ORDER BY platform, agency_id').all(
      caseReference,
    ) as Array<{ platform: 'slack' | 'teams'; agency_id: string; ref: string }>
  ).map((r) => ({
    platform: r.platform,
    agencyId: r.agency_id,
    reference: JSON.parse(r.ref) as Record<string, unknown>,
  }));
}

export function saveContact(db: Database.Database, contact: Contact): void {
  db.prepare(
    'INSERT INTO contacts (person_id, platform, ref, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (person_id, platform) DO UPDATE SET ref = excluded.ref, updated_at = excluded.updated_at',
  ).run(contact.personId, contact.platform, JSON.stringify(contact.reference), contact.updatedAt);
}

export function getContact(
  db: Database.Database,
  personId: string,
  platform: Contact['platform'],
): Contact | undefined {
  const row = statement(db, 'SELECT ref, updated_at FROM contacts WHERE person_id = ? AND platform = ?').get(
    personId,
    platform,
  ) as { ref: string; updated_at: string } | undefined;
  return row
    ? { personId, platform, reference: JSON.parse(row.ref) as Record<string, unknown>, updatedAt: row.updated_at }
    : undefined;
}

export function claimLease(
  db: Database.Database,
  reference: string,
  owner: string,
  until: string,
  now: string,
): boolean {
  // Taken if nobody holds it, it has run out, or the owner already holds it (renewal).
  const changed = db
    .prepare(
      'INSERT INTO leases (reference, owner, until) VALUES (?, ?, ?) ON CONFLICT (reference) DO UPDATE SET owner = excluded.owner, until = excluded.until WHERE leases.until <= ? OR leases.owner = excluded.owner',
    )
    .run(reference, owner, until, now).changes;
  return changed === 1;
}

export function releaseLease(db: Database.Database, reference: string, owner: string): void {
  statement(db, 'DELETE FROM leases WHERE reference = ? AND owner = ?').run(reference, owner);
}

/** Claimed requests are kept 30 days, as Cosmos DB keeps them (its container's time-to-live). */
export const CLAIMS_KEPT_MS = 30 * 24 * 3600_000;
/** Every so many claims, those past CLAIMS_KEPT_MS are removed (a scan, so not on every claim). */
const PRUNE_EVERY = 1000;
const claimsSincePrune = new WeakMap<Database.Database, number>();

export function claimRequest(db: Database.Database, scope: string, key: string, at: string): boolean {
  const count = (claimsSincePrune.get(db) ?? 0) + 1;
  claimsSincePrune.set(db, count % PRUNE_EVERY);
  if (count >= PRUNE_EVERY) {
    const before = new Date(Date.parse(at) - CLAIMS_KEPT_MS).toISOString();
    statement(db, 'DELETE FROM requests WHERE claimed_at < ?').run(before);
  }
  return (
    statement(db, 'INSERT OR IGNORE INTO requests (scope, key, claimed_at) VALUES (?, ?, ?)').run(scope, key, at)
      .changes === 1
  );
}

export function savePersonalDetails(db: Database.Database, reference: string, sealed: SealedDetails): void {
  db.prepare(
    'INSERT INTO personal_details (reference, key_id, iv, tag, ciphertext) VALUES (?, ?, ?, ?, ?) ON CONFLICT (reference) DO UPDATE SET key_id = excluded.key_id, iv = excluded.iv, tag = excluded.tag, ciphertext = excluded.ciphertext',
  ).run(reference, sealed.keyId, sealed.iv, sealed.tag, sealed.ciphertext);
}

export function readPersonalDetails(db: Database.Database, reference: string): SealedDetails | undefined {
  const row = statement(
    db,
    'SELECT key_id AS keyId, iv, tag, ciphertext FROM personal_details WHERE reference = ?',
  ).get(reference) as SealedDetails | undefined;
  return row ? { keyId: row.keyId, iv: row.iv, tag: row.tag, ciphertext: row.ciphertext } : undefined;
}

export function erasePersonalDetails(db: Database.Database, reference: string): boolean {
  return statement(db, 'DELETE FROM personal_details WHERE reference = ?').run(reference).changes === 1;
}

export function personalDetailsNotUnder(
  db: Database.Database,
  keyId: string,
  limit: number,
  after: string | undefined,
): Array<{ reference: string; sealed: SealedDetails }> {
  const rows = statement(
    db,
    'SELECT reference, key_id AS keyId, iv, tag, ciphertext FROM personal_details WHERE key_id <> ? AND reference > ? ORDER BY reference LIMIT ?',
  ).all(keyId, after ?? '', Math.max(1, Math.floor(limit))) as Array<SealedDetails & { reference: string }>;
  return rows.map((r) => ({
    reference: r.reference,
    sealed: { keyId: r.keyId, iv: r.iv, tag: r.tag, ciphertext: r.ciphertext },
  }));
}

export function countPersonalDetails(db: Database.Database, keyId: string): { under: number; notUnder: number } {
  const row = statement(
    db,
    'SELECT COALESCE(SUM(key_id = ?), 0) AS under, COALESCE(SUM(key_id <> ?), 0) AS notUnder FROM personal_details',
  ).get(keyId, keyId) as { under: number; notUnder: number };
  return { under: row.under, notUnder: row.notUnder };
}

/** Compare-and-set in one statement: the row changes only while it is exactly what was read. */
export function resealPersonalDetails(
  db: Database.Database,
  reference: string,
  expected: SealedDetails,
  next: SealedDetails,
): boolean {
  return (
    statement(
      db,
      'UPDATE personal_details SET key_id = ?, iv = ?, tag = ?, ciphertext = ? WHERE reference = ? AND key_id = ? AND iv = ? AND tag = ? AND ciphertext = ?',
    ).run(
      next.keyId,
      next.iv,
      next.tag,
      next.ciphertext,
      reference,
      expected.keyId,
      expected.iv,
      expected.tag,
      expected.ciphertext,
    ).changes === 1
  );
}

export function savePersonalCard(db: Database.Database, caseReference: string, card: PersonalCard): void {
  statement(
    db,
    'INSERT INTO personal_cards (reference, platform, person_id, message, retired, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (reference, platform, person_id) DO UPDATE SET message = excluded.message, retired = excluded.retired, updated_at = excluded.updated_at',
  ).run(
    caseReference,
    card.platform,
    card.personId,
    JSON.stringify(card.message),
    JSON.stringify(card.retired),
    card.updatedAt,
  );
}

export function getPersonalCards(db: Database.Database, caseReference: string): PersonalCard[] {
  const rows = statement(
    db,
    'SELECT platform, person_id, message, retired, updated_at FROM personal_cards WHERE reference = ? ORDER BY platform, person_id',
  ).all(caseReference) as Array<{
    platform: PersonalCard['platform'];
    person_id: string;
    message: string;
    retired: string;
    updated_at: string;
  }>;
  return rows.map((r) => ({
    platform: r.platform,
    personId: r.person_id,
    message: JSON.parse(r.message) as Record<string, unknown>,
    retired: JSON.parse(r.retired) as Record<string, unknown>[],
    updatedAt: r.updated_at,
  }));
}
