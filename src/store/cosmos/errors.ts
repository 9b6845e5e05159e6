/** Cosmos DB's and the network's failures, turned into the store's errors. */
import { StoreError } from '../../app/store/repository';

/** Run store work, turning whatever Cosmos DB or the network throws into a StoreError. */
export async function guard<T>(work: () => Promise<T>, reference?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translate(error, reference);
  }
}

export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code =
    (error as { code?: unknown; statusCode?: unknown }).code ?? (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}

export function refused(status: number, reference: string): StoreError {
  if (status === 413)
    return new StoreError(
      'storage-full',
      `Case ${reference} has grown too large to store in one Cosmos DB document; nothing was saved.`,
      reference,
    );
  return new StoreError(
    'unavailable',
    `Azure Cosmos DB refused to save case ${reference} (status ${status}); nothing was saved. Try again, and tell an administrator if it keeps happening.`,
    reference,
  );
}

/** Cosmos DB's and the network's failures, in words a person can act on. */
export function translate(error: unknown, reference?: string): Error {
  if (error instanceof StoreError) return error;
  const status = statusOf(error);
  const substatus =
    typeof error === 'object' && error !== null ? (error as { substatus?: unknown }).substatus : undefined;
  const options = { cause: error };
  if (status === 403 && substatus === 1008) {
    return new StoreError(
      'storage-full',
      'The Azure Cosmos DB account has run out of storage. Nothing was saved and nothing stored was lost; an administrator needs to add capacity.',
      reference,
      options,
    );
  }
  if (status === 429) {
    return new StoreError(
      'unavailable',
      'Azure Cosmos DB is busy (request rate too large); nothing was saved. Try again in a moment.',
      reference,
      options,
    );
  }
  if (status === 401 || status === 403) {
    return new StoreError(
      'unavailable',
      'Azure Cosmos DB refused the credentials it was given; nothing was saved. An administrator should check the endpoint and key.',
      reference,
      options,
    );
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408) {
    return new StoreError(
      'unavailable',
      `Azure Cosmos DB refused the request (status ${status}); nothing was saved.`,
      reference,
      options,
    );
  }
  if (status !== undefined || isNetworkFailure(error)) {
    return new StoreError(
      'unavailable',
      'Azure Cosmos DB could not be reached or did not answer in time. Nothing was saved; try again in a moment.',
      reference,
      options,
    );
  }
  // Anything else is a fault in this program, not in the store: leave it as it is.
  return error instanceof Error ? error : new Error(String(error));
}

function isNetworkFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError' || name === 'RestError' || name === 'FetchError') return true;
  if (typeof code === 'string' && /^(E[A-Z]+|REQUEST_SEND_ERROR|UND_ERR_.*)$/.test(code)) return true;
  // The SDK rewraps a failed transactional batch request as a plain Error with this prefix.
  if (typeof message === 'string' && message.startsWith('Batch request error')) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isNetworkFailure(cause);
}
