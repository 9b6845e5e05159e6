/**
 * The delivery worker's pacing and order: messages into one conversation go in the order they
 * were owed, no faster than each platform allows into one conversation, and not at all while a
 * platform has asked this replica to wait (a 429's Retry-After).
 */
import type { Platform } from '../domain/directory';
import type { OutboxItem } from './store/outbox';
import type { CaseRepository } from './store/repository';

/** Messages per second each platform allows into one conversation, and the burst it tolerates. */
const RATE: Record<Platform, { perSecond: number; burst: number }> = {
  slack: { perSecond: 1, burst: 4 },
  teams: { perSecond: 7, burst: 7 },
};

/** How soon an item waiting behind one that a worker holds looks again. */
const LOOK_AGAIN_MS = 1000;

/** Per-conversation token buckets, and each platform's pause, for one replica. */
export class Pacing {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Until when each platform asked this replica not to call it (its rate limit's Retry-After). */
  private readonly paused = new Map<Platform, number>();

  pausedUntil(platform: Platform): number {
    return this.paused.get(platform) ?? 0;
  }

  pause(platform: Platform, untilMs: number): void {
    this.paused.set(platform, Math.max(this.pausedUntil(platform), untilMs));
  }

  /** Wait for room in a conversation (the platform's per-conversation limit). */
  async take(platform: Platform, conversation: string): Promise<void> {
    const rate = RATE[platform];
    const key = `${platform}|${conversation}`;
    for (;;) {
      const nowMs = Date.now();
      const bucket = this.buckets.get(key) ?? { tokens: rate.burst, at: nowMs };
      bucket.tokens = Math.min(rate.burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * rate.perSecond);
      bucket.at = nowMs;
      this.buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        if (this.buckets.size > 10_000) this.buckets.clear();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - bucket.tokens) / rate.perSecond) * 1000)));
    }
  }
}

/** The conversation an item goes into, where the platform's outlet cannot say better. */
export function conversationOf(item: OutboxItem): string {
  return `${item.reference}|${item.kind === 'tell' ? item.recipient : 'thread'}`;
}

/** The conversation whose messages keep their order (a person's 1:1 chat, the case's thread); none for card updates. */
export function sequenceOf(item: OutboxItem): string | undefined {
  if (item.kind === 'tell') return `${item.platform}|tell|${item.recipient}`;
  if (item.kind === 'say' || item.kind === 'open-thread') return `${item.platform}|thread`;
  return undefined;
}

/** Whether `a` was owed before `b`. */
function before(a: OutboxItem, b: OutboxItem): boolean {
  return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.event < b.event);
}

/**
 * For each conversation of one case's claimed items, when an earlier pending item to it (not
 * among them) is next due: the claimed ones wait until then.
 */
export async function earlierPending(
  repo: CaseRepository,
  items: readonly OutboxItem[],
  nowMs: number,
): Promise<Map<string, string>> {
  const waits = new Map<string, string>();
  const first = new Map<string, OutboxItem>();
  for (const item of items) {
    const key = sequenceOf(item);
    if (key && !first.has(key)) first.set(key, item);
  }
  if (!first.size) return waits;
  const claimed = new Set(items.map((i) => i.id));
  const pending = await repo.listOutbox({ reference: items[0]?.reference ?? '', status: 'pending' });
  for (const other of pending) {
    const key = sequenceOf(other);
    const mine = key ? first.get(key) : undefined;
    if (!key || !mine || claimed.has(other.id) || !before(other, mine)) continue;
    // Held by a worker (another replica, or another look of this one): it is being sent now, so
    // look again shortly rather than when its lease would run out (OUTBOX_LEASE_SECONDS).
    const leased = other.leaseUntil && other.leaseUntil > other.nextAttemptAt ? other.leaseUntil : undefined;
    const at = leased
      ? new Date(Math.min(Date.parse(leased), nowMs + LOOK_AGAIN_MS)).toISOString()
      : other.nextAttemptAt;
    const held = waits.get(key);
    if (!held || at > held) waits.set(key, at);
  }
  return waits;
}
