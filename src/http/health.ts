/**
 * GET /healthz: the store answers a small read (within two seconds, or the answer is 503), the
 * outbox's depth and the age of its oldest pending item, and what this replica runs (boards,
 * sweeper, Slack).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StoreError, type CaseRepository } from '../app/store/repository';
import { sendJson } from './server';

export interface HealthDeps {
  repo: CaseRepository;
  startedAt: string;
  /** What this replica runs, shown when the store answers. */
  describe: () => Record<string, unknown>;
  /** How deep the outbox is and how old its oldest pending item. */
  outbox?: () => Promise<Record<string, unknown>>;
  timeoutMs?: number;
}

export function healthHandler(deps: HealthDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreError('unavailable', 'The store did not answer in time.')),
        deps.timeoutMs ?? 2000,
      );
    });
    try {
      const [, outbox] = await Promise.race([
        Promise.all([deps.repo.dueCases(new Date().toISOString(), 1), deps.outbox?.()]),
        slow,
      ]);
      sendJson(res, 200, {
        status: 'ok',
        startedAt: deps.startedAt,
        store: { kind: deps.repo.kind, status: 'ok' },
        ...(outbox ? { outbox } : {}),
        ...deps.describe(),
      });
    } catch (error) {
      sendJson(
        res,
        503,
        {
          status: 'unavailable',
          store: {
            kind: deps.repo.kind,
            status: 'unavailable',
            problem: error instanceof StoreError ? error.code : 'error',
          },
        },
        { 'retry-after': '2' },
      );
    } finally {
      clearTimeout(timer);
    }
  };
}
