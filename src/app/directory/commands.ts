/**
 * The directory in chat, the same words on Slack and Teams: `roles` (who holds which role in
 * your agency today), `assign <role> to <person>` and `remove <role> from <person>` (the
 * agency's directory administrators; board roles, the board's), and everyone's own absence and
 * deputy (`away …`, `back`). Each change is recorded in the directory's history and routes
 * nudges and approvals at once.
 */
import { instantToZoned } from '../../domain/calendar';
import {
  DIRECTORY_ADMIN,
  dateWords,
  isAway,
  parseAway,
  roleHolders,
  type Agency,
  type Person,
} from '../../domain/directory';
import type { Procedure } from '../../domain/procedure';
import type { DirectoryChatCommand } from '../chat-commands';
import type { SecurityEvent } from '../store/repository';
import type { LiveDirectory } from './live';

export interface DirectoryCommandDeps {
  live: LiveDirectory;
  procedures: ReadonlyMap<string, Procedure>;
  clock: () => Date;
  security: (event: SecurityEvent) => Promise<void>;
}

/** A platform mention in what was typed (a Slack `<@U…>`), as the person it names, if the channel can tell. */
export type MentionLookup = (spec: string) => Promise<Person | undefined>;

/** How many holders of a role `roles` names before it counts the rest. */
const SHOWN = 25;

export const NOT_AN_ADMIN =
  "Only your agency's directory administrators can change who holds a role (and, for the board's roles, the board's business unit). Type roles to see who they are, or ask your agency's safeguarding lead.";

export const STORE_BUSY =
  'The directory could not be read or changed just now, so nothing was changed; try again in a minute.';

export class DirectoryCommands {
  constructor(private readonly deps: DirectoryCommandDeps) {}

  /** The answer to a directory command from `me` (`words`: why they are not known, when they are not). */
  async answer(
    command: DirectoryChatCommand,
    me: Person | undefined,
    words: string,
    mention?: MentionLookup,
  ): Promise<string> {
    if (!me) return words;
    try {
      await this.deps.live.refresh();
      const fresh = this.deps.live.person(me.id) ?? me;
      switch (command.kind) {
        case 'roles':
          return this.roles(fresh);
        case 'assign':
        case 'remove':
          return await this.change(command, fresh, mention);
        case 'away':
          return await this.away(command.text, fresh, mention);
      }
    } catch {
      // The store could not be read or written: nothing was changed.
      return STORE_BUSY;
    }
  }

  private today(): string {
    return instantToZoned(this.deps.clock(), 'Europe/London').date;
  }

  private agency(id: string): Agency | undefined {
    return this.deps.live.directory.agencies.find((a) => a.id === id);
  }

  private title(agency: Agency, role: string): string {
    if (role === DIRECTORY_ADMIN) return 'Directory administrator';
    if (agency.roleTitles[role]) return agency.roleTitles[role];
    for (const b of agency.boards) {
      const found = this.deps.procedures.get(b)?.roles.find((r) => r.id === role);
      if (found) return found.title;
    }
    return role;
  }

  /**
   * The roles that may be named in chat for people of `agency`: those its boards' procedures
   * hold in each agency, and directory-admin; in a board's own agency, the board's roles too.
   */
  private rolesFor(agency: Agency): string[] {
    const board = agency.kind === 'safeguarding-adults-board';
    return [...this.deps.live.rolesOf(agency.id)].filter((r) => board || !this.isBoardRole(agency, r)).sort();
  }

  private isBoardRole(agency: Agency, role: string): boolean {
    return agency.boards.some((b) => this.deps.procedures.get(b)?.roles.find((r) => r.id === role)?.scope === 'board');
  }

  // ── roles ──────────────────────────────────────────────────────────────────────────

  private roles(me: Person): string {
    const agency = this.agency(me.agency);
    if (!agency) return 'Your agency is not in the directory any more; ask the board\u2019s business unit.';
    const today = this.today();
    const lines = this.rolesFor(agency).map((role) => {
      const all = roleHolders(this.deps.live.directory, agency.id, role, today);
      // People the bot only met hold it for their own cases: counted, not listed (there may be thousands).
      const met = all.filter((h) => !h.actingFor.length && h.person.learnedRole === role).length;
      const holders = all.filter((h) => h.actingFor.length || h.person.learnedRole !== role);
      const names = holders
        .slice(0, SHOWN)
        .map((h) =>
          h.actingFor.length
            ? `${h.person.name} (covering for ${h.actingFor.map((p) => p.name).join(', ')})`
            : h.person.name,
        );
      if (holders.length > SHOWN) names.push(`${holders.length - SHOWN} more`);
      const others = met ? `${names.length ? '; and ' : ''}${met} the bot met, for their own cases` : '';
      return `• ${this.title(agency, role)} (${role}): ${names.length || met ? `${names.join(', ')}${others}` : 'nobody today'}`;
    });
    return [`The roles at ${agency.name}, and who holds them today:`, ...lines].join('\n');
  }

  // ── assign, remove ─────────────────────────────────────────────────────────────────

  /** The agencies `me` may name role holders in: agency roles in their own, board roles for the board's agencies. */
  private administers(me: Person): { own: boolean; boards: Set<string> } {
    const mine = this.agency(me.agency);
    const admin = me.roles.includes(DIRECTORY_ADMIN);
    return {
      own: admin,
      boards: new Set(admin && mine?.kind === 'safeguarding-adults-board' ? mine.boards : []),
    };
  }

  private async refuse(me: Person, action: string): Promise<string> {
    await this.deps
      .security({
        at: this.deps.clock().toISOString(),
        kind: 'directory-change-refused',
        action,
        personId: me.id,
        agencyId: me.agency,
      })
      .catch(() => undefined);
    return NOT_AN_ADMIN;
  }

  private async change(
    command: Extract<DirectoryChatCommand, { kind: 'assign' | 'remove' }>,
    me: Person,
    mention?: MentionLookup,
  ): Promise<string> {
    const rights = this.administers(me);
    if (!rights.own && !rights.boards.size) return this.refuse(me, command.kind);
    const scope = this.deps.live.directory.agencies
      .filter((a) => (rights.own && a.id === me.agency) || a.boards.some((b) => rights.boards.has(b)))
      .map((a) => a.id);
    const found = await this.findPerson(command.who, new Set(scope), mention);
    if ('words' in found) return found.words;
    const target = found.person;
    const agency = this.agency(target.agency);
    if (!agency) return 'That person\u2019s agency is not in the directory any more.';
    const allowed = this.rolesFor(agency);
    const role = this.roleOf(command.role, agency, allowed);
    if (!role)
      return `"${command.role}" is not a role at ${agency.name}. The roles there: ${allowed
        .map((r) => `${this.title(agency, r)} (${r})`)
        .join(', ')}.`;
    const board = this.isBoardRole(agency, role);
    const may = board ? agency.boards.some((b) => rights.boards.has(b)) : rights.own && agency.id === me.agency;
    if (!may) {
      await this.refuse(me, command.kind);
      return board
        ? `${this.title(agency, role)} is a role of the board: only the board's business unit (a directory administrator there) can change who holds it.`
        : `Only ${agency.name}'s own directory administrators can change who holds ${this.title(agency, role)} there.`;
    }
    const name = `${target.name} (${target.email})`;
    if (command.kind === 'assign') {
      if (target.roles.includes(role)) return `${name} already holds ${this.title(agency, role)} at ${agency.name}.`;
      await this.deps.live.record(me.id, {
        kind: 'role-assigned',
        personId: target.id,
        role,
        source: me.id,
        before: target.roles,
        after: [...target.roles, role],
      });
      return `Done: ${name} now holds ${this.title(agency, role)} at ${agency.name}, from now on (recorded, by you).`;
    }
    if (!target.roles.includes(role)) return `${name} does not hold ${this.title(agency, role)} at ${agency.name}.`;
    if (target.roles.length === 1)
      return `${this.title(agency, role)} is ${target.name}'s only role, so it stays: assign them another role first.`;
    await this.deps.live.record(me.id, {
      kind: 'role-removed',
      personId: target.id,
      role,
      source: me.id,
      before: target.roles,
      after: target.roles.filter((r) => r !== role),
    });
    return `Done: ${name} no longer holds ${this.title(agency, role)} at ${agency.name} (recorded, by you).`;
  }

  private roleOf(typed: string, agency: Agency, allowed: string[]): string | undefined {
    const t = typed.trim().toLowerCase();
    const asSlug = t.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    return allowed.find((r) => r === asSlug || this.title(agency, r).toLowerCase() === t);
  }

  // ── away, back ─────────────────────────────────────────────────────────────────────

  private async away(text: string, me: Person, mention?: MentionLookup): Promise<string> {
    const today = this.today();
    const asked = parseAway(text, today);
    if (!asked) return 'Type "away" to see your absence, or "back" to end it.';
    const ahead = me.away.filter((s) => s.to >= today);
    const deputyOf = (p: Person): Person | undefined =>
      p.deputy !== undefined ? this.deps.live.person(p.deputy) : undefined;
    switch (asked.kind) {
      case 'away-invalid':
        return asked.words;
      case 'away-show': {
        if (!ahead.length) return 'You are not set as away. To set it: "away 3 to 7 January, Catherine Doyle covers".';
        const deputy = deputyOf(me);
        return [
          ...ahead.map(
            (s) =>
              `You are away ${s.from === s.to ? `on ${dateWords(s.from)}` : `from ${dateWords(s.from)} to ${dateWords(s.to)}`}.`,
          ),
          deputy ? `${deputy.name} covers for you.` : 'Nobody is named to cover for you.',
          '"back" ends it.',
        ].join(' ');
      }
      case 'back': {
        if (!ahead.length) return 'You are not set as away, so there is nothing to end.';
        await this.deps.live.record(me.id, { kind: 'absence-cleared', personId: me.id, on: today });
        return 'Welcome back: you are no longer shown as away, and your work comes to you again (recorded).';
      }
      case 'away-set': {
        let deputy: Person | undefined = deputyOf(me);
        if (asked.deputy !== undefined) {
          const found = await this.findPerson(asked.deputy, new Set([me.agency]), mention);
          if ('words' in found) return found.words;
          if (found.person.id === me.id) return 'You cannot cover for yourself: name someone else in your agency.';
          deputy = found.person;
        }
        await this.deps.live.record(me.id, {
          kind: 'absence-set',
          personId: me.id,
          from: asked.from,
          to: asked.to,
          ...(asked.deputy !== undefined && deputy ? { deputy: deputy.id } : {}),
          ...(me.deputy !== undefined ? { previousDeputy: me.deputy } : {}),
        });
        const when =
          asked.from === asked.to
            ? `on ${dateWords(asked.from)}`
            : `from ${dateWords(asked.from)} to ${dateWords(asked.to)}`;
        const cover = deputy
          ? deputy.id !== me.id && isAway(deputy, asked.from)
            ? `${deputy.name} covers for you, but is away too then: their own cover takes over.`
            : `${deputy.name} covers for you meanwhile.`
          : 'Nobody is named to cover for you, so your work waits for you: add who covers, like "away 3 to 7 January, Catherine Doyle covers".';
        return `You are away ${when} (recorded). ${cover}`;
      }
    }
  }

  // ── finding a person ───────────────────────────────────────────────────────────────

  /** A person of `agencies` by mention, email or name; a list to choose from when a name is not enough. */
  private async findPerson(
    spec: string,
    agencies: Set<string>,
    mention?: MentionLookup,
  ): Promise<{ person: Person } | { words: string }> {
    const typed = spec.trim();
    const names = [...agencies].map((a) => this.agency(a)?.name ?? a).join(', ');
    const inScope = (p: Person | undefined): p is Person => p !== undefined && agencies.has(p.agency);
    if (/^<@[UW][A-Z0-9]+(\|[^>]*)?>$/.test(typed)) {
      const p = mention ? await mention(typed) : undefined;
      if (inScope(p)) return { person: p };
      return {
        words: `The person you mentioned is not someone of ${names} the bot knows yet; someone new to the bot is known once they have used it.`,
      };
    }
    const plain = typed
      .replace(/<\/?at>/gi, '')
      .replace(/^["'\u2018\u201c]|["'\u2019\u201d]$/g, '')
      .trim();
    if (!plain) return { words: 'Say who: their name, their work email address, or mention them.' };
    const people = this.deps.live.directory.people.filter((p) => agencies.has(p.agency));
    if (plain.includes('@')) {
      const p = people.find((x) => x.email.toLowerCase() === plain.toLowerCase());
      return p
        ? { person: p }
        : {
            words: `Nobody at ${names} with the email address ${plain} has used the bot yet; someone new to the bot is known once they have used it.`,
          };
    }
    const lower = plain.toLowerCase();
    let matches = people.filter((p) => p.name.toLowerCase() === lower);
    if (!matches.length) matches = people.filter((p) => p.name.toLowerCase().includes(lower));
    if (matches.length === 1 && matches[0]) return { person: matches[0] };
    if (!matches.length)
      return {
        words: `I could not find "${plain}" among the people of ${names}. Use their work email address or mention them; someone new to the bot is known once they have used it.`,
      };
    return {
      words: `More than one person matches "${plain}": ${matches
        .slice(0, 10)
        .map((p) => `${p.name} (${p.email})`)
        .join('; ')}. Say which by their email address.`,
    };
  }
}
