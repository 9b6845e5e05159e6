/**
 * A simulated case for boards and newcomers: one case that nobody acts on, run through the real
 * core, the real sweeper and the real calendar with a virtual clock, on a store of its own. The
 * people are invented: two agencies under the board, each with someone in every role the
 * procedure names, and the board's own staff.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Directory } from '../domain/directory';
import { directorySchema } from '../domain/directory';
import type { CaseEvent } from '../domain/escalation';
import type { Procedure } from '../domain/procedure';
import { SqliteRepository } from '../store/sqlite/sqlite-repository';
import { CaseService } from './case-service';
import { actorFor } from './people';
import { PersonalDataVault } from './store/personal-data';
import { Sweeper } from './sweeper';

export interface SimulatedTimer {
  at: string;
  kind: 'reminder' | 'nudge' | 'notification';
  stage: string;
  roles: string[];
  /** Which sides or the board it went to. */
  to: string[];
  text: string;
}

/** Two invented agencies (and the board's own) with someone in every role of the procedure. */
export function simulationDirectory(procedure: Procedure, platform: 'teams' | 'slack' = 'teams'): Directory {
  const boardRoles = procedure.roles.filter((r) => r.scope === 'board').map((r) => r.id);
  const agencyRoles = procedure.roles.filter((r) => r.scope !== 'board').map((r) => r.id);
  const slack = platform === 'slack' ? { slack: { teamId: 'TSIMULATE' } } : {};
  const agencies = [
    {
      id: 'agency-a',
      name: 'Agency A (raising)',
      kind: 'local-authority',
      boards: [procedure.id],
      platform,
      ...slack,
      example: true,
    },
    {
      id: 'agency-b',
      name: 'Agency B (responding)',
      kind: 'nhs',
      boards: [procedure.id],
      platform,
      ...slack,
      example: true,
    },
    {
      id: 'the-board',
      name: 'The board',
      kind: 'safeguarding-adults-board',
      boards: [procedure.id],
      platform,
      ...slack,
      example: true,
    },
  ];
  let n = 0;
  const slackId = (): Record<string, string> =>
    platform === 'slack' ? { slackUserId: `USIM${String(++n).padStart(4, '0')}` } : {};
  const people = [
    ...['a', 'b'].flatMap((side) =>
      agencyRoles.map((role) => ({
        id: `${side}-${role}`,
        name: `${role} at ${side.toUpperCase()}`,
        email: `${role}@${side}.example.org`,
        agency: `agency-${side}`,
        roles: [role],
        ...slackId(),
        example: true,
      })),
    ),
    ...boardRoles.map((role) => ({
      id: `board-${role}`,
      name: `${role} of the board`,
      email: `${role}@board.example.org`,
      agency: 'the-board',
      roles: [role],
      ...slackId(),
      example: true,
    })),
  ];
  return directorySchema.parse({ agencies, people });
}

export async function simulate(procedure: Procedure, raisedAt: Date, until: Date): Promise<SimulatedTimer[]> {
  const directory = simulationDirectory(procedure);
  const dir = mkdtempSync(join(tmpdir(), 'simulate-'));
  const repo = SqliteRepository.open(join(dir, 'simulation.sqlite'));
  let now = raisedAt;
  const clock = (): Date => now;
  try {
    const service = new CaseService(
      repo,
      new Map([[procedure.id, procedure]]),
      new PersonalDataVault(Buffer.alloc(32, 1)),
      clock,
    );
    // What the timers owe is left in the outbox: the simulation reads their records, not what was sent.
    const sweeper = new Sweeper({ repo, directory, clock, owner: 'simulation' });
    const raiser =
      directory.people.find(
        (p) => p.agency === 'agency-a' && p.roles.some((r) => procedure.stages[0]?.sides?.raising.includes(r)),
      ) ?? directory.people[0];
    if (!raiser) throw new Error('The simulation has nobody to raise the case.');
    const counterpart = directory.people.find(
      (p) => p.agency === 'agency-b' && p.roles.some((r) => procedure.stages[0]?.sides?.responding?.includes(r)),
    );
    const raised = await service.raise({
      boardId: procedure.id,
      command: {
        type: 'raise',
        actor: actorFor(directory, raiser, raisedAt),
        immediateRisk: false,
        respondingAgency: { id: 'agency-b', boards: [procedure.id] },
        ...(counterpart ? { respondingPersonId: counterpart.id } : {}),
        form: {
          initials: 'A B',
          category: procedure.categories?.[0]?.id ?? 'other',
          summary: 'A simulated disagreement that nobody acts on, to show when reminders and nudges go.',
          outcomeWanted: 'To see the timeline.',
          safetyMeanwhile: 'Nobody: this is a simulation.',
        },
      },
    });
    if (!raised.ok) throw new Error(raised.refusal.message);
    const reference = raised.case.reference;
    // Jump the clock from one due instant to the next, sweeping at each.
    for (let guard = 0; guard < 10_000; guard++) {
      const due = (await repo.getCase(reference))?.dueAt;
      if (!due || new Date(due) > until) break;
      now = new Date(Math.max(now.getTime(), new Date(due).getTime()));
      await sweeper.tick();
    }
    const events = (await repo.getEvents(reference)).map((e) => e.event);
    return events
      .filter((e): e is Extract<CaseEvent, { type: 'timer-fired' }> => e.type === 'timer-fired')
      .map((e) => ({
        at: e.at,
        kind: e.kind,
        stage: e.stage,
        roles: e.roles,
        to: [
          ...new Set(
            e.recipients.map((id) => (id.startsWith('a-') ? 'raising' : id.startsWith('b-') ? 'responding' : 'board')),
          ),
        ],
        text: e.text,
      }));
  } finally {
    await repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
