/**
 * What Cosmos DB keeps beside the cases: the threads each case is posted in (in the case's
 * partition) and each person's direct-message contact (a partition of their own), the sweepers'
 * leases, the claims that stop a request being handled twice (`requests`), and the adult's sealed
 * details (`personal`). Plain functions of the container they live in.
 */
import type { Container } from '@azure/cosmos';
import type { Contact, PersonalCard, SealedDetails, ThreadReference } from '../../app/store/repository';
import { corrupt } from '../stored-case';
import { idPart } from './documents';
import type { ThreadDocument } from './documents';
import { guard, statusOf } from './errors';
import { createUnlessExists, queryItems, readItem, replaceIfUnchanged } from './items';

/** A person's contacts live in a small partition of their own in the cases container. */
const contactPartition = (personId: string): string => `contact:${idPart(personId, false)}`;

export async function saveThread(cases: Container, caseReference: string, thread: ThreadReference): Promise<void> {
  const doc: ThreadDocument = {
    id: `thread:${thread.platform}:${idPart(thread.agencyId, true)}`,
    caseRef: caseReference,
    type: 'thread',
    platform: thread.platform,
    agencyId: thread.agencyId,
    reference: thread.reference,
  };
  await guard(() => cases.items.upsert(doc), caseReference);
}

export async function getThreads(cases: Container, caseReference: string): Promise<ThreadReference[]> {
  return guard(async () => {
    const docs = await queryItems<ThreadDocument>(
      cases,
      "SELECT * FROM c WHERE c.caseRef = @ref AND c.type = 'thread'",
      [{ name: '@ref', value: caseReference }],
      caseReference,
    );
    return docs
      .map((d) => ({ platform: d.platform, agencyId: d.agencyId, reference: d.reference }))
      .sort((a, b) => (a.platform === b.platform ? compare(a.agencyId, b.agencyId) : compare(a.platform, b.platform)));
  }, caseReference);
}

/** A person's own card of a case, in the case's partition. */
interface PersonalCardDocument extends PersonalCard {
  id: string;
  caseRef: string;
  type: 'personal-card';
}

export async function savePersonalCard(cases: Container, caseReference: string, card: PersonalCard): Promise<void> {
  const doc: PersonalCardDocument = {
    id: `card:${card.platform}:${idPart(card.personId, true)}`,
    caseRef: caseReference,
    type: 'personal-card',
    ...card,
  };
  await guard(() => cases.items.upsert(doc), caseReference);
}

export async function getPersonalCards(cases: Container, caseReference: string): Promise<PersonalCard[]> {
  return guard(async () => {
    const docs = await queryItems<PersonalCardDocument>(
      cases,
      "SELECT * FROM c WHERE c.caseRef = @ref AND c.type = 'personal-card'",
      [{ name: '@ref', value: caseReference }],
      caseReference,
    );
    return docs
      .map((d) => ({
        platform: d.platform,
        personId: d.personId,
        message: d.message,
        retired: d.retired ?? [],
        updatedAt: d.updatedAt,
      }))
      .sort((a, b) => (a.platform === b.platform ? compare(a.personId, b.personId) : compare(a.platform, b.platform)));
  }, caseReference);
}

export async function saveContact(cases: Container, contact: Contact): Promise<void> {
  const partition = contactPartition(contact.personId);
  const doc = {
    id: `contact:${contact.platform}`,
    caseRef: partition,
    type: 'contact',
    personId: contact.personId,
    platform: contact.platform,
    reference: contact.reference,
    updatedAt: contact.updatedAt,
  };
  await guard(() => cases.items.upsert(doc));
}

export async function getContact(
  cases: Container,
  personId: string,
  platform: Contact['platform'],
): Promise<Contact | undefined> {
  return guard(async () => {
    const doc = await readItem<Contact>(cases, `contact:${platform}`, contactPartition(personId));
    return doc ? { personId, platform, reference: doc.reference, updatedAt: doc.updatedAt } : undefined;
  });
}

/**
 * A sweeper's lease on a case: a small document in the case's partition (`lease`), created, or
 * replaced on the condition of its ETag when it has run out or is the owner's own; so two
 * sweepers can never both hold it.
 */
export async function claimLease(
  cases: Container,
  reference: string,
  owner: string,
  until: string,
  now: string,
): Promise<boolean> {
  return guard(async () => {
    const doc = { id: 'lease', caseRef: reference, type: 'lease', owner, until };
    const held = await readItem<{ owner: string; until: string }>(cases, 'lease', reference);
    if (!held) return createUnlessExists(cases, doc);
    if (held.until > now && held.owner !== owner) return false;
    return replaceIfUnchanged(cases, doc, held._etag);
  }, reference);
}

export async function releaseLease(cases: Container, reference: string, owner: string): Promise<void> {
  await guard(async () => {
    const held = await readItem<{ owner: string }>(cases, 'lease', reference);
    if (!held || held.owner !== owner) return;
    try {
      await cases
        .item('lease', reference)
        .delete({ accessCondition: { type: 'IfMatch', condition: held._etag ?? '' } });
    } catch (error) {
      const status = statusOf(error);
      if (status !== 404 && status !== 412) throw error;
    }
  }, reference);
}

export async function claimRequest(requests: Container, scope: string, key: string, at: string): Promise<boolean> {
  const id = `${idPart(scope, false)}:${idPart(key, true)}`;
  return guard(() => createUnlessExists(requests, { id, scope, key, claimedAt: at }));
}

export async function savePersonalDetails(
  personal: Container,
  reference: string,
  sealed: SealedDetails,
): Promise<void> {
  const doc = {
    id: reference,
    caseRef: reference,
    keyId: sealed.keyId,
    iv: sealed.iv,
    tag: sealed.tag,
    ciphertext: sealed.ciphertext,
  };
  await guard(() => personal.items.upsert(doc), reference);
}

export async function readPersonalDetails(personal: Container, reference: string): Promise<SealedDetails | undefined> {
  return guard(async () => {
    const doc = await readItem<SealedDetails>(personal, reference, reference);
    if (!doc) return undefined;
    if (
      typeof doc.keyId !== 'string' ||
      typeof doc.iv !== 'string' ||
      typeof doc.tag !== 'string' ||
      typeof doc.ciphertext !== 'string'
    ) {
      throw corrupt(reference, 'its sealed personal details are malformed');
    }
    return { keyId: doc.keyId, iv: doc.iv, tag: doc.tag, ciphertext: doc.ciphertext };
  }, reference);
}

export async function erasePersonalDetails(personal: Container, reference: string): Promise<boolean> {
  return guard(async () => {
    try {
      await personal.item(reference, reference).delete();
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }, reference);
}

export async function personalDetailsNotUnder(
  personal: Container,
  keyId: string,
  limit: number,
  after: string | undefined,
): Promise<Array<{ reference: string; sealed: SealedDetails }>> {
  return guard(async () => {
    const docs = await queryItems<SealedDetails & { caseRef: string }>(
      personal,
      'SELECT TOP @n c.caseRef, c.keyId, c.iv, c.tag, c.ciphertext FROM c WHERE c.keyId != @key AND c.caseRef > @after ORDER BY c.caseRef ASC',
      [
        { name: '@n', value: Math.max(1, Math.floor(limit)) },
        { name: '@key', value: keyId },
        { name: '@after', value: after ?? '' },
      ],
    );
    return docs
      .filter((d) => typeof d.caseRef === 'string')
      .map((d) => ({
        reference: d.caseRef,
        sealed: { keyId: d.keyId, iv: d.iv, tag: d.tag, ciphertext: d.ciphertext },
      }));
  });
}

export async function countPersonalDetails(
  personal: Container,
  keyId: string,
): Promise<{ under: number; notUnder: number }> {
  return guard(async () => {
    const count = async (condition: string): Promise<number> =>
      (
        await queryItems<number>(personal, `SELECT VALUE COUNT(1) FROM c WHERE ${condition}`, [
          { name: '@key', value: keyId },
        ])
      ).reduce((sum, n) => sum + n, 0);
    const [under, notUnder] = await Promise.all([count('c.keyId = @key'), count('c.keyId != @key')]);
    return { under, notUnder };
  });
}

/** Compare-and-set: the document is replaced only under the ETag it had when it matched `expected`. */
export async function resealPersonalDetails(
  personal: Container,
  reference: string,
  expected: SealedDetails,
  next: SealedDetails,
): Promise<boolean> {
  return guard(async () => {
    const doc = await readItem<SealedDetails & { caseRef: string }>(personal, reference, reference);
    if (
      !doc ||
      doc.keyId !== expected.keyId ||
      doc.iv !== expected.iv ||
      doc.tag !== expected.tag ||
      doc.ciphertext !== expected.ciphertext
    )
      return false;
    return replaceIfUnchanged(
      personal,
      {
        id: reference,
        caseRef: reference,
        keyId: next.keyId,
        iv: next.iv,
        tag: next.tag,
        ciphertext: next.ciphertext,
      },
      doc._etag,
    );
  }, reference);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
