/**
 * Slack installations in Cosmos DB: a container of their own (`slackInstallations`, partitioned by
 * id, one small document per workspace), the ids in clear and the installation (tokens) sealed by
 * the caller.
 */
import type { Container, Database } from '@azure/cosmos';
import type { InstallationKey, SealedInstallation, SlackInstallationRecord } from '../../app/store/slack-installations';
import { guard, statusOf } from './errors';
import { queryItems, readItem } from './items';

export const SLACK_INSTALLATIONS_CONTAINER = 'slackInstallations';

interface InstallationDocument {
  id: string;
  teamId?: string;
  enterpriseId?: string;
  installedAt: string;
  updatedAt: string;
  sealed: SealedInstallation;
}

/** Cosmos DB ids may not hold / \ ? #: the key's characters (letters, digits, : and -) are kept as they are. */
const idOf = (key: InstallationKey): string => key.replace(/[/\\?#]/g, '_');

function fromDocument(doc: InstallationDocument, key: InstallationKey): SlackInstallationRecord {
  return {
    key,
    ...(doc.teamId ? { teamId: doc.teamId } : {}),
    ...(doc.enterpriseId ? { enterpriseId: doc.enterpriseId } : {}),
    installedAt: doc.installedAt,
    updatedAt: doc.updatedAt,
    sealed: doc.sealed,
  };
}

/** The container, made the first time it is needed (a failure is tried again next time). */
export function slackInstallationsContainer(database: Database): () => Promise<Container> {
  let made: Promise<Container> | undefined;
  return () => {
    made ??= database.containers
      .createIfNotExists({ id: SLACK_INSTALLATIONS_CONTAINER, partitionKey: { paths: ['/id'] } })
      .then((r) => r.container);
    made.catch(() => {
      made = undefined;
    });
    return made;
  };
}

export async function saveSlackInstallation(container: Container, record: SlackInstallationRecord): Promise<void> {
  await guard(async () => {
    const id = idOf(record.key);
    const before = await readItem<InstallationDocument>(container, id, id);
    const doc: InstallationDocument & { installationKey: string } = {
      id,
      installationKey: record.key,
      ...(record.teamId ? { teamId: record.teamId } : {}),
      ...(record.enterpriseId ? { enterpriseId: record.enterpriseId } : {}),
      installedAt: before?.installedAt ?? record.installedAt,
      updatedAt: record.updatedAt,
      sealed: record.sealed,
    };
    await container.items.upsert(doc);
  });
}

export async function getSlackInstallation(
  container: Container,
  key: InstallationKey,
): Promise<SlackInstallationRecord | undefined> {
  return guard(async () => {
    const doc = await readItem<InstallationDocument>(container, idOf(key), idOf(key));
    return doc ? fromDocument(doc, key) : undefined;
  });
}

export async function deleteSlackInstallation(container: Container, key: InstallationKey): Promise<boolean> {
  return guard(async () => {
    try {
      await container.item(idOf(key), idOf(key)).delete();
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  });
}

export async function listSlackInstallations(
  container: Container,
): Promise<Array<Omit<SlackInstallationRecord, 'sealed'>>> {
  return guard(async () => {
    const docs = await queryItems<InstallationDocument & { installationKey: InstallationKey }>(
      container,
      'SELECT c.id, c.installationKey, c.teamId, c.enterpriseId, c.installedAt, c.updatedAt FROM c',
      [],
    );
    return docs
      .map((d) => {
        const { sealed: _sealed, ...rest } = fromDocument(
          { ...d, sealed: {} as SealedInstallation },
          d.installationKey,
        );
        return rest;
      })
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  });
}
