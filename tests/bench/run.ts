/**
 * `npm run bench`: every figure as `name: min/median/max unit (ratio …, limit …) PASS|FAIL` (see
 * ./figures.ts). Peers each run in a process of their own (./procs.ts, ./peer.ts), load is
 * open-loop, each figure is several runs with its peer or floor measured in the same run, and a
 * figure out of its limit fails the run (exit code 1). `npm run bench -- slack sweep` runs only
 * those groups: calendar, core, sqlite, cosmos, teams, slack, sweep, outbox, start, report, storage.
 */
import { benchCalendar } from './calendar';
import { benchCore } from './core';
import { failed } from './figures';
import { benchCosmos, benchSqlite } from './store';
import { benchTeams } from './teams';
import { benchSlack } from './slack';
import { benchSweep } from './sweep';
import { benchOutbox } from './outbox';
import { benchStart } from './start';
import { benchReport } from './report';
import { benchStorage } from './storage';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const groups: Array<[string, () => void | Promise<void>]> = [
    ['calendar', benchCalendar],
    ['core', benchCore],
    ['sqlite', benchSqlite],
    ['cosmos', benchCosmos],
    ['start', benchStart],
    ['report', benchReport],
    ['storage', benchStorage],
    ['slack', benchSlack],
    ['teams', benchTeams],
    ['sweep', benchSweep],
    ['outbox', benchOutbox],
  ];
  const unknown = only.filter((name) => !groups.some(([g]) => g === name));
  if (unknown.length) throw new Error(`no such figures: ${unknown.join(', ')}`);
  process.stdout.write(
    'Figures are min/median/max of several runs; the limit is checked against the median. This machine is shared: figures are noisy.\n',
  );
  for (const [name, bench] of groups) {
    if (only.length && !only.includes(name)) continue;
    try {
      await bench();
    } catch (error) {
      process.stdout.write(`${name}: not measured (${error instanceof Error ? error.message : String(error)}) FAIL\n`);
      process.exitCode = 1;
    }
  }
  const out = failed();
  if (out.length) {
    process.stdout.write(`\nFAIL: ${out.length} figure(s) out of their limits: ${out.join(', ')}\n`);
    process.exitCode = 1;
  } else if (!process.exitCode) process.stdout.write('\nPASS: every figure within its limit\n');
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  // A peer left behind by a failure must not keep the run waiting.
  .finally(() => process.exit());
