/**
 * Wiring the health routes: /healthz (what the bot is doing, in counts) and the probes /livez and
 * /readyz (src/http/probes.ts: ready or not to anyone, what is not ready only to this machine).
 */
import type { Delivery } from '../app/delivery';
import type { GroupSync } from '../app/directory/group-sync';
import type { FiguresSchedule } from '../app/reports/schedule';
import type { CaseRepository } from '../app/store/repository';
import type { Sweeper } from '../app/sweeper';
import type { Config } from '../config';
import type { Directory } from '../domain/directory';
import { healthHandler } from '../http/health';
import { probeRoutes } from '../http/probes';
import type { Route } from '../http/server';

type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export function healthRoutes(deps: {
  config: Config;
  repo: CaseRepository;
  delivery: Delivery;
  sweeper: Sweeper;
  figures: FiguresSchedule;
  groupSync: GroupSync;
  slackOn: boolean;
  boards: string[];
  directory: Directory;
  clock: () => Date;
  log: Log;
}): { routes: Route[]; stop: () => void } {
  const { config, repo, delivery, sweeper, directory } = deps;
  const health = healthHandler({
    repo,
    startedAt: new Date().toISOString(),
    outbox: async () => {
      const stats = await repo.outboxStats();
      return {
        ...stats,
        ...(stats.oldestPendingAt
          ? { oldestPendingSeconds: Math.max(0, Math.round((Date.now() - Date.parse(stats.oldestPendingAt)) / 1000)) }
          : {}),
        ...(delivery.status.at ? { lastLook: delivery.status.at } : {}),
        ...(delivery.status.error ? { problem: delivery.status.error } : {}),
      };
    },
    describe: () => ({
      sweeper:
        config.SWEEP_INTERVAL_SECONDS > 0
          ? { everySeconds: config.SWEEP_INTERVAL_SECONDS, ...(sweeper.last ? { lastSweep: sweeper.last } : {}) }
          : { off: true },
      slack: deps.slackOn ? 'on' : 'off',
      figures: deps.figures.describe(deps.clock()),
      groups: deps.groupSync.describe(config.GROUP_SYNC_MINUTES),
      boards: deps.boards,
      agencies: directory.agencies.length,
      people: directory.people.length,
    }),
  });
  const probes = probeRoutes({
    storeRead: () => repo.dueCases(new Date().toISOString(), 1),
    ...(config.SWEEP_INTERVAL_SECONDS > 0
      ? { sweeper: { beat: sweeper.beat, everyMs: config.SWEEP_INTERVAL_SECONDS * 1000 } }
      : {}),
    outbox: delivery,
    log: deps.log,
  });
  return {
    routes: [{ paths: ['/healthz', '/'], methods: { GET: health, HEAD: health }, untraced: true }, ...probes.routes],
    stop: probes.stop,
  };
}
