/**
 * The deadline sweeper's batch work in Azure Cosmos DB: due cases claimed (one cross-partition
 * query for the case documents, then each lease taken on its own ETag condition), and a batch of
 * appends written as one transactional batch per case partition, a few cases at a time, each
 * conditional on its version, so that a conflict on one leaves the others written.
 */
import type { Container } from '@azure/cosmos';
import {
  StoreError,
  type Append,
  type AppendOutcome,
  type LeaseRelease,
  type StoredCase,
} from '../../app/store/repository';
import { appendEvents, type CaseWriter } from './case-writes';
import { toStored, type CaseDocument } from './documents';
import { guard } from './errors';
import { queryItems } from './items';
import { proceduresOf } from './procedures';
import { claimLease, releaseLease } from './side-records';

/** Cases written (or leases taken) at once: each is its own partition's round trip. */
const AT_ONCE = 8;

/** Run `work` over `items`, at most AT_ONCE at a time, keeping their order in the answers. */
async function bounded<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) out[i] = await work(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, items.length) }, worker));
  return out;
}

export async function claimDueCases(
  cases: Container,
  now: string,
  owner: string,
  until: string,
  limit: number,
): Promise<StoredCase[]> {
  if (!(limit > 0)) return [];
  const want = Math.floor(limit);
  const claimed: StoredCase[] = [];
  const tried = new Set<string>();
  // Cases another sweeper holds come up in the query too (a lease is a document of its own):
  // look further, twice as far each time, until enough are claimed or none are left due.
  for (let page = want; claimed.length < want; page *= 2) {
    const docs = await guard(() =>
      queryItems<CaseDocument>(
        cases,
        "SELECT TOP @n * FROM c WHERE c.type = 'case' AND IS_STRING(c.dueAt) AND c.dueAt <= @at ORDER BY c.dueAt ASC, c.id ASC",
        [
          { name: '@n', value: page },
          { name: '@at', value: now },
        ],
      ),
    );
    const fresh = docs.filter((d) => !tried.has(String(d.reference ?? d.id)));
    for (let i = 0; i < fresh.length && claimed.length < want;) {
      const chunk = fresh.slice(i, i + want - claimed.length);
      i += chunk.length;
      const got = await bounded(chunk, async (doc) => {
        const reference = String(doc.reference ?? doc.id);
        tried.add(reference);
        // A case whose stored document is malformed is left alone (audit verify names it), not claimed.
        let stored: StoredCase;
        try {
          stored = await toStored(proceduresOf(cases), reference, doc);
        } catch {
          return undefined;
        }
        return (await claimLease(cases, reference, owner, until, now)) ? stored : undefined;
      });
      claimed.push(...got.filter((c): c is StoredCase => c !== undefined));
    }
    if (docs.length < page) break;
  }
  return claimed;
}

export async function appendMany(
  writer: CaseWriter,
  appends: readonly Append[],
  release?: LeaseRelease,
): Promise<AppendOutcome[]> {
  const out = await bounded(appends, async (input): Promise<AppendOutcome> => {
    try {
      return { reference: input.reference, stored: await appendEvents(writer, input) };
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      return { reference: input.reference, error };
    }
  });
  // The leases go back after the writes (another partition's document each): one left behind runs out.
  if (release)
    await bounded(release.references, (reference) =>
      releaseLease(writer.cases, reference, release.owner).catch(() => undefined),
    );
  return out;
}
