/**
 * Raising a case from Slack: `/escalate` opens the immediate-risk modal, then the raising form; a
 * raised case gets a private channel named from its reference, with both practitioners invited
 * (Slack Connect where the other agency is another workspace), and its stage card.
 */
import { boardOf, NO_BOARD } from '../../app/boards';
import { actorFor, NOT_IN_DIRECTORY } from '../../app/people';
import { formFieldOf, raiseRequestFrom, type Submitted } from '../../app/raise-request';
import type { StoredCase } from '../../app/store/repository';
import type { Person } from '../../domain/directory';
import { emergencyBlocks, messageModal, raiseFormModal, riskModal, type RaiseMetadata } from './raise-modals';
import { answers, parse, type SlackParts } from './listeners';
import type { SlackThread } from './outlet';

/** A channel name from the case reference and the agency's prefix: no personal data. */
export function channelName(prefix: string, reference: string, attempt: number): string {
  const base = `${prefix}-${reference.toLowerCase()}`.replace(/[^a-z0-9_-]/g, '-').slice(0, 75);
  return attempt === 1 ? base : `${base}-${attempt}`;
}

export function registerRaising(parts: SlackParts): void {
  const { app, client, deps, person, fail, busyRefusal } = parts;
  const { directory, service } = deps;
  const board = (p: Person, requested?: string) => boardOf(directory, deps.procedures, p, requested);

  app.command('/escalate', async ({ command, ack }) => {
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
    const outcome = await service.raise(built.request).catch(busyRefusal);
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
    if (outcome.created)
      await openCaseChannel(parts, stored, raiser).catch((e: unknown) => fail('Could not open the case channel', e));
  });
}

/** The case's private channel: created, people invited, the card posted, everyone told. */
async function openCaseChannel(parts: SlackParts, stored: StoredCase, raiser: Person): Promise<void> {
  const { client, deps, outlet } = parts;
  const { directory, repo } = deps;
  const events = await parts.timeline(stored.reference);
  const agency = directory.agencies.find((a) => a.id === raiser.agency);
  const prefix = agency?.threads?.slackChannelPrefix ?? 'esc';
  let channel: string | undefined;
  let name = '';
  for (let attempt = 1; attempt <= 5 && !channel; attempt++) {
    name = channelName(prefix, stored.reference, attempt);
    try {
      channel = (await client.conversations.create({ name, is_private: true })).channel?.id;
    } catch (error) {
      if ((error as { data?: { error?: string } }).data?.error !== 'name_taken') throw error;
    }
  }
  if (!channel) throw new Error(`no free channel name for ${stored.reference}`);
  const counterpart = directory.people.find((p) => p.id === stored.state.responding.personId);
  const counterpartAgency = directory.agencies.find((a) => a.id === counterpart?.agency);
  const sameWorkspace =
    counterpartAgency?.platform === 'slack' && counterpartAgency.slack?.teamId === agency?.slack?.teamId;
  const invite = [raiser.slackUserId, sameWorkspace ? counterpart?.slackUserId : undefined].filter((u): u is string =>
    Boolean(u),
  );
  if (invite.length) await client.conversations.invite({ channel, users: invite.join(',') });
  const card = outlet.card(stored, events);
  const posted = await client.chat.postMessage({ channel, text: card.text, blocks: card.blocks });
  const thread: SlackThread = { channel, ts: posted.ts ?? '', name };
  await repo.saveThread(stored.reference, {
    platform: 'slack',
    agencyId: raiser.agency,
    reference: thread as unknown as Record<string, unknown>,
  });
  if (counterpart && counterpartAgency?.platform === 'slack' && !sameWorkspace) {
    // Slack Connect: the other agency's workspace must accept before they can see the channel.
    try {
      await client.conversations.inviteShared({
        channel,
        ...(counterpart.slackUserId ? { user_ids: [counterpart.slackUserId] } : { emails: [counterpart.email] }),
      });
      await client.chat.postMessage({
        channel,
        text: `${counterpart.name} works at ${counterpartAgency.name}, in another Slack workspace. They have been invited to this channel through Slack Connect: they (or an admin of their workspace) must accept the invitation before they can see it. Until then the bot sends them the card directly.`,
      });
    } catch (error) {
      parts.fail('Could not invite the other agency through Slack Connect', error);
      await client.chat.postMessage({
        channel,
        text: `${counterpart.name} could not be invited to this channel through Slack Connect (their workspace may not allow it). The bot sends them the card directly instead.`,
      });
    }
  }
  await deps.announcer.changed({ after: stored, events, actorId: raiser.id, threadsDone: ['slack'] });
}
