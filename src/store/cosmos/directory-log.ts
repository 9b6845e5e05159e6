/**
 * The directory's history in Azure Cosmos DB: container `directory`, partition key `/log` (one
 * partition, `directory`), one document per change with `id` = its number, nine digits. The
 * next number is one more than the highest stored; two replicas racing for it both try to
 * create the same id, the second gets 409 and tries the number after. So the numbers have no
 * gaps, and a replica reading "after n" never skips an entry that is written later.
 */
import type { Container, Database } from '@azure/cosmos';
import { DIRECTORY_PAGE, type NewDirectoryEntry } from '../../app/store/directory-log';
import { StoreError } from '../../app/store/repository';
import type { DirectoryChange, DirectoryEntry } from '../../domain/directory';
import { createUnlessExists, queryItems } from './items';

const LOG = 'directory';
const ATTEMPTS = 20;

export async function openDirectoryContainer(database: Database, id = 'directory'): Promise<Container> {
  const { container } = await database.containers.createIfNotExists({ id, partitionKey: { paths: ['/log'] } });
  return container;
}

interface DirectoryDocument {
  id: string;
  log: string;
  seq: number;
  at: string;
  by: string;
  kind: string;
  change: DirectoryChange;
}

async function lastSeq(container: Container): Promise<number> {
  const rows = await queryItems<number>(
    container,
    'SELECT VALUE MAX(c.seq) FROM c WHERE c.log = @log',
    [{ name: '@log', value: LOG }],
    LOG,
  );
  return typeof rows[0] === 'number' ? rows[0] : 0;
}

export async function appendDirectoryChange(container: Container, entry: NewDirectoryEntry): Promise<DirectoryEntry> {
  let seq = (await lastSeq(container)) + 1;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++, seq++) {
    const doc: DirectoryDocument = {
      id: String(seq).padStart(9, '0'),
      log: LOG,
      seq,
      at: entry.at,
      by: entry.by,
      kind: entry.change.kind,
      change: entry.change,
    };
    if (await createUnlessExists(container, doc)) return { seq, ...entry };
    if (attempt % 5 === 4) seq = await lastSeq(container);
  }
  throw new StoreError('unavailable', 'The directory is being changed by many people at once just now; try again.');
}

export async function directoryChanges(
  container: Container,
  afterSeq: number,
  limit = DIRECTORY_PAGE,
): Promise<DirectoryEntry[]> {
  const rows = await queryItems<DirectoryDocument>(
    container,
    'SELECT TOP @n * FROM c WHERE c.log = @log AND c.seq > @after ORDER BY c.seq',
    [
      { name: '@n', value: Math.max(1, Math.min(limit, 10_000)) },
      { name: '@log', value: LOG },
      { name: '@after', value: afterSeq },
    ],
    LOG,
  );
  return rows.map((r) => ({ seq: r.seq, at: r.at, by: r.by, change: r.change }));
}
