/**
 * `audit access` and `audit security`: for the board, who read what of a case (the adult's
 * details, case records and forms, cards), and the refused attempts of people who are no party
 * to a case, from the logs kept apart from the case timelines. Ids and names only: never the
 * adult's details.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isLocalDate, zonedToInstant } from '../domain/calendar';
import { parseCaseReference } from '../domain/escalation';
import type { AccessEntry, SecurityEvent } from '../app/store/repository';
import { loadConfig } from '../config';
import { openRepository } from '../store/open';

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export const AUDIT_LOG_USAGE = `  audit access [--case <ref>] [--person <id>] [--since <YYYY-MM-DD>] [--limit <n>] [--db <file>]
                                               who read what of a case: the adult's details, records, forms, cards
  audit security [--case <ref>] [--person <id>] [--since <YYYY-MM-DD>] [--limit <n>] [--db <file>]
                                               refused attempts by people who are no party to a case`;

const KINDS: Record<SecurityEvent['kind'], string> = {
  'read-by-non-party': 'not a party, asked to see the case',
  'command-by-non-party': 'not a party, tried to act on the case',
  'unknown-command': 'a button or command the bot does not have',
  'no-such-case': 'named a case that does not exist',
  'identity-refused': 'a chat user the bot would not take as staff of an agency',
  'directory-change-refused': 'asked to change the directory without being allowed to',
};

const WHAT: Record<string, string> = {
  'personal-details': "opened the adult's details",
  'personal-details-given': "gave the adult's details",
  card: 'saw the case card',
  'case-record': 'was sent the case record',
  'case-record-with-details': 'was sent the case record naming the adult',
};

/** The filters both commands take, checked; a problem is given in words (exit 2). */
function filters(
  args: string[],
  io: Io,
): { reference?: string; personId?: string; since?: string; limit?: number; db?: string } | undefined {
  const { values } = parseArgs({
    args,
    options: {
      case: { type: 'string' },
      person: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      db: { type: 'string' },
    },
    strict: true,
  });
  const problem = (text: string): undefined => {
    io.err(`${text}\n\nUsage:\n${AUDIT_LOG_USAGE}`);
    return undefined;
  };
  const reference = values.case?.trim().toUpperCase();
  if (reference !== undefined && !parseCaseReference(reference))
    return problem(`--case must be a case reference such as NS-2026-0042 (it is "${values.case}").`);
  let since: string | undefined;
  if (values.since !== undefined) {
    const day = isLocalDate(values.since);
    const at = day ? zonedToInstant(values.since, 0, 'Europe/London') : new Date(values.since);
    if (!day && (!/^\d{4}-\d{2}-\d{2}T/.test(values.since) || Number.isNaN(at.getTime())))
      return problem(`--since must be a date written YYYY-MM-DD (it is "${values.since}").`);
    since = at.toISOString();
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 100_000))
    return problem(`--limit must be a whole number from 1 to 100000 (it is "${values.limit}").`);
  if (values.db !== undefined && !existsSync(values.db)) return problem(`There is no database file "${values.db}".`);
  return {
    ...(reference ? { reference } : {}),
    ...(values.person?.trim() ? { personId: values.person.trim() } : {}),
    ...(since ? { since } : {}),
    ...(limit ? { limit } : {}),
    ...(values.db ? { db: values.db } : {}),
  };
}

function accessLine(e: AccessEntry): string {
  const what = WHAT[e.what] ?? (e.what.startsWith('form:') ? `was sent the form ${e.what.slice(5)}` : e.what);
  return [e.at, e.reference, `${e.personId} (${e.agencyId})`, what, e.platform ?? ''].join('\t').trimEnd();
}

function securityLine(e: SecurityEvent): string {
  return [
    e.at,
    e.reference ?? '-',
    e.personId ? `${e.personId} (${e.agencyId ?? '?'})` : '-',
    `${KINDS[e.kind]}: ${e.action}`,
    e.platform ?? '',
  ]
    .join('\t')
    .trimEnd();
}

/** `audit access` or `audit security`, newest first. */
export async function commandAuditLog(which: 'access' | 'security', args: string[], io: Io): Promise<number> {
  const chosen = filters(args, io);
  if (!chosen) return 2;
  const { db, ...filter } = chosen;
  const repo = await openRepository(loadConfig(io.env), db ? { sqliteFile: db } : {});
  try {
    const lines =
      which === 'access'
        ? (await repo.accessLog(filter)).map(accessLine)
        : (await repo.securityEvents(filter)).map(securityLine);
    const noun = which === 'access' ? 'reading' : 'refused attempt';
    io.out(`${lines.length} ${noun}${lines.length === 1 ? '' : 's'}, newest first`);
    for (const line of lines) io.out(line);
    return 0;
  } finally {
    await repo.close();
  }
}
