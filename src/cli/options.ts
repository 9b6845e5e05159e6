/** What the admin commands share: where procedures are loaded from, checking their arguments, opening the store. */
import { existsSync } from 'node:fs';
import { SHIPPED_PROCEDURES_DIR, loadProcedures } from '../app/procedures';
import { CaseService } from '../app/case-service';
import type { AuditKey } from '../app/store/chain';
import type { PersonalDataVault } from '../app/store/personal-data';
import type { CaseRepository } from '../app/store/repository';
import { isLocalDate } from '../domain/calendar';
import type { Procedure } from '../domain/procedure';
import { loadConfig } from '../config';
import { openAuditKey, openRepository, openVault } from '../store/open';
import type { StoreOpener } from './audit';
import { UsageError, type Io } from './usage';

export function procedureDirs(env: NodeJS.ProcessEnv): string[] {
  const extra = env.PROCEDURES_DIR;
  if (extra && !existsSync(extra)) throw new UsageError(`PROCEDURES_DIR is set to "${extra}", which does not exist.`);
  return extra ? [SHIPPED_PROCEDURES_DIR, extra] : [SHIPPED_PROCEDURES_DIR];
}

export function requireFile(file: string | undefined, what: string): string {
  if (!file) throw new UsageError(`Name the ${what} file to check.`);
  if (!existsSync(file)) throw new UsageError(`There is no file "${file}".`);
  return file;
}

/** An ISO 8601 instant with its offset or Z ("2026-12-24T15:30:00Z", "2026-07-01T10:00:00+01:00"). */
export function parseInstant(text: string | undefined, flag: string): Date {
  if (!text) throw new UsageError(`${flag} is needed: an ISO 8601 instant such as 2026-12-24T15:30:00Z.`);
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
  const at = new Date(text);
  if (!ok || Number.isNaN(at.getTime()) || !isLocalDate(text.slice(0, 10))) {
    throw new UsageError(
      `${flag} "${text}" is not an ISO 8601 instant with a time zone, such as 2026-12-24T15:30:00Z or 2026-07-01T10:00:00+01:00.`,
    );
  }
  return at;
}

/** The board `--board` names, or a usage error listing the boards there are. */
export function boardNamed(procedures: ReadonlyMap<string, Procedure>, board: string | undefined): Procedure {
  const procedure = board ? procedures.get(board) : undefined;
  if (!procedure)
    throw new UsageError(
      `--board must be one of: ${[...procedures.keys()].join(', ')}${board ? ` (it is "${board}")` : ''}.`,
    );
  return procedure;
}

export function parseDay(text: string | undefined, flag: string): string {
  if (!text || !isLocalDate(text))
    throw new UsageError(`${flag} must be a date written YYYY-MM-DD${text ? ` (it is "${text}")` : ''}.`);
  return text;
}

/** The configured store, or the SQLite file named by --db. */
export async function withStore<T>(
  io: Io,
  db: string | undefined,
  work: (
    service: CaseService,
    repo: CaseRepository,
    keys: { auditKey: AuditKey; vault: PersonalDataVault },
  ) => Promise<T>,
): Promise<T> {
  const config = loadConfig(io.env);
  if (db !== undefined && !existsSync(db)) throw new UsageError(`There is no database file "${db}".`);
  const repo = await openRepository(config, db ? { sqliteFile: db } : {});
  try {
    const { vault } = openVault(config);
    return await work(new CaseService(repo, loadProcedures(procedureDirs(io.env)), vault), repo, {
      auditKey: openAuditKey(config).key,
      vault,
    });
  } finally {
    await repo.close();
  }
}

export const openStore: StoreOpener = (io, db, work) => withStore(io, db, (_service, repo, keys) => work(repo, keys));
