/**
 * Raising a case from Slack: `/escalate` asks which board (where the agency has several), then
 * the board's own question about immediate risk on its own; "yes" shows the board's guidance and
 * contacts at once (and stops, or goes on to the form marked urgent), "no" goes to the form. Every
 * problem with the form comes back at once, beside its question. A raised case is stored with
 * what it owes (its private channel, its card, word to the counterpart), which the delivery
 * worker does (./case-channel): nothing is left to run after the answer.
 */
import { boardOf, boardsOf, NO_BOARD, WHICH_BOARD } from '../../app/boards';
import { actorFor } from '../../app/people';
import { FIELDS, formFieldOf, IMMEDIATE_RISK, raiseRequestFrom, type Submitted } from '../../app/raise-request';
import { SOME_ANSWERS } from '../../domain/escalation';
import type { Person } from '../../domain/directory';
import { slashFindingWork } from './finding-work';
import type { Procedure } from '../../domain/procedure';
import {
  boardModal,
  emergencyBlocks,
  messageModal,
  raiseFormModal,
  riskModal,
  urgentModal,
  type RaiseMetadata,
} from './raise-modals';
import { answers, parse, teamOf, type SlackParts } from './listeners';

/** The form's questions, by block id: a problem can only be shown beside one of these. */
const ON_THE_FORM: ReadonlySet<string> = new Set(FIELDS.filter((f) => f !== 'immediateRisk'));

/** Problems keyed by the form's blocks; any other (or none) is shown under the first description. */
function onTheForm(fields: Record<string, string>, message: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const elsewhere: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    const block = formFieldOf(k);
    if (ON_THE_FORM.has(block)) errors[block] ??= v;
    else elsewhere.push(v);
  }
  if (elsewhere.length > 0 || Object.keys(errors).length === 0)
    errors.summary = [errors.summary, ...(elsewhere.length ? elsewhere : [message])].filter(Boolean).join(' ');
  return errors;
}

export function registerRaising(parts: SlackParts): void {
  const { app, client, deps, person, who, fail, busyRefusal } = parts;
  const { directory, service } = deps;
  const board = (p: Person, requested?: string) => boardOf(directory, deps.procedures, p, requested);
  const agencyOf = (p: Person) => directory.agencies.find((a) => a.id === p.agency);
  /** The person and their board for a modal's submission, or the words to show instead. */
  const whoAndBoard = async (
    userId: string,
    team: string | undefined,
    metadata: RaiseMetadata,
  ): Promise<{ raiser: Person; procedure: Procedure } | { words: string }> => {
    const { person: raiser, words } = await who(userId, team);
    const procedure = raiser ? board(raiser, metadata.board) : undefined;
    if (!raiser || !procedure) return { words: raiser ? NO_BOARD : words };
    return { raiser, procedure };
  };
  const said = (words: string) => ({
    response_action: 'update' as const,
    view: messageModal('Raise an escalation', [{ type: 'section', text: { type: 'mrkdwn', text: words } }]),
  });

  app.command('/escalate', async ({ command, ack }) => {
    // `/escalate help`, `my cases`, `approvals` or a case reference: finding your work, not raising.
    if (await slashFindingWork(parts, { command, ack })) return;
    const { person: raiser, words } = await who(command.user_id, command.team_id);
    if (!raiser) return ack({ response_type: 'ephemeral', text: words });
    const boards = boardsOf(directory, deps.procedures, raiser);
    const procedure = boards[0];
    if (!procedure) return ack({ response_type: 'ephemeral', text: NO_BOARD });
    await ack();
    const mentioned = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/.exec(command.text)?.[1];
    const counterpart = person(mentioned);
    const metadata: RaiseMetadata = {
      board: procedure.id,
      channel: command.channel_id,
      ...(counterpart ? { counterpartEmail: counterpart.email } : {}),
    };
    // The board's own question comes first; where the agency has several boards, which board before it.
    const view = boards.length > 1 ? boardModal(boards, metadata) : riskModal(procedure, metadata);
    await client.views
      .open({ trigger_id: command.trigger_id, view })
      .catch((e: unknown) => fail('Could not open the raising form', e));
  });

  app.view('raise-board', async ({ ack, body, view }) => {
    const { person: raiser, words } = await who(body.user.id, teamOf(body));
    if (!raiser) return ack(said(words));
    const metadata = parse<RaiseMetadata>(view.private_metadata) ?? { board: '' };
    const chosen = answers(view.state.values).board;
    const procedure = boardsOf(directory, deps.procedures, raiser).find((p) => p.id === chosen);
    if (!procedure) return ack({ response_action: 'errors', errors: { board: WHICH_BOARD.problem } });
    return ack({ response_action: 'update', view: riskModal(procedure, { ...metadata, board: procedure.id }) });
  });

  app.view('raise-risk', async ({ ack, body, view }) => {
    const metadata = parse<RaiseMetadata>(view.private_metadata) ?? { board: '' };
    const found = await whoAndBoard(body.user.id, teamOf(body), metadata);
    if ('words' in found) return ack(said(found.words));
    const { raiser, procedure } = found;
    const risk = procedure.immediateRisk ? answers(view.state.values).immediateRisk : 'no';
    if (risk !== 'yes' && risk !== 'no')
      return ack({ response_action: 'errors', errors: { immediateRisk: IMMEDIATE_RISK.unanswered } });
    const next = { ...metadata, board: procedure.id };
    if (risk === 'no')
      return ack({ response_action: 'update', view: raiseFormModal(procedure, directory, raiser, next, deps.clock()) });
    // Yes: the board's guidance and contacts at once, before any other question.
    if (procedure.immediateRisk?.onYes === 'refuse')
      return ack({
        response_action: 'update',
        view: messageModal(
          'Immediate risk',
          emergencyBlocks(procedure, agencyOf(raiser), IMMEDIATE_RISK.refused('with /escalate')),
        ),
      });
    return ack({ response_action: 'update', view: urgentModal(procedure, agencyOf(raiser), next) });
  });

  app.view('raise-urgent', async ({ ack, body, view }) => {
    const metadata = parse<RaiseMetadata>(view.private_metadata) ?? { board: '' };
    const found = await whoAndBoard(body.user.id, teamOf(body), metadata);
    if ('words' in found) return ack(said(found.words));
    const { raiser, procedure } = found;
    const next = { ...metadata, board: procedure.id, urgent: true };
    return ack({ response_action: 'update', view: raiseFormModal(procedure, directory, raiser, next, deps.clock()) });
  });

  app.view('raise-form', async ({ ack, body, view }) => {
    const metadata = parse<RaiseMetadata>(view.private_metadata) ?? { board: '' };
    const found = await whoAndBoard(body.user.id, teamOf(body), metadata);
    if ('words' in found) return ack({ response_action: 'errors', errors: { initials: found.words } });
    const { raiser, procedure } = found;
    const now = deps.clock();
    const actor = actorFor(directory, raiser, now);
    const values: Submitted = { ...answers(view.state.values), immediateRisk: metadata.urgent ? 'yes' : 'no' };
    // Every problem at once, beside its question; nothing is stored. The view's id is the same
    // for a repeated submission: a retry never makes a second case.
    const built = raiseRequestFrom(procedure, directory, { actor }, values, `slack:${view.id}`, now);
    if (!built.ok) return ack({ response_action: 'errors', errors: onTheForm(built.errors, SOME_ANSWERS) });
    const outcome = await service.raise({ ...built.request, origin: { platform: 'slack' } }).catch(busyRefusal);
    if (!outcome.ok)
      return ack({
        response_action: 'errors',
        errors: onTheForm(outcome.refusal.fields ?? {}, outcome.refusal.message),
      });
    const stored = outcome.case;
    const raised = `Escalation ${stored.reference} is raised. A private channel for it is being opened, with its card and the deadline for ${procedure.stages[0]?.name ?? 'the first stage'}.`;
    await ack({
      response_action: 'update',
      view: messageModal(
        `Raised ${stored.reference}`,
        stored.state.urgent
          ? emergencyBlocks(procedure, agencyOf(raiser), `${raised} It is marked urgent.`)
          : [{ type: 'section', text: { type: 'mrkdwn', text: raised } }],
      ),
    });
  });
}
