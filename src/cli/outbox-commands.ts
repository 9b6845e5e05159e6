/**
 * `outbox` and `outbox retry`: what the bot owes people and has not yet delivered (or could not),
 * and sending failed items again. Case references, kinds, platforms and people's ids only: an
 * item's payload (the words of a message) is not shown.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { OutboxItem } from '../app/store/outbox';
import { parseCaseReference } from '../domain/escalation';
import { loadConfig } from '../config';
import { openRepository } from '../store/open';
import type { Io } from './usage';

export const OUTBOX_USAGE = `  outbox [--failed] [--all] [--case <ref>] [--limit <n>] [--db <file>]
                                               what the bot still owes people (pending), or could not deliver (--failed)
  outbox retry [--case <ref>] [<item id> ...] [--db <file>]
                                               send failed items again (all, one case's, or the ones named)`;

const KIND_WORDS: Record<OutboxItem['kind'], string> = {
  'open-thread': "open the case's thread and post its card",
  'update-cards': "update the case's cards",
  'update-message': "update someone's own card",
  tell: 'message a person 1:1',
  say: "a line in the case's thread",
  'send-document': 'send a document someone asked for',
  'send-form': 'send a completed form to one of its recipients',
  'email-form': 'email a completed form to one of its contacts',
  'email-figures': "email a board's figures for a period to their recipient",
};

function problem(io: Io, text: string): number {
  io.err(`${text}\n\nUsage:\n${OUTBOX_USAGE}`);
  return 2;
}

function line(i: OutboxItem): string {
  return [
    i.id,
    i.status,
    i.platform,
    KIND_WORDS[i.kind],
    i.kind === 'tell' ||
    i.kind === 'send-document' ||
    i.kind === 'send-form' ||
    i.kind === 'email-form' ||
    i.kind === 'email-figures'
      ? `to ${i.recipient}`
      : '',
    `attempts ${i.attempts}${i.failures ? ` (${i.failures} failed)` : ''}`,
    i.status === 'pending' ? `next ${i.nextAttemptAt}` : i.status === 'done' ? `done ${i.doneAt ?? ''}` : '',
    i.lastError ? `last error: ${i.lastError}` : '',
  ]
    .filter(Boolean)
    .join('\t');
}

export async function commandOutbox(args: string[], io: Io): Promise<number> {
  const retry = args[0] === 'retry';
  const { values, positionals } = parseArgs({
    args: retry ? args.slice(1) : args,
    options: {
      failed: { type: 'boolean' },
      all: { type: 'boolean' },
      case: { type: 'string' },
      limit: { type: 'string' },
      db: { type: 'string' },
    },
    strict: true,
    allowPositionals: retry,
  });
  const reference = values.case?.trim().toUpperCase();
  if (reference !== undefined && !parseCaseReference(reference))
    return problem(io, `--case must be a case reference such as NS-2026-0042 (it is "${values.case}").`);
  const limit = values.limit === undefined ? 1000 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
    return problem(io, `--limit must be a whole number from 1 to 100000 (it is "${values.limit}").`);
  if (values.db !== undefined && !existsSync(values.db))
    return problem(io, `There is no database file "${values.db}".`);
  if (values.failed && values.all) return problem(io, 'Say --failed or --all, not both.');
  const repo = await openRepository(loadConfig(io.env), values.db ? { sqliteFile: values.db } : {});
  try {
    if (retry) {
      const again = await repo.retryOutbox(
        { ...(reference ? { reference } : {}), ...(positionals.length ? { ids: positionals } : {}) },
        new Date().toISOString(),
      );
      io.out(
        again
          ? `${again} failed item${again === 1 ? '' : 's'} will be sent again by the running bot (within a few seconds).`
          : 'No failed items matched: nothing to send again.',
      );
      return 0;
    }
    const status = values.all ? undefined : values.failed ? 'failed' : 'pending';
    const items = await repo.listOutbox({ ...(reference ? { reference } : {}), ...(status ? { status } : {}), limit });
    const stats = await repo.outboxStats();
    const oldest = stats.oldestPendingAt
      ? `, the oldest written ${Math.round((Date.now() - Date.parse(stats.oldestPendingAt)) / 1000)} s ago`
      : '';
    io.out(`${stats.pending} pending${oldest}; ${stats.failed} failed.`);
    io.out(
      `${items.length} ${status ?? 'item'}${status ? ' item' : ''}${items.length === 1 ? '' : 's'}, oldest first:`,
    );
    for (const item of items) io.out(line(item));
    return 0;
  } finally {
    await repo.close();
  }
}
