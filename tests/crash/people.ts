/**
 * For the outbox crash test: people working cases through whichever bot replica is up, as people
 * do. Each acts on the card they were sent (a 1:1 message, once it has arrived) or on the case's
 * thread or channel card (once it is there). A request to a replica that dies fails; before
 * trying again they look (in the store, as they would look at the card) whether what they did
 * was recorded, so nothing is clicked twice. A Slack raise is sent again with the same view id
 * (Slack gives a resubmitted modal the same id); a Teams raise only if no case came of the first.
 */
import type { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import type { Directory, Person } from '../../src/domain/directory';
import type { CaseState } from '../../src/domain/escalation';
import type { OutboxItem } from '../../src/app/store/outbox';
import type { SlackThread } from '../../src/channels/slack/outlet';
import type { TeamsThread } from '../../src/channels/teams/outlet';
import type { FakeSlackApi } from '../fakes/slack-api';
import type { FakeConnector } from '../fakes/teams-connector';
import {
  cardClick,
  raiseFormValues,
  slackPeople,
  slackPost,
  textInput,
  viewSubmission,
  type SlackUser,
} from '../fakes/slack-client';
import { executeAction, sendActivity, teamsPeople, teamsRaiseForm, type TeamsUser } from '../fakes/teams-client';
import type { Replica, Replicas } from './replicas';
import { teamsDirects } from './sent';

export interface World {
  replicas: Replicas;
  /** The replicas' store, opened by the test for reading only. */
  repo: SqliteRepository;
  slackApi: FakeSlackApi;
  connector: FakeConnector;
  directory: Directory;
  /** Waits for this step's turn: steps are spread over the kills. */
  pace(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Look every 50 ms until `what` gives something, for up to `ms` (or until `stop()`). */
async function until<T>(
  label: string,
  what: () => Promise<T | undefined> | T | undefined,
  ms: number,
  stop?: () => boolean,
): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await what();
    if (got !== undefined) return got;
    if (stop?.()) return undefined;
    if (Date.now() > end) {
      if (stop) return undefined;
      throw new Error(`timed out: ${label}`);
    }
    await sleep(50);
  }
}

/** Every step a person takes gets this long to come through, kills and all. */
const PATIENCE_MS = 90_000;

/**
 * Do something until the store shows it done: on the replica up now, and again on the next if
 * that one dies first. A replica that answers but records nothing while it lives is a failure.
 */
async function attempt(
  world: World,
  label: string,
  done: () => Promise<boolean>,
  send: (replica: Replica) => Promise<boolean>,
): Promise<void> {
  const end = Date.now() + PATIENCE_MS;
  while (Date.now() < end) {
    // The replica first, then the look: a replica killed meanwhile has stopped writing.
    const replica = await world.replicas.live();
    if (await done()) return void world.replicas.note(`DONE ${label}`);
    world.replicas.note(`SEND ${label}`);
    world.replicas.sending();
    const answered = await send(replica).catch(() => false);
    world.replicas.note(`${answered ? 'ANSWERED' : 'NO ANSWER'} ${label}`);
    // A Slack click is acknowledged before it is carried out: give it time while its replica lives.
    const recorded = await until(
      label,
      async () => ((await done()) ? true : undefined),
      10_000,
      () => replica.dead,
    );
    if (recorded) return void world.replicas.note(`DONE ${label}`);
    if (!replica.dead && answered) throw new Error(`${label}: answered, but nothing was recorded`);
  }
  throw new Error(`${label}: not done in ${PATIENCE_MS} ms`);
}

async function stateOf(world: World, reference: string): Promise<CaseState> {
  const stored = await world.repo.getCase(reference);
  if (!stored) throw new Error(`no case ${reference}`);
  return stored.state;
}

/** The 1:1 message owed by the case's latest change to someone on `side` who may now `verb`. */
async function toldTo(
  world: World,
  reference: string,
  verb: string,
  side: 'raising' | 'responding',
): Promise<OutboxItem> {
  const state = await stateOf(world, reference);
  const items = await world.repo.listOutbox({ reference });
  const item = items.find(
    (i) =>
      i.kind === 'tell' &&
      i.event === state.version &&
      (i.payload.verbs as string[]).includes(verb) &&
      world.directory.people.find((p) => p.id === i.recipient)?.agency === state[side].agencyId,
  );
  if (!item) throw new Error(`${reference}: nobody on the ${side} side was told they may ${verb}`);
  return item;
}

function person(world: World, id: string): Person {
  const found = world.directory.people.find((p) => p.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
}

// ── Slack ──────────────────────────────────────────────────────────────────────────────

function slackUser(world: World, p: Person): SlackUser {
  const team = world.directory.agencies.find((a) => a.id === p.agency)?.slack?.teamId ?? '';
  return { id: p.slackUserId ?? '', team };
}

async function slackSend(replica: Replica, body: string, expect: RegExp): Promise<boolean> {
  const answer = await slackPost(`${replica.base}/slack/events`, body);
  return answer.status === 200 && expect.test(answer.text);
}

/** Where a 1:1 Slack message owed by the outbox arrived, once it has. */
async function slackArrived(world: World, item: OutboxItem): Promise<{ channel: string; ts: string }> {
  const found = await until(
    `${item.id} to arrive in Slack`,
    () => world.slackApi.messages.find((m) => m.metadata?.event_payload.key === item.id),
    PATIENCE_MS,
  );
  return { channel: found?.channel ?? '', ts: found?.ts ?? '' };
}

/** A button that opens a modal, then the modal submitted with `values`. */
async function slackModal(
  world: World,
  replica: Replica,
  user: SlackUser,
  verb: string,
  reference: string,
  stage: string,
  where: { channel: string; ts: string },
  values: Record<string, string>,
): Promise<boolean> {
  const mark = world.slackApi.calls.length;
  await slackPost(`${replica.base}/slack/events`, cardClick(user, verb, reference, stage, where));
  const opened = await until(
    `${verb} modal`,
    () =>
      world.slackApi.calls
        .slice(mark)
        .find((c) => c.method === 'views.open' && JSON.stringify(c.args.view).includes(reference)),
    5000,
    () => replica.dead,
  );
  const view = opened?.args.view as { callback_id: string; private_metadata: string } | undefined;
  if (!view) return false;
  const state = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: textInput(v) }]));
  return slackSend(
    replica,
    viewSubmission(user, { id: `V-${verb}-${reference}`, ...view, values: state }),
    /"response_action":"clear"/,
  );
}

/** Peter (diocese) raises a case with HealthWatch and it is worked through; its reference. */
export async function slackCase(world: World, n: number, resolve: boolean): Promise<string> {
  const { repo } = world;
  const viewId = `V-CRASH-${n}`;
  await world.pace();
  await attempt(
    world,
    `Slack raise ${n}`,
    async () => (await repo.findByIdempotencyKey(`slack:${viewId}`)) !== undefined,
    (r) =>
      slackSend(
        r,
        viewSubmission(slackPeople.peter, {
          id: viewId,
          callback_id: 'raise-form',
          private_metadata: JSON.stringify({ board: 'lincolnshire', channel: 'CGENERAL' }),
          values: raiseFormValues({ recordRaising: `DIO-${n}` }),
        }),
        /is raised/,
      ),
  );
  const reference = (await repo.findByIdempotencyKey(`slack:${viewId}`))?.reference ?? '';
  const stage = async (): Promise<string> => (await stateOf(world, reference)).stages.at(-1)?.id ?? '';
  /** Someone told they may `verb` clicks it on the message they were sent. */
  const fromDm = async (verb: string, side: 'raising' | 'responding', done: (s: CaseState) => boolean) => {
    await world.pace();
    const item = await toldTo(world, reference, verb, side);
    const where = await slackArrived(world, item);
    const user = slackUser(world, person(world, item.recipient));
    const at = await stage();
    await attempt(
      world,
      `${reference} ${verb}`,
      async () => done(await stateOf(world, reference)),
      (r) => slackSend(r, cardClick(user, verb, reference, at, where), /^$/),
    );
  };
  await fromDm('acknowledge', 'responding', (s) => Boolean(s.stages.at(-1)?.acknowledged.responding));
  // Peter asks to escalate from the card in the case's channel.
  await world.pace();
  const thread = await until(
    `${reference}'s channel`,
    async () => (await repo.getThreads(reference)).find((t) => t.platform === 'slack')?.reference,
    PATIENCE_MS,
  );
  const { channel, ts } = thread as unknown as SlackThread;
  const step1 = await stage();
  await attempt(
    world,
    `${reference} request-escalation`,
    async () => Boolean((await stateOf(world, reference)).pendingEscalation),
    (r) =>
      slackModal(
        world,
        r,
        slackPeople.peter,
        'request-escalation',
        reference,
        step1,
        { channel, ts },
        {
          reason: 'No plan agreed after two meetings.',
        },
      ),
  );
  await fromDm('approve-escalation', 'raising', (s) => s.stages.length === 2);
  if (!resolve) return reference;
  await world.pace();
  const proposal = await toldTo(world, reference, 'propose-resolution', 'responding');
  const where = await slackArrived(world, proposal);
  const proposer = slackUser(world, person(world, proposal.recipient));
  const step2 = await stage();
  await attempt(
    world,
    `${reference} propose-resolution`,
    async () => Boolean((await stateOf(world, reference)).proposal),
    (r) =>
      slackModal(world, r, proposer, 'propose-resolution', reference, step2, where, {
        outcome: 'The concern is reopened and shared with the council.',
        outstandingIssues: 'None.',
      }),
  );
  await fromDm('confirm-resolution', 'raising', (s) => s.status === 'resolved');
  return reference;
}

// ── Teams ──────────────────────────────────────────────────────────────────────────────

function teamsUser(p: Person): TeamsUser {
  const known = Object.values(teamsPeople).find((t) => t.aadObjectId === p.teamsAadObjectId);
  return known ?? { id: `29:${p.id}`, aadObjectId: p.teamsAadObjectId ?? '', name: p.name };
}

/** A click on a Teams card in `conversation`, answered. */
async function teamsClick(
  world: World,
  replica: Replica,
  from: TeamsUser,
  conversation: Record<string, unknown>,
  verb: string,
  data: Record<string, unknown>,
): Promise<boolean> {
  const answer = await sendActivity(`${replica.base}/api/messages`, world.connector.url, from, {
    ...executeAction(verb, { ...data, verb }),
    conversation,
  });
  return answer.status === 200;
}

/** Alex (council) raises a case with the police and it is worked through; its reference. */
export async function teamsCase(world: World, n: number, resolve: boolean): Promise<string> {
  const { repo } = world;
  const keys: string[] = [];
  const raised = async (): Promise<string | undefined> => {
    for (const key of keys) {
      const found = await repo.findByIdempotencyKey(key);
      if (found) return found.reference;
    }
    return undefined;
  };
  await world.pace();
  await attempt(
    world,
    `Teams raise ${n}`,
    async () => (await raised()) !== undefined,
    async (r) => {
      // A fresh submission each time (Teams gives each its own activity id).
      const id = `crash-raise-${n}-${keys.length + 1}`;
      keys.push(`teams:personal-alex:${id}`);
      const answer = await sendActivity(`${r.base}/api/messages`, world.connector.url, teamsPeople.alex, {
        type: 'invoke',
        name: 'task/submit',
        id,
        value: { data: { ...teamsRaiseForm, recordRaising: `LCC-${n}` } },
      });
      return answer.status === 200 && /is raised/.test(answer.text);
    },
  );
  const reference = (await raised()) ?? '';
  const stage = async (): Promise<string> => (await stateOf(world, reference)).stages.at(-1)?.id ?? '';
  /** Someone told they may `verb` clicks it on the card in their 1:1 chat, once it is there. */
  const fromChat = async (
    verb: string,
    side: 'raising' | 'responding',
    done: (s: CaseState) => boolean,
    words: Record<string, string> = {},
  ) => {
    await world.pace();
    const item = await toldTo(world, reference, verb, side);
    const text = typeof item.payload.text === 'string' ? item.payload.text : '';
    const chat = await until(
      `${item.id} to arrive in Teams`,
      () =>
        teamsDirects(world.connector, world.directory).find((d) => d.personId === item.recipient && d.text === text),
      PATIENCE_MS,
    );
    const at = await stage();
    await attempt(
      world,
      `${reference} ${verb}`,
      async () => done(await stateOf(world, reference)),
      (r) =>
        teamsClick(
          world,
          r,
          teamsUser(person(world, item.recipient)),
          { id: chat?.conversation ?? '', conversationType: 'personal' },
          verb,
          { reference, stage: at, ...words },
        ),
    );
  };
  await fromChat('acknowledge', 'responding', (s) => Boolean(s.stages.at(-1)?.acknowledged.responding));
  // Alex asks to escalate on the card in the case's thread.
  await world.pace();
  const thread = await until(
    `${reference}'s thread`,
    async () => (await repo.getThreads(reference)).find((t) => t.platform === 'teams')?.reference,
    PATIENCE_MS,
  );
  const conversation = (thread as unknown as TeamsThread).conversation.conversation?.id ?? '';
  const step1 = await stage();
  await attempt(
    world,
    `${reference} request-escalation`,
    async () => Boolean((await stateOf(world, reference)).pendingEscalation),
    (r) =>
      teamsClick(world, r, teamsPeople.alex, { id: conversation, conversationType: 'channel' }, 'request-escalation', {
        reference,
        stage: step1,
        'request-escalation.reason': 'No plan agreed after two meetings.',
      }),
  );
  await fromChat('approve-escalation', 'raising', (s) => s.stages.length === 2);
  if (!resolve) return reference;
  await fromChat('propose-resolution', 'responding', (s) => Boolean(s.proposal), {
    'propose-resolution.outcome': 'The referral is reopened and a strategy discussion is booked.',
    'propose-resolution.outstandingIssues': 'None.',
  });
  await fromChat('confirm-resolution', 'raising', (s) => s.status === 'resolved');
  return reference;
}
