/**
 * Group sync: the role holders an agency names by a group (its `roleGroups`: a Slack user group or
 * an Entra ID group) are read from the platform when the bot starts and every GROUP_SYNC_MINUTES,
 * and handed to the live directory, which gives the role to new members and takes it from those
 * who left (only the roles that group gave).
 *
 * A group that cannot be read whole (an outage, a refused token, a page that failed, no answer in
 * time) changes nothing: its holders stay as they were until a read succeeds. Each group's failure
 * is logged once, when it starts, and its recovery once, when it ends.
 */
import type { Agency, Directory, RoleGroup } from '../../domain/directory';
import type { GroupMember, GroupRoleSync } from './groups-port';
import { groupPlatform, groupSourceName, type GroupSource } from './group-sources';

export type GroupSyncReport = (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown>) => void;

export interface GroupSyncDeps {
  /** The directory every component holds (its agencies may change while the bot runs). */
  directory: Directory;
  sink: GroupRoleSync;
  /** The source of each platform's groups; a platform without one has its groups left as they are. */
  sources: Partial<Record<'slack' | 'teams', GroupSource>>;
  clock: () => Date;
  report: GroupSyncReport;
  /** The longest one group's read may take, all its calls together (default 2 minutes). */
  groupTimeoutMs?: number;
  /**
   * Where several replicas run, one reads the groups: a run goes ahead only when this lease is
   * taken (the sweeper's leases, under the name GROUP_SYNC_LEASE) or renewed, and it is held for a
   * round, so the others skip theirs; stop() gives it back. A store that cannot say does not stop
   * the run (reading a group twice changes nothing).
   */
  /**
   * The roles groups have given, as the live directory holds them (source as group sync names it).
   * A group the directory no longer names gives its roles back: its holders lose what it gave.
   */
  granted?: () => Array<{ agencyId: string; role: string; source: string }>;
  lease?: {
    claim(until: Date, now: Date): Promise<boolean>;
    release(): Promise<void>;
  };
}

/** The lease name of group sync among the sweeper's case leases (no case reference looks like it). */
export const GROUP_SYNC_LEASE = 'group-sync';

/** One group named by one agency for one role. */
export interface GroupToSync {
  agency: Agency;
  group: RoleGroup;
  /** How the change is recorded: 'slack-usergroup:S…' or 'entra-group:<GUID>'. */
  source: string;
  platform: 'slack' | 'teams';
}

export interface GroupSyncOutcome {
  agencyId: string;
  role: string;
  source: string;
  /** How many members hold the role from the group, where it was read. */
  members?: number;
  added?: string[];
  removed?: string[];
  /** Why nothing changed: the group could not be read, or the change could not be stored. */
  failed?: string;
  /** The directory no longer names this group for this role: what it gave was taken back. */
  retired?: true;
}

/** Every group the directory names, in its order; an entry naming no group (the check refuses it) is left out. */
export function groupsToSync(directory: Directory): GroupToSync[] {
  return directory.agencies.flatMap((agency) =>
    agency.roleGroups.flatMap((group) =>
      group.slackUsergroup === undefined && group.entraGroup === undefined
        ? []
        : [{ agency, group, source: groupSourceName(group), platform: groupPlatform(group) }],
    ),
  );
}

/**
 * The roles groups have given in a live directory (its grants tagged `group:<source>`), but not
 * the practitioner role a member is learned with (everyone of the agency may act as one anyway).
 */
export function grantedByGroups(live: {
  directory: Directory;
  grantsOf(personId: string, role: string): string[];
  practitionerRole(agencyId: string): string | undefined;
}): Array<{ agencyId: string; role: string; source: string }> {
  return live.directory.people.flatMap((p) =>
    p.roles
      .filter((role) => role !== live.practitionerRole(p.agency))
      .flatMap((role) =>
        live
          .grantsOf(p.id, role)
          .filter((s) => s.startsWith('group:'))
          .map((s) => ({ agencyId: p.agency, role, source: s.slice('group:'.length) })),
      ),
  );
}

/** A group's key for saying its failure once: the same group for the same role of the same agency. */
export function groupKey(g: Pick<GroupToSync, 'agency' | 'group' | 'source'>): string {
  return `${g.agency.id} ${g.group.role} ${g.source}`;
}

/**
 * Which of this run's outcomes to log: a failure only when the group was not already failing,
 * a recovery when it was. Returns what to say and the groups failing after this run.
 */
export function whatToSay(
  failingBefore: ReadonlySet<string>,
  outcomes: ReadonlyArray<GroupSyncOutcome & { key: string }>,
): { newlyFailing: typeof outcomes; recovered: typeof outcomes; failingAfter: Set<string> } {
  const failingAfter = new Set(failingBefore);
  const newlyFailing = outcomes.filter((o) => o.failed !== undefined && !failingBefore.has(o.key));
  const recovered = outcomes.filter((o) => o.failed === undefined && failingBefore.has(o.key));
  for (const o of outcomes) {
    if (o.failed !== undefined) failingAfter.add(o.key);
    else failingAfter.delete(o.key);
  }
  return { newlyFailing, recovered, failingAfter };
}

/** `work`, or a rejection once `signal` aborts (whether or not `work` heeds it). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('stopped'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void =>
      reject(
        new Error(
          signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError'
            ? 'no answer in time'
            : 'stopped',
        ),
      );
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class GroupSync {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<GroupSyncOutcome[]> | undefined;
  private readonly stopping = new AbortController();
  private failing = new Set<string>();
  private everyMs: number | undefined;
  private holding = false;
  /** The last run: when it ended and what each group came to. */
  last: { at: string; outcomes: GroupSyncOutcome[] } | undefined;

  constructor(private readonly deps: GroupSyncDeps) {}

  /** Read every group once and hand each to the live directory; a run already under way is joined. */
  runOnce(): Promise<GroupSyncOutcome[]> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** A run now, then one every `everyMs` (none overlapping). */
  start(everyMs: number): void {
    if (everyMs > 0) this.everyMs = everyMs;
    void this.runOnce();
    if (everyMs > 0) {
      this.timer = setInterval(() => void this.runOnce(), everyMs);
      this.timer.unref();
    }
  }

  /** For the health check: how often, when last, and how many groups are not being read (no names). */
  describe(everyMinutes: number): Record<string, unknown> {
    const groups = groupsToSync(this.deps.directory).length;
    if (groups === 0) return { none: true };
    return {
      ...(everyMinutes > 0 ? { everyMinutes } : { off: true }),
      groups,
      ...(this.last ? { lastRead: this.last.at } : {}),
      notRead: this.failing.size,
    };
  }

  /** No more runs; a read under way is abandoned (it changes nothing) and awaited. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await this.running?.catch(() => undefined);
    if (this.holding) await this.deps.lease?.release().catch(() => undefined);
    this.holding = false;
  }

  private async run(): Promise<GroupSyncOutcome[]> {
    const groups = groupsToSync(this.deps.directory);
    if (groups.length === 0 && this.retiredGroups(groups).length === 0) return [];
    const { lease } = this.deps;
    if (lease) {
      const now = this.deps.clock();
      // Held for a round and renewed by this replica's next run, so the others read nothing while it
      // lives; one that dies holding it delays the next read by a round at most (stop() gives it back).
      const until = new Date(now.getTime() + (this.everyMs ?? 10 * 60_000));
      let mine = true;
      try {
        mine = await lease.claim(until, now);
      } catch (error) {
        this.deps.report('warn', 'Group sync could not check whether another replica is reading the groups', {
          problem: reason(error),
        });
      }
      if (!mine) return [];
      this.holding = true;
    }
    return this.readAll(groups);
  }

  private async readAll(groups: GroupToSync[]): Promise<GroupSyncOutcome[]> {
    const outcomes: Array<GroupSyncOutcome & { key: string }> = [];
    // A group named for two roles (or twice) is read once a run.
    const reads = new Map<string, Promise<GroupMember[]>>();
    for (const g of groups) {
      if (this.stopping.signal.aborted) break;
      const key = groupKey(g);
      const base = { key, agencyId: g.agency.id, role: g.group.role, source: g.source };
      const source = this.deps.sources[g.platform];
      if (!source) {
        outcomes.push({
          ...base,
          failed:
            g.platform === 'slack'
              ? 'Slack is not set up on this bot, so its user groups cannot be read'
              : 'the bot has no Microsoft app registration (MicrosoftAppId and MicrosoftAppPassword, or a managed identity), so Entra ID groups cannot be read',
        });
        continue;
      }
      const readKey = `${g.agency.id} ${g.source}`;
      let read = reads.get(readKey);
      if (!read) {
        const signal = AbortSignal.any([
          this.stopping.signal,
          AbortSignal.timeout(this.deps.groupTimeoutMs ?? 120_000),
        ]);
        read = untilAborted(source.members(g.agency, g.group, signal), signal);
        reads.set(readKey, read);
      }
      let members: GroupMember[];
      try {
        members = await read;
      } catch (error) {
        outcomes.push({ ...base, failed: `the group could not be read: ${reason(error)}` });
        continue;
      }
      try {
        const { added, removed } = await this.deps.sink.syncRoleFromGroup(
          g.agency.id,
          g.group.role,
          members,
          g.source,
          this.deps.clock(),
        );
        outcomes.push({ ...base, members: members.length, added, removed });
        if (members.length === 0 && removed.length > 0)
          this.deps.report('warn', 'A role group has no members now: nobody holds the role from it', {
            agency: g.agency.id,
            role: g.group.role,
            group: g.source,
            removed: removed.length,
          });
      } catch (error) {
        outcomes.push({ ...base, failed: `the change could not be stored: ${reason(error)}` });
      }
    }
    if (!this.stopping.signal.aborted) outcomes.push(...(await this.retire(groups)));
    this.say(outcomes);
    const plain = outcomes.map(({ key: _key, ...o }) => o);
    this.last = { at: this.deps.clock().toISOString(), outcomes: plain };
    return plain;
  }

  /** Roles given by groups the directory names no more (for that agency and role). */
  private retiredGroups(groups: readonly GroupToSync[]): Array<{ agencyId: string; role: string; source: string }> {
    const named = new Set(groups.map((g) => `${g.agency.id} ${g.group.role} ${g.source}`));
    const seen = new Set<string>();
    return (this.deps.granted?.() ?? []).filter((g) => {
      const key = `${g.agencyId} ${g.role} ${g.source}`;
      if (named.has(key) || seen.has(key) || !/^(slack-usergroup|entra-group):/.test(g.source)) return false;
      seen.add(key);
      return true;
    });
  }

  private async retire(groups: readonly GroupToSync[]): Promise<Array<GroupSyncOutcome & { key: string }>> {
    const outcomes: Array<GroupSyncOutcome & { key: string }> = [];
    for (const g of this.retiredGroups(groups)) {
      const base = { key: `${g.agencyId} ${g.role} ${g.source}`, ...g, retired: true as const };
      try {
        const { added, removed } = await this.deps.sink.syncRoleFromGroup(
          g.agencyId,
          g.role,
          [],
          g.source,
          this.deps.clock(),
        );
        outcomes.push({ ...base, members: 0, added, removed });
        this.deps.report('info', 'A role group is no longer named in the directory: the role it gave is taken back', {
          agency: g.agencyId,
          role: g.role,
          group: g.source,
          removed: removed.length,
        });
      } catch (error) {
        outcomes.push({ ...base, failed: `the change could not be stored: ${reason(error)}` });
      }
    }
    return outcomes;
  }

  private say(outcomes: ReadonlyArray<GroupSyncOutcome & { key: string }>): void {
    const { newlyFailing, recovered, failingAfter } = whatToSay(this.failing, outcomes);
    this.failing = failingAfter;
    for (const o of newlyFailing)
      this.deps.report('warn', 'A role group was not read, so its role holders stay as they were', {
        agency: o.agencyId,
        role: o.role,
        group: o.source,
        problem: o.failed,
      });
    for (const o of recovered)
      this.deps.report('info', 'A role group is read again', { agency: o.agencyId, role: o.role, group: o.source });
    for (const o of outcomes)
      if (o.added?.length || o.removed?.length)
        this.deps.report('info', 'Role holders changed from a group', {
          agency: o.agencyId,
          role: o.role,
          group: o.source,
          added: o.added?.length ?? 0,
          removed: o.removed?.length ?? 0,
        });
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
