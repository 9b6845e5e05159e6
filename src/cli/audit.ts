/**
 * `audit …`: checking the record for tampering (`verify`) and anchoring cases the store-wide
 * anchor does not hold yet (`anchor`). Each subcommand is its own function.
 */
import { parseArgs } from 'node:util';
import { verifyStore, type AuditReport } from '../app/audit-verify';
import { restateStore } from '../app/restate';
import type { AuditKey } from '../app/store/chain';
import type { PersonalDataVault } from '../app/store/personal-data';
import type { AuditFinding, CaseRepository } from '../app/store/repository';
import { parseCaseReference } from '../domain/escalation';
import { UsageError, type Io } from './usage';

export interface AuditKeys {
  auditKey: AuditKey;
  vault: PersonalDataVault;
}

/** Opens the configured store (or the SQLite file named by --db) for the length of `work`. */
export type StoreOpener = <T>(
  io: Io,
  db: string | undefined,
  work: (repo: CaseRepository, keys: AuditKeys) => Promise<T>,
) => Promise<T>;

export async function commandAudit(
  sub: string | undefined,
  args: string[],
  io: Io,
  openStore: StoreOpener,
): Promise<number> {
  switch (sub) {
    case 'verify':
      return auditVerify(args, io, openStore);
    case 'anchor':
      return auditAnchor(args, io, openStore);
    case 'restate':
      return auditRestate(args, io, openStore);
    default:
      throw new UsageError('Say "audit verify [--case <ref>] [--json]", "audit anchor" or "audit restate".');
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function line(f: AuditFinding): string {
  const where = f.reference === 'store' ? 'the store' : `case ${f.reference}`;
  return `${where}${f.seq !== undefined ? `, event ${f.seq}` : ''}: ${f.problem} (${f.kind})`;
}

function parseCheckpoint(text: string | undefined): { seq: number; seal: string } | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d{1,12}):([0-9a-fA-F]{12,64})$/.exec(text.trim());
  if (!match)
    throw new UsageError(
      `--checkpoint must be a checkpoint's number and the start of its seal as "audit verify" printed them, such as 42:3f9a0c12d4e5 (it is "${text}").`,
    );
  return { seq: Number(match[1]), seal: String(match[2]) };
}

function summary(report: AuditReport, io: Io): void {
  const anchor = report.latest
    ? `the anchor holds ${plural(report.checkpoints, 'checkpoint')}, the latest ${report.latest.seq} sealed ${report.latest.seal.slice(0, 16)} (keep this pair somewhere apart from the store; "--checkpoint ${report.latest.seq}:${report.latest.seal.slice(0, 16)}" checks it is still there)`
    : 'the anchor holds no checkpoints';
  if (!report.findings.length) {
    io.out(
      `ok: ${plural(report.checked, 'case')} and ${report.events} events verified; every timeline is whole and unaltered`,
    );
    io.out(anchor);
    return;
  }
  const kinds = new Map<string, number>();
  for (const f of report.findings) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  const cases = new Set(report.findings.filter((f) => f.reference !== 'store').map((f) => f.reference)).size;
  io.err(
    `${plural(report.findings.length, 'break')} found${cases ? ` in ${plural(cases, 'case')}` : ''} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}); ${plural(report.checked, 'case')} and ${report.events} events checked; ${anchor}`,
  );
}

export async function auditVerify(args: string[], io: Io, openStore: StoreOpener): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      case: { type: 'string' },
      db: { type: 'string' },
      json: { type: 'boolean', default: false },
      checkpoint: { type: 'string' },
    },
    strict: true,
  });
  const reference = values.case?.trim().toUpperCase();
  if (reference !== undefined && !parseCaseReference(reference))
    throw new UsageError(`--case must be a case reference such as NS-2026-0042 (it is "${values.case}").`);
  const expectCheckpoint = parseCheckpoint(values.checkpoint);
  return openStore(io, values.db, async (repo, keys) => {
    const report = await verifyStore(repo, {
      key: keys.auditKey,
      vault: keys.vault,
      ...(reference ? { reference } : {}),
      ...(expectCheckpoint ? { expectCheckpoint } : {}),
    });
    if (values.json) {
      io.out(JSON.stringify({ ok: report.findings.length === 0, ...report }));
    } else {
      for (const f of report.findings) io.err(`BROKEN: ${line(f)}`);
      for (const w of report.warnings) io.err(`warning: ${line(w)}`);
      summary(report, io);
    }
    return report.findings.length ? 1 : 0;
  });
}

export async function auditAnchor(args: string[], io: Io, openStore: StoreOpener): Promise<number> {
  const { values } = parseArgs({ args, options: { db: { type: 'string' } }, strict: true });
  return openStore(io, values.db, async (repo) => {
    let added = 0;
    for (const reference of await repo.allReferences()) if (await repo.anchorCase(reference)) added++;
    io.out(
      added
        ? `${plural(added, 'case')} added to the store-wide anchor (run "audit verify" first: whatever a case holds now is what is anchored)`
        : 'every case is already in the store-wide anchor',
    );
    return 0;
  });
}

/**
 * `audit restate`: what each replica does at start-up, on demand: every case whose stored state or
 * record is not what its events give (by this release) is rewritten from its events; a case whose
 * timeline does not verify is left as it is. Exit 1 if any case was left.
 */
export async function auditRestate(args: string[], io: Io, openStore: StoreOpener): Promise<number> {
  const { values } = parseArgs({ args, options: { db: { type: 'string' } }, strict: true });
  return openStore(io, values.db, async (repo, keys) => {
    const report = await restateStore(repo, {
      key: keys.auditKey,
      report: (msg, { reference }) => io.err(`case ${reference}: ${msg}`),
    });
    io.out(
      report.restated
        ? `brought ${plural(report.restated, 'case')} up to date after an upgrade (${plural(report.checked, 'case')} checked)`
        : `every case is up to date with this release (${plural(report.checked, 'case')} checked)`,
    );
    if (report.raced)
      io.out(
        `${plural(report.raced, 'case')} changed meanwhile and ${report.raced === 1 ? 'was' : 'were'} left to that change`,
      );
    const left = report.refused.length + report.failed.length;
    if (left)
      io.err(`${plural(left, 'case')} left as ${left === 1 ? 'it was' : 'they were'}: run "audit verify" to see why`);
    return left ? 1 : 0;
  });
}
