/**
 * Raising a case from Slack: `/escalate` opens the immediate-risk modal, then the raising form; a
 * raised case is stored with what it owes (its private channel, its card, word to the counterpart),
 * which the delivery worker does (./case-channel): nothing is left to run after the answer.
 */
import { boardOf, NO_BOARD } from '../../app/boards';
import { actorFor, NOT_IN_DIRECTORY } from '../../app/people';
import { formFieldOf, raiseRequestFrom, type Submitted } from '../../app/raise-request';
import type { Person } from '../../domain/directory';
import { slashFindingWork } from './finding-work';
import { emergencyBlocks, messageModal, raiseFormModal, riskModal, type RaiseMetadata } from './raise-modals';
import { answers, parse, type SlackParts } from './listeners';

export function registerRaising(parts: SlackParts): void {
  const { app, client, deps, person, fail, busyRefusal } = parts;
  const { directory, service } = deps;
  const board = (p: Person, requested?: string) => boardOf(directory, deps.procedures, p, requested);

  app.command('/escalate', async ({ command, ack }) => {
    // `/escalate help`, `my cases`, `approvals` or a case reference: finding your work, not raising.
    if (await slashFindingWork(parts, { command, ack })) return;
    const raiser = person(command.user_id);
    if (!raiser) return ack({ response_type: 'ephemeral', text: NOT_IN_DIRECTORY });
    const procedure = board(raiser);
    if (!procedure) return ack({ response_type: 'ephemeral', text: NO_BOARD });
    await ack();
    const mentioned = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/.exec(command.text)?.[1];
    const counterpart = person(mentioned);
    const metadata: RaiseMetadata = {
      board: procedure.id,
      channel: command.channel_id,
      ...(counterpart ? { counterpartEmail: counterpart.email } : {}),
    };
    await client.views
      .open({ trigger_id: command.trigger_id, view: riskModal(procedure, metadata) })
      .catch((e: unknown) => fail('Could not open the raising form', e));
  });

  app.view('raise-risk', async ({ ack, body, view }) => {
    const raiser = person(body.user.id);
    const metadata = parse<RaiseMetadata>(view.private_metadata) ?? { board: '' };
    const procedure = raiser ? board(raiser, metadata.board) : undefined;
    if (!raiser || !procedure)
      return ack({
        response_action: 'update',
        view: messageModal('Raise an escalation', [
          { type: 'section', text: { type: 'mrkdwn', text: raiser ? NO_BOARD : NOT_IN_DIRECTORY } },
        ]),
      });
    const risk = answers(view.state.values).immediateRisk;
    if (risk === 'yes' && procedure.immediateRisk.onYes === 'refuse') {
      return ack({
        response_action: 'update',
        view: messageModal(
          'Immediate risk',
          emergencyBlocks(
            procedure,
            'No escalation has been opened. Once the adult is safe, you can raise the disagreement with /escalate.',
          ),
        ),
      });
    }
    return ack({
      response_action: 'update',
      view: raiseFormModal(procedure, directory, raiser, { ...metadata, board: procedure.id, urgent: risk === 'yes' }),
    });
  });

  app.view('raise-form', async ({ ack, body, view }) => {
    const raiser = person(body.user.id);
    const metadata = parse<RaiseMetadata>(view.private_metadata) ?? { board: '' };
    const procedure = raiser ? board(raiser, metadata.board) : undefined;
    if (!raiser || !procedure)
      return ack({ response_action: 'errors', errors: { initials: raiser ? NO_BOARD : NOT_IN_DIRECTORY } });
    const actor = actorFor(directory, raiser, deps.clock());
    const values: Submitted = { ...answers(view.state.values), immediateRisk: metadata.urgent ? 'yes' : 'no' };
    // The view's id is the same for a repeated submission: a retry never makes a second case.
    const built = raiseRequestFrom(procedure, directory, { actor }, values, `slack:${view.id}`);
    if (!built.ok) return ack({ response_action: 'errors', errors: built.errors });
    const outcome = await service.raise({ ...built.request, origin: { platform: 'slack' } }).catch(busyRefusal);
    if (!outcome.ok) {
      const errors = Object.fromEntries(
        Object.entries(outcome.refusal.fields ?? {}).map(([k, v]) => [formFieldOf(k), v]),
      );
      return ack({
        response_action: 'errors',
        errors: Object.keys(errors).length ? errors : { summary: outcome.refusal.message },
      });
    }
    const stored = outcome.case;
    const raised = `Escalation ${stored.reference} is raised. A private channel for it is being opened, with its card and the deadline for ${procedure.stages[0]?.name ?? 'the first stage'}.`;
    await ack({
      response_action: 'update',
      view: messageModal(
        `Raised ${stored.reference}`,
        stored.state.urgent
          ? emergencyBlocks(procedure, `${raised} It is marked urgent.`)
          : [{ type: 'section', text: { type: 'mrkdwn', text: raised } }],
      ),
    });
  });
}
