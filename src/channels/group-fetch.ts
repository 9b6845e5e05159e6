/**
 * The one way the group sources (Slack user groups, Entra ID groups) call out: bounded in time,
 * never following a redirect, every failure a GroupFetchError in words for the log.
 */
import { GroupFetchError } from '../app/directory/group-sources';

/** The most a rate limit's Retry-After is waited out (a longer one fails the read; the next round tries again). */
const LONGEST_WAIT_S = 30;
/** How many times one call is tried again after a rate limit (429). */
const RATE_LIMIT_RETRIES = 3;

/** Wait `ms`, or less if `signal` aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * A fetch that ends: answered within `timeoutMs`, or aborted with `signal`, whichever is first.
 * A rate limit (429) is waited out as its Retry-After says (up to 30 seconds, three times), as
 * Slack and Microsoft Graph ask; any failure to reach the service becomes a GroupFetchError
 * naming `what`. The answer may still be a 429 (the caller says so).
 */
export async function boundedFetch(
  what: string,
  url: string,
  init: RequestInit,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetchOnce(what, url, init, signal, timeoutMs);
    if (res.status !== 429 || attempt >= RATE_LIMIT_RETRIES) return res;
    const wait = Number(res.headers.get('retry-after') ?? '1');
    if (!Number.isFinite(wait) || wait > LONGEST_WAIT_S) return res;
    await res.body?.cancel();
    await pause(Math.max(0, wait) * 1000, signal);
    if (signal.aborted) throw new GroupFetchError(`${what}: stopped`);
  }
}

async function fetchOnce(
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
