/**
 * Cross-checks of a directory file: agencies under boards we know, people in agencies that
 * exist, roles that the agency's boards' procedures use, deputies in the same agency, chat
 * identities that match the agency's platform.
 */
import { checkYaml, type Checked, type Finding } from '../files/problems';
import type { Procedure } from '../procedure/schema';
import { directorySchema, type Agency, type Directory } from './schema';

export function crossCheckDirectory(d: Directory, procedures: ReadonlyMap<string, Procedure>): Finding[] {
  const found: Finding[] = [];
  const agencies = new Map(d.agencies.map((a) => [a.id, a]));
  const people = new Map(d.people.map((p) => [p.id, p]));
  const boardList = [...procedures.keys()].join(', ');

  const seenAgency = new Set<string>();
  d.agencies.forEach((a, i) => {
    if (seenAgency.has(a.id))
      found.push({
        path: ['agencies', i, 'id'],
        message: `the agency id "${a.id}" is used twice; each agency needs its own id`,
      });
    seenAgency.add(a.id);
    a.boards.forEach((b, j) => {
      if (!procedures.has(b))
        found.push({
          path: ['agencies', i, 'boards', j],
          message: `names the board "${b}", which has no procedure file (boards: ${boardList})`,
        });
    });
    if (a.platform === 'slack' && !a.slack)
      found.push({
        path: ['agencies', i],
        message: `works in Slack, so it needs "slack: { teamId: ... }" (its Slack workspace id)`,
      });
    if (a.platform === 'teams' && !a.teams)
      found.push({
        path: ['agencies', i],
        message: `works in Microsoft Teams, so it needs "teams: { tenantId: ... }" (its Microsoft Entra tenant id)`,
      });
    if (a.commissionedBy !== undefined && !agencies.has(a.commissionedBy)) {
      found.push({
        path: ['agencies', i, 'commissionedBy'],
        message: `names the agency "${a.commissionedBy}", which is not in "agencies"`,
      });
    }
    for (const role of Object.keys(a.roleTitles)) {
      if (!rolesOfBoards(a.boards, procedures).has(role))
        found.push({
          path: ['agencies', i, 'roleTitles', role],
          message: `gives a title for the role "${role}", which no procedure of this agency's boards uses`,
        });
    }
    found.push(...checkRoleGroups(a, i, rolesOfBoards(a.boards, procedures)));
  });

  const seenPerson = new Set<string>();
  const seenEmail = new Map<string, string>();
  d.people.forEach((p, i) => {
    if (seenPerson.has(p.id))
      found.push({
        path: ['people', i, 'id'],
        message: `the person id "${p.id}" is used twice; each person needs their own id`,
      });
    seenPerson.add(p.id);
    const email = p.email.toLowerCase();
    const other = seenEmail.get(email);
    if (other !== undefined)
      found.push({
        path: ['people', i, 'email'],
        message: `the email address ${p.email} is also given for "${other}"; each person needs their own`,
      });
    seenEmail.set(email, p.id);

    const agency = agencies.get(p.agency);
    if (!agency) {
      found.push({
        path: ['people', i, 'agency'],
        message: `names the agency "${p.agency}", which is not in "agencies"`,
      });
      return;
    }
    if (agency.platform === 'slack' && !p.slackUserId)
      found.push({
        path: ['people', i],
        message: `works at ${agency.name}, which uses Slack, so they need a "slackUserId"`,
      });
    if (agency.platform === 'teams' && !p.teamsAadObjectId)
      found.push({
        path: ['people', i],
        message: `works at ${agency.name}, which uses Microsoft Teams, so they need a "teamsAadObjectId"`,
      });
    const known = rolesOfBoards(agency.boards, procedures);
    p.roles.forEach((r, j) => {
      if (!known.has(r))
        found.push({
          path: ['people', i, 'roles', j],
          message: `holds the role "${r}", which no procedure of ${agency.name}'s boards uses (roles there: ${[...known].join(', ')})`,
        });
    });
    if (p.deputy !== undefined) {
      const deputy = people.get(p.deputy);
      if (!deputy)
        found.push({
          path: ['people', i, 'deputy'],
          message: `names the deputy "${p.deputy}", who is not in "people"`,
        });
      else if (deputy.id === p.id)
        found.push({ path: ['people', i, 'deputy'], message: 'a person cannot be their own deputy' });
      else if (deputy.agency !== p.agency)
        found.push({
          path: ['people', i, 'deputy'],
          message: `names the deputy "${deputy.id}", who works in another agency; a deputy must be in the same agency`,
        });
    }
    p.away.forEach((span, j) => {
      if (span.to < span.from)
        found.push({
          path: ['people', i, 'away', j],
          message: `the absence ends (${span.to}) before it starts (${span.from})`,
        });
    });
  });
  return found;
}

/** An agency's roleGroups: one group each, on the agency's own platform, for a role its boards use (or directory-admin). */
function checkRoleGroups(a: Agency, i: number, known: ReadonlySet<string>): Finding[] {
  const found: Finding[] = [];
  const seen = new Set<string>();
  a.roleGroups.forEach((g, j) => {
    const path = ['agencies', i, 'roleGroups', j];
    if (!known.has(g.role))
      found.push({
        path: [...path, 'role'],
        message: `names the role "${g.role}", which no procedure of this agency's boards uses (roles there: ${[...known].join(', ')})`,
      });
    if (g.slackUsergroup !== undefined && g.entraGroup !== undefined) {
      found.push({
        path,
        message: 'names both a Slack user group and an Entra ID group; give one group for each entry',
      });
      return;
    }
    if (g.slackUsergroup === undefined && g.entraGroup === undefined) {
      found.push({
        path,
        message: `names no group: give "slackUsergroup: S…" (a Slack user group id) or "entraGroup: <GUID>" (an Entra ID group's object id) for the role "${g.role}"`,
      });
      return;
    }
    if (g.slackUsergroup !== undefined && a.platform !== 'slack')
      found.push({
        path: [...path, 'slackUsergroup'],
        message: `names a Slack user group, but ${a.name} works in Microsoft Teams: give its Entra ID group ("entraGroup") instead`,
      });
    if (g.entraGroup !== undefined && a.platform !== 'teams')
      found.push({
        path: [...path, 'entraGroup'],
        message: `names an Entra ID group, but ${a.name} works in Slack: give its Slack user group ("slackUsergroup") instead`,
      });
    const key = `${g.role} ${g.slackUsergroup ?? g.entraGroup ?? ''}`;
    if (seen.has(key))
      found.push({ path, message: `names the same group for the role "${g.role}" twice; list it once` });
    seen.add(key);
  });
  return found;
}

/** Who may name the agency's role holders in chat (and, in a board's own agency, the board's). */
export const DIRECTORY_ADMIN = 'directory-admin';

/** The roles a person of an agency under these boards may hold: the procedures' and directory-admin. */
export function rolesOfBoards(boards: readonly string[], procedures: ReadonlyMap<string, Procedure>): Set<string> {
  const roles = new Set<string>();
  for (const b of boards) for (const r of procedures.get(b)?.roles ?? []) roles.add(r.id);
  roles.add(DIRECTORY_ADMIN);
  return roles;
}

export function checkDirectoryText(text: string, procedures: ReadonlyMap<string, Procedure>): Checked<Directory> {
  return checkYaml(text, directorySchema, (d) => crossCheckDirectory(d, procedures));
}
