/**
 * The live directory: the directory file's agencies, and its people folded together with the
 * directory's history in the store (src/app/store/directory-log.ts). It keeps the SAME
 * `Directory` object every component was given up to date, in place (its `people` replaced),
 * so the routing of nudges and approvals follows a change at once. Other replicas' changes are
 * read on a lookup miss and every so often: only the entries after the last one seen.
 *
 * The first start on an empty store imports the file's people (one `imported` entry); later
 * starts leave the store's people as they are (the file's agencies stay authoritative), and
 * `cli directory import` imports a file again on purpose.
 */
import type { Directory, DirectoryChange, DirectoryEntry, Person } from '../../domain/directory';
import { applyChange, noteGrant, rolesOfBoards } from '../../domain/directory';
import type { Procedure } from '../../domain/procedure';
import type { DirectoryLogStore } from '../store/directory-log';
import type { GroupMember, GroupRoleSync } from './groups-port';

export interface LiveDirectoryDeps {
  directory: Directory;
  store: DirectoryLogStore;
  procedures: ReadonlyMap<string, Procedure>;
  clock: () => Date;
  report: (msg: string, fields: Record<string, unknown>) => void;
}

export class LiveDirectory implements GroupRoleSync {
  readonly directory: Directory;
  private seq = 0;
  private people: Person[] = [];
  private readonly grants = new Map<string, Set<string>>();
  private reading: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Set by the identity resolver: learns a group member the directory does not know yet. */
  learnMember?: (agencyId: string, member: GroupMember, source: string) => Promise<Person | undefined>;

  constructor(private readonly deps: LiveDirectoryDeps) {
    this.directory = deps.directory;
  }

  /**
   * Open on the store: the file's people are imported when the store has no history yet; the
   * history is folded into the directory. Returns what the start did, for the log.
   */
  async open(file: string): Promise<{ imported: boolean; notInStore: string[] }> {
    const seed = [...this.directory.people];
    this.directory.people.splice(0);
    await this.refresh();
    let imported = false;
    if (this.seq === 0 && seed.length) {
      await this.record('file', { kind: 'imported', file, people: seed });
      imported = true;
    }
    const known = new Set(this.people.map((p) => p.id));
    return { imported, notInStore: seed.filter((p) => !known.has(p.id)).map((p) => p.id) };
  }

  /** The last entry folded in. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Read what other replicas recorded since the last entry seen (one read at a time). */
  refresh(): Promise<number> {
    this.reading ??= this.readNew().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async readNew(): Promise<number> {
    let read = 0;
    for (;;) {
      const entries = await this.deps.store.directoryChanges(this.seq);
      if (!entries.length) break;
      for (const entry of entries) this.apply(entry);
      read += entries.length;
    }
    if (read) this.directory.people.splice(0, this.directory.people.length, ...this.people);
    return read;
  }

  private apply(entry: DirectoryEntry): void {
    if (entry.seq <= this.seq) return;
    this.seq = entry.seq;
    const change = entry.change;
    try {
      noteGrant(this.grants, change);
      // A group takes away its role only where nothing else still gives it.
      if (change.kind === 'role-removed' && change.source.startsWith('group:')) {
        if (this.grants.get(`${change.personId}:${change.role}`)?.size) return;
      }
      this.people = applyChange(this.people, change);
    } catch (error) {
      this.deps.report('A directory change could not be read; it is left out', {
        seq: entry.seq,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** Record a change and fold it (with anything else new) in at once. */
  async record(by: string, change: DirectoryChange, at: Date = this.deps.clock()): Promise<DirectoryEntry> {
    const entry = await this.deps.store.appendDirectoryChange({ at: at.toISOString(), by, change });
    await this.refresh();
    return entry;
  }

  /** Read new entries every `everyMs` (the other replicas' changes), until stop(). */
  start(everyMs: number): void {
    if (this.timer || everyMs <= 0) return;
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) =>
        this.deps.report('The directory could not be read from the store', {
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.reading?.catch(() => undefined);
  }

  // ── reading ────────────────────────────────────────────────────────────────────────

  person(id: string): Person | undefined {
    return this.directory.people.find((p) => p.id === id);
  }

  bySlack(userId: string): Person | undefined {
    return this.directory.people.find((p) => p.slackUserId === userId);
  }

  byAad(aadObjectId: string): Person | undefined {
    const id = aadObjectId.toLowerCase();
    return this.directory.people.find((p) => p.teamsAadObjectId?.toLowerCase() === id);
  }

  byEmail(email: string): Person[] {
    const e = email.trim().toLowerCase();
    return this.directory.people.filter((p) => p.email.toLowerCase() === e);
  }

  /** The roles people of `agencyId` may hold: those its boards' procedures declare, and directory-admin. */
  rolesOf(agencyId: string): Set<string> {
    const agency = this.directory.agencies.find((a) => a.id === agencyId);
    return agency ? rolesOfBoards(agency.boards, this.deps.procedures) : new Set();
  }

  /** The role someone raising a case holds: the first stage's raising role of the agency's first board. */
  practitionerRole(agencyId: string): string | undefined {
    const agency = this.directory.agencies.find((a) => a.id === agencyId);
    for (const board of agency?.boards ?? []) {
      const role = this.deps.procedures.get(board)?.stages[0]?.sides?.raising[0];
      if (role) return role;
    }
    return undefined;
  }

  /** Who gives `personId` the role `role` (file, a person's id, `group:<source>`…). */
  grantsOf(personId: string, role: string): string[] {
    return [...(this.grants.get(`${personId}:${role}`) ?? [])];
  }

  // ── group sync (helper E calls this) ───────────────────────────────────────────────

  async syncRoleFromGroup(
    agencyId: string,
    role: string,
    members: GroupMember[],
    source: string,
    at: Date,
  ): Promise<{ added: string[]; removed: string[] }> {
    await this.refresh();
    if (!this.rolesOf(agencyId).has(role))
      throw new Error(`the role "${role}" is not one the procedures of ${agencyId}'s boards use`);
    const tag = source.startsWith('group:') ? source : `group:${source}`;
    const by = tag;
    const inGroup = new Set<string>();
    const added: string[] = [];
    for (const member of members) {
      let person = member.platform === 'slack' ? this.bySlack(member.userId) : this.byAad(member.userId);
      if (!person && member.email) {
        const matched = this.byEmail(member.email).filter((p) => p.agency === agencyId);
        const field = member.platform === 'slack' ? 'slackUserId' : 'teamsAadObjectId';
        // Never someone already linked to another account on this platform (the sign-in refuses that too).
        person = matched.length === 1 && !matched[0]?.[field] ? matched[0] : undefined;
        if (matched.length && !person) continue;
      }
      if (!person && this.learnMember) person = await this.learnMember(agencyId, member, tag);
      if (!person || person.agency !== agencyId) continue;
      inGroup.add(person.id);
      if (!this.grantsOf(person.id, role).includes(tag)) {
        await this.record(by, { kind: 'role-assigned', personId: person.id, role, source: tag }, at);
        added.push(person.id);
      }
    }
    const removed: string[] = [];
    for (const [key, sources] of [...this.grants]) {
      if (!sources.has(tag)) continue;
      const cut = key.lastIndexOf(':');
      const [personId, held] = [key.slice(0, cut), key.slice(cut + 1)];
      if (held !== role || inGroup.has(personId) || this.person(personId)?.agency !== agencyId) continue;
      await this.record(by, { kind: 'role-removed', personId, role, source: tag }, at);
      removed.push(personId);
    }
    return { added, removed };
  }
}
