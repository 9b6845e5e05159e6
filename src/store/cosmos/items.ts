/** Reading and writing items in a container: the few operations the store is built from. */
import type { Container, ItemDefinition, OperationInput, SqlParameter } from '@azure/cosmos';
import { StoreError } from '../../app/store/repository';
import type { Stored } from './documents';
import { statusOf } from './errors';

/** Run one transactional batch; the status of the operation that failed it, if any. */
export async function runBatch(
  container: Container,
  reference: string,
  operations: OperationInput[],
): Promise<number | undefined> {
  let response;
  try {
    response = await container.items.batch(operations, reference);
  } catch (error) {
    const status = statusOf(error);
    if (status === 409 || status === 412) return status;
    throw error;
  }
  const results = response.result;
  if (!Array.isArray(results) || results.length !== operations.length) {
    throw new StoreError(
      'unavailable',
      `Azure Cosmos DB gave an unexpected answer while saving case ${reference}; try again.`,
      reference,
    );
  }
  const failed = results.find((r) => r.statusCode >= 400 && r.statusCode !== 424);
  if (failed) return failed.statusCode;
  if (results.some((r) => r.statusCode >= 400)) return 424;
  return undefined;
}

export async function readItem<T extends object>(
  container: Container,
  id: string,
  partitionKey: string,
): Promise<Stored<T> | undefined> {
  try {
    const response = await container.item(id, partitionKey).read<ItemDefinition>();
    if (response.statusCode === 404 || !response.resource) return undefined;
    return response.resource as unknown as Stored<T>;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** Create a document; false if one with its id is already there. */
export async function createUnlessExists(container: Container, doc: ItemDefinition): Promise<boolean> {
  try {
    await container.items.create(doc);
    return true;
  } catch (error) {
    if (statusOf(error) === 409) return false;
    throw error;
  }
}

/** Replace a document if its ETag is still `etag`; false if it changed or went. */
export async function replaceIfUnchanged(
  container: Container,
  doc: ItemDefinition & { caseRef: string },
  etag: string | undefined,
): Promise<boolean> {
  try {
    await container
      .item(doc.id as string, doc.caseRef)
      .replace(doc, etag ? { accessCondition: { type: 'IfMatch', condition: etag } } : {});
    return true;
  } catch (error) {
    const status = statusOf(error);
    if (status === 412 || status === 404 || status === 409) return false;
    throw error;
  }
}

export async function queryItems<T>(
  container: Container,
  query: string,
  parameters: SqlParameter[],
  partitionKey?: string,
): Promise<T[]> {
  const { resources } = await container.items
    .query<T>({ query, parameters }, partitionKey === undefined ? {} : { partitionKey })
    .fetchAll();
  return resources;
}
