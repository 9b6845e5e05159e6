/**
 * The Teams side itself (botbuilder, Adaptive Card templates): its door at POST /api/messages, its
 * outlet and the bot. Loaded by ./teams when Teams is first needed, never at start otherwise.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EscalationTeamsBot } from '../channels/teams/bot';
import { handleTeams, teamsDoor } from '../channels/teams/http';
import { TeamsOutlet } from '../channels/teams/outlet';
import type { TeamsSideDeps } from './teams';

export interface LiveTeams {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  outlet: TeamsOutlet;
  idle(): Promise<void>;
}

export function liveTeams(deps: TeamsSideDeps): LiveTeams {
  const { config, report } = deps;
  const door = teamsDoor(config, deps.warn, deps.fail);
  const outlet = new TeamsOutlet({
    adapter: door.adapter,
    appId: config.MicrosoftAppId ?? '',
    repo: deps.repo,
    directory: deps.directory,
    clock: deps.clock,
    serviceUrl: config.TEAMS_SERVICE_URL,
    localClient: deps.localClient,
    report,
  });
  const bot = new EscalationTeamsBot({
    localClient: deps.localClient,
    ...(deps.downloads ? { downloads: deps.downloads } : {}),
    report,
    service: deps.service,
    repo: deps.repo,
    documents: deps.documents,
    outlet,
    owed: deps.owed,
    procedures: deps.procedures,
    directory: deps.directory,
    ...(deps.identity ? { identity: deps.identity } : {}),
    ...(deps.directoryCommands ? { directoryCommands: deps.directoryCommands } : {}),
    clock: deps.clock,
  });
  return { handle: (req, res) => handleTeams(door, bot, req, res), outlet, idle: () => bot.idle() };
}
