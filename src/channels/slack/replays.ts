/**
 * Which signed Slack requests were seen already, so that a replay inside Slack's five-minute
 * window is acknowledged and ignored. The store's record is shared by every replica; this
 * replica also remembers the last few minutes itself, so that while the store is busy a request
 * is still checked (here) and then answered by its handler in words, not refused outright.
 */
import { StoreError } from '../../app/store/repository';

/** Longer than the window Slack's timestamps are accepted in (five minutes, and a minute ahead). */
const REMEMBER_MS = 7 * 60_000;
const MAX_REMEMBERED = 20_000;

export function signatureClaims(
  claimInStore: (signature: string, at: string) => Promise<boolean>,
): (signature: string, at: string) => Promise<boolean> {
  const seen = new Map<string, number>();
  return async (signature, at) => {
    const now = Date.parse(at);
    // Oldest first (a Map keeps insertion order): forget what is past the window, or over the bound.
    for (const [s, when] of seen) {
      if (now - when <= REMEMBER_MS && seen.size < MAX_REMEMBERED) break;
      seen.delete(s);
    }
    if (seen.has(signature)) return false;
    seen.set(signature, now);
    try {
      return await claimInStore(signature, at);
    } catch (error) {
      if (error instanceof StoreError && error.code === 'unavailable') return true;
      throw error;
    }
  };
}
