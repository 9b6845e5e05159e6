/**
 * Demo data for a board that has none yet: realistic cases across the five boards, each raised
 * and acted on through the real core, service and calendar with a virtual clock (resolved at
 * various stages, decided, withdrawn, some left open and overdue). The agencies and people are
 * invented, and so are the adults (initials only; no personal details are stored).
 */
import type { Directory } from '../domain/directory';
import { directorySchema } from '../domain/directory';
import { availableCommands, calendarFor, type CaseCommand } from '../domain/escalation';
import type { Procedure } from '../domain/procedure';
import { CaseService } from './case-service';
import { actorFor } from './people';
import { PersonalDataVault } from './store/personal-data';
import type { CaseRepository } from './store/repository';

const KINDS = [
  ['council', 'Council Adult Social Care', 'local-authority'],
  ['nhs', 'NHS Foundation Trust', 'nhs'],
  ['police', 'Police', 'police'],
  ['housing', 'Housing Association', 'housing'],
  ['voluntary', 'Carers’ Centre', 'voluntary'],
] as const;

/** Invented agencies for every board, with someone in every role, and each board's own staff. */
export function demoDirectory(procedures: Iterable<Procedure>): Directory {
  const agencies: Array<Record<string, unknown>> = [];
  const people: Array<Record<string, unknown>> = [];
  for (const p of procedures) {
    const place = p.name
      .replace(/ Safeguarding Adults (Board|Partnership Board)$/i, '')
      .replace(/^(London Borough of )/, '');
    const agencyRoles = p.roles.filter((r) => r.scope !== 'board').map((r) => r.id);
    const boardRoles = p.roles.filter((r) => r.scope === 'board').map((r) => r.id);
    for (const [kind, name, type] of KINDS) {
      const id = `demo-${p.id}-${kind}`;
      agencies.push({
        id,
        name: `${place} ${name} (demo)`,
        kind: type,
        boards: [p.id],
        platform: 'teams',
        example: true,
      });
      for (const role of agencyRoles)
        people.push({
          id: `${id}-${role}`,
          name: `${role} (${kind}, demo)`,
          email: `${role}.${kind}@${p.id}.demo.example.org`,
          agency: id,
          roles: [role],
          example: true,
        });
    }
    const board = `demo-${p.id}-board`;
    agencies.push({
      id: board,
      name: `${p.name} (demo)`,
      kind: 'safeguarding-adults-board',
      boards: [p.id],
      platform: 'teams',
      example: true,
    });
    for (const role of boardRoles)
      people.push({
        id: `${board}-${role}`,
        name: `${role} (board, demo)`,
        email: `${role}@${p.id}.demo.example.org`,
        agency: board,
        roles: [role],
        example: true,
      });
  }
  return directorySchema.parse({ agencies, people });
}

/** A fixed pseudo-random sequence, so the same command makes the same data. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

export interface DemoResult {
  cases: number;
  byBoard: Record<string, number>;
  byOutcome: Record<string, number>;
}

/**
 * Fill `repo` with `count` cases raised across the quarter from `start` (13 weeks), as of
 * `asOf`; later actions never go past it, so some cases are left open and overdue.
 */
export async function seedDemo(
  repo: CaseRepository,
  procedures: ReadonlyMap<string, Procedure>,
  count: number,
  start: Date,
  asOf: Date,
  seed = 42,
): Promise<DemoResult> {
  const boards = [...procedures.values()];
  const directory = demoDirectory(boards);
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  let now = start;
  const service = new CaseService(repo, procedures, new PersonalDataVault(Buffer.alloc(32, 42)), () => now, directory);
  const result: DemoResult = { cases: 0, byBoard: {}, byOutcome: {} };
  const span = asOf.getTime() - start.getTime();
  for (let i = 0; i < count; i++) {
    const procedure = pick(boards);
    const calendar = calendarFor(procedure);
    // Raised at a working moment in the quarter (cases run in order of raising).
    let raisedAt = calendar.nextWorkingTime(new Date(start.getTime() + ((i + rnd() * 0.5) / count) * span * 0.9));
    raisedAt = new Date(raisedAt.getTime() + Math.floor(rnd() * 6) * 3_600_000);
    if (!calendar.isWorkingTime(raisedAt)) raisedAt = calendar.nextWorkingTime(raisedAt);
    now = raisedAt;
    const [raisingKind, respondingKind] = (() => {
      const a = pick(KINDS);
      let b = pick(KINDS);
      while (b === a) b = pick(KINDS);
      return [a[0], b[0]];
    })();
    const raisingAgency = `demo-${procedure.id}-${raisingKind}`;
    const respondingAgency = `demo-${procedure.id}-${respondingKind}`;
    const firstRoles = procedure.stages[0]?.sides?.raising ?? [];
    const raiser = directory.people.find(
      (p) => p.agency === raisingAgency && p.roles.some((r) => firstRoles.includes(r)),
    );
    const counterpart = directory.people.find(
      (p) =>
        p.agency === respondingAgency &&
        p.roles.some((r) => (procedure.stages[0]?.sides?.responding ?? []).includes(r)),
    );
    if (!raiser) continue;
    const categories = procedure.categories?.map((c) => c.id) ?? ['other'];
    const raised = await service.raise({
      boardId: procedure.id,
      command: {
        type: 'raise',
        actor: actorFor(directory, raiser, now),
        immediateRisk: false,
        respondingAgency: { id: respondingAgency, boards: [procedure.id] },
        ...(counterpart ? { respondingPersonId: counterpart.id } : {}),
        form: {
          initials: `${String.fromCharCode(65 + Math.floor(rnd() * 26))} ${String.fromCharCode(65 + Math.floor(rnd() * 26))}`,
          category: pick(categories),
          summary: 'A demonstration disagreement between two invented agencies about an adult’s care and support.',
          outcomeWanted: 'A joint plan agreed by both agencies.',
          safetyMeanwhile: 'Care visits continue.',
        },
      },
    });
    if (!raised.ok) continue;
    const ref = raised.case.reference;
    const involved = directory.people.filter((p) =>
      [raisingAgency, respondingAgency, `demo-${procedure.id}-board`].includes(p.agency),
    );
    const who = async (type: CaseCommand['type'], prefer?: string): Promise<string | undefined> => {
      const s = (await repo.getCase(ref))?.state;
      if (!s) return undefined;
      const order = [...involved].sort((a, b) => (a.agency === prefer ? -1 : b.agency === prefer ? 1 : 0));
      return order.find((p) => availableCommands(s, actorFor(directory, p, now), now).includes(type))?.id;
    };
    const act = async (
      type: CaseCommand['type'],
      extra: Record<string, string> = {},
      prefer?: string,
    ): Promise<boolean> => {
      // The next step comes a few hours to two days later, never after asOf.
      const next = calendar.nextWorkingTime(new Date(now.getTime() + (0.1 + rnd() * 1.8) * 86_400_000));
      if (next > asOf) return false;
      now = next;
      const by = await who(type, prefer);
      if (!by) return false;
      const person = directory.people.find((p) => p.id === by);
      if (!person) return false;
      const outcome = await service.act(ref, {
        type,
        ...extra,
        actor: actorFor(directory, person, now),
      } as CaseCommand);
      return outcome.ok;
    };
    const fate = rnd();
    const climb = fate < 0.5 ? Math.floor(rnd() * 3) : fate < 0.65 ? 10 : Math.floor(rnd() * 2);
    await act('acknowledge', {}, respondingAgency);
    for (let k = 0; k < climb; k++) {
      await act('add-note', { text: 'Discussed; no agreement yet.' }, pick([raisingAgency, respondingAgency]));
      if (!(await act('request-escalation', { reason: 'No agreement at this stage.' }, raisingAgency))) break;
      await act('approve-escalation', {}, raisingAgency);
      await act('acknowledge', {}, raisingAgency);
      await act('acknowledge', {}, respondingAgency);
    }
    if (fate < 0.5) {
      if (
        await act(
          'propose-resolution',
          { outcome: 'A joint plan is agreed.', outstandingIssues: 'Reviewed in a month.' },
          respondingAgency,
        )
      )
        await act('confirm-resolution', {}, raisingAgency);
    } else if (fate < 0.65) {
      if (!(await act('record-final-decision', { decision: 'The board decides on a joint plan.' }))) {
        if (
          await act(
            'propose-resolution',
            { outcome: 'A joint plan is agreed.', outstandingIssues: 'None.' },
            respondingAgency,
          )
        )
          await act('confirm-resolution', {}, raisingAgency);
      }
    } else if (fate < 0.75) {
      await act('withdraw', { reason: 'Resolved informally by phone.' }, raisingAgency);
    }
    const status = (await repo.getCase(ref))?.state.status ?? 'open';
    result.cases++;
    result.byBoard[procedure.id] = (result.byBoard[procedure.id] ?? 0) + 1;
    result.byOutcome[status] = (result.byOutcome[status] ?? 0) + 1;
  }
  return result;
}
