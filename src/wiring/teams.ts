/**
 * Teams at the points of construction: botbuilder and the Adaptive Card templates (./teams-live)
 * are loaded at start only when Teams is configured (a Microsoft app id, or the local client of
 * `npm start`); otherwise with the first Teams request or the first delivery to someone in Teams
 * (local development mode, where requests come from this computer only), so a bot serving
 * Slack alone, or nobody yet, starts without them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Outlet } from '../app/outlet';
import type { Config } from '../config';
import type { TeamsBotDeps } from '../channels/teams/turns';
import type { TeamsOutlet } from '../channels/teams/outlet';
import type * as Live from './teams-live';

export interface TeamsSideDeps extends Omit<TeamsBotDeps, 'outlet' | 'report' | 'owed' | 'localClient'> {
  config: Config;
  localClient: boolean;
  report: (message: string, fields: Record<string, unknown>) => void;
  /** Refusals (warnings) and failures on our side (errors), from the door. */
  warn: (message: string, fields: Record<string, unknown>) => void;
  fail: (message: string, fields: Record<string, unknown>) => void;
  owed: () => void;
}

export interface TeamsSide {
  /** POST /api/messages. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** For the delivery worker and the sweeper. */
  outlet: Outlet;
  /** Resolves once every turn being handled has finished (at once if Teams was never loaded). */
  idle(): Promise<void>;
  /** Whether botbuilder has been loaded. */
  readonly loaded: boolean;
}

export function teamsSide(deps: TeamsSideDeps): TeamsSide {
  let live: Live.LiveTeams | undefined;
  const load = (): Live.LiveTeams => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    live ??= (require('./teams-live') as typeof Live).liveTeams(deps);
    return live;
  };
  if (deps.config.MicrosoftAppId || deps.localClient) load();
  return {
    handle: (req, res) => load().handle(req, res),
    outlet: new LazyTeamsOutlet(() => load().outlet),
    idle: () => live?.idle() ?? Promise.resolve(),
    get loaded() {
      return live !== undefined;
    },
  };
}

/** The Teams outlet, loaded with its first call. */
class LazyTeamsOutlet implements Outlet {
  readonly platform = 'teams' as const;

  constructor(private readonly real: () => TeamsOutlet) {}

  openThread(...a: Parameters<TeamsOutlet['openThread']>): ReturnType<TeamsOutlet['openThread']> {
    return this.real().openThread(...a);
  }
  updateThreads(...a: Parameters<TeamsOutlet['updateThreads']>): ReturnType<TeamsOutlet['updateThreads']> {
    return this.real().updateThreads(...a);
  }
  updateMessage(...a: Parameters<TeamsOutlet['updateMessage']>): ReturnType<TeamsOutlet['updateMessage']> {
    return this.real().updateMessage(...a);
  }
  retireMessage(...a: Parameters<TeamsOutlet['retireMessage']>): ReturnType<TeamsOutlet['retireMessage']> {
    return this.real().retireMessage(...a);
  }
  tell(...a: Parameters<TeamsOutlet['tell']>): ReturnType<TeamsOutlet['tell']> {
    return this.real().tell(...a);
  }
  say(...a: Parameters<TeamsOutlet['say']>): ReturnType<TeamsOutlet['say']> {
    return this.real().say(...a);
  }
  sendFile(...a: Parameters<TeamsOutlet['sendFile']>): ReturnType<TeamsOutlet['sendFile']> {
    return this.real().sendFile(...a);
  }
  retryAfterMs(error: unknown): number | undefined {
    return this.real().retryAfterMs(error);
  }
}
