/** After an upgrade, cases stored by the release before are brought up to date with this one, in the background. */
import { restateStore } from '../app/restate';
import type { AuditKey } from '../app/store/chain';
import type { CaseRepository } from '../app/store/repository';

type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export function restateInBackground(
  repo: CaseRepository,
  key: AuditKey,
  log: Log,
): { done: Promise<void>; abort: () => void } {
  const stop = new AbortController();
  const done = restateStore(repo, {
    key,
    signal: stop.signal,
    report: (msg, fields) => log('warn', msg, fields),
  }).then(
    (r) =>
      log(
        'info',
        r.restated
          ? `brought ${r.restated} case${r.restated === 1 ? '' : 's'} up to date after an upgrade`
          : 'every case is up to date with this release',
        {
          checked: r.checked,
          restated: r.restated,
          raced: r.raced,
          refused: r.refused.length,
          failed: r.failed.length,
        },
      ),
    (error: unknown) =>
      log('error', 'Cases could not be brought up to date after an upgrade', {
        error: error instanceof Error ? error.message : String(error),
      }),
  );
  return { done, abort: () => stop.abort() };
}
