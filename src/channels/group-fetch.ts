/**
 * The one way the group sources (Slack user groups, Entra ID groups) call out: bounded in time,
 * never following a redirect, every failure a GroupFetchError in words for the log.
 */
import { GroupFetchError } from '../app/directory/group-sources';

/**
 * A fetch that ends: answered within `timeoutMs`, or aborted with `signal`, whichever is first.
 * Any failure to reach the service becomes a GroupFetchError naming `what`.
 */
export async function boundedFetch(
  what: string,
  url: string,
  init: RequestInit,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Response> {
  const bound = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  try {
    return await fetch(url, { ...init, signal: bound, redirect: 'error' });
  } catch (error) {
    if (signal.aborted) throw new GroupFetchError(`${what}: stopped`);
    if (bound.aborted) throw new GroupFetchError(`${what}: no answer within ${Math.round(timeoutMs / 1000)} seconds`);
    throw new GroupFetchError(
      `${what}: could not be reached (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/** The body of `res` as JSON, or a GroupFetchError saying it was not. */
export async function jsonOf(what: string, res: Response): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new GroupFetchError(`${what}: answered ${res.status} with something that is not JSON`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new GroupFetchError(`${what}: answered ${res.status} with an unexpected body`);
  return body as Record<string, unknown>;
}
