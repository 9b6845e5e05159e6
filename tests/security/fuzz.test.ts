/**
 * A bounded fuzz of both doors, with a fixed seed: 2,000 signed Slack payloads (mutations of real
 * slash commands, card clicks, the documents button and every form's submission: wrong types,
 * missing fields, huge strings, unknown ids, __proto__ keys, other cases' references, other
 * people) and 1,000 Teams activities (Action.Execute with odd verbs and data, messages,
 * conversation updates, garbage). Nothing may crash the bot, get a 5xx, or take 3 s to answer;
 * every case's chain still verifies; memory comes back near where it started.
 * No event lands on a timeline by someone who is no party to its case, and the whole store
 * verifies afterwards (keyed chains, states re-derived from events, the store-wide anchor).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mayAccess } from '../../src/app/access';
import { verifyStore } from '../../src/app/audit-verify';
import { actorFor } from '../../src/app/people';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { DEVELOPMENT_AUDIT_KEY } from '../../src/app/store/chain';
import { loadConfig } from '../../src/config';
import { openVault } from '../../src/store/open';
import { startTestBot, type TestBot } from '../fakes/bot';
import {
  blockAction,
  cardClick,
  interaction,
  raiseFormValues,
  slackPeople,
  slackPost,
  slashCommand,
  textInput,
  viewSubmission,
  type SlackUser,
} from '../fakes/slack-client';
import { executeAction, sendActivity, teamsPeople, teamsRaiseForm, type TeamsUser } from '../fakes/teams-client';

jest.setTimeout(150_000);

/** mulberry32: a tiny seeded PRNG, so every run tries the same inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(0x5eed_11);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

let bot: TestBot;
const refs: string[] = ['LI-2026-9999', '', '../../etc', 'LI-2026-0001; DROP TABLE cases'];

const ODD_VALUES: Json[] = [
  null,
  0,
  -1,
  1e308,
  true,
  '',
  ' ',
  '__proto__',
  'constructor',
  '{"reference":"LI-2026-0001"}',
  'x'.repeat(20_000),
  [],
  [1, 'a'],
  {},
  JSON.parse('{"__proto__":{"polluted":true}}') as Json, // an own __proto__ key, as JSON.parse makes it
  { toString: 'x' },
];

/** One random change somewhere in a JSON value (its leaves and keys). */
function mutate(value: Json, depth = 0): Json {
  if (value === null || typeof value !== 'object' || depth > 6 || random() < 0.25) {
    const r = random();
    if (r < 0.35) return pick(ODD_VALUES);
    if (r < 0.55) return pick(refs);
    if (r < 0.7 && typeof value === 'string') return `${value}${'é🙂\u0000'.repeat(1 + Math.floor(random() * 50))}`;
    if (r < 0.8)
      return JSON.parse(JSON.stringify({ reference: pick(refs), stage: pick(['stage-1', 'x', '']) })) as Json;
    return pick([...Object.values(slackPeople).map((p) => p.id), ...Object.values(teamsPeople).map((p) => p.id)]);
  }
  if (Array.isArray(value)) {
    if (!value.length || random() < 0.2) return [...value, pick(ODD_VALUES)];
    const i = Math.floor(random() * value.length);
    return value.map((v, j) => (j === i ? mutate(v, depth + 1) : v));
  }
  const keys = Object.keys(value);
  const r = random();
  if (!keys.length || r < 0.1)
    return { ...value, [pick(['__proto__', 'constructor', 'prototype', 'extra'])]: pick(ODD_VALUES) };
  const key = pick(keys);
  if (r < 0.25) {
    const copy = { ...value };
    delete copy[key];
    return copy;
  }
  return { ...value, [key]: mutate(value[key] as Json, depth + 1) };
}

const VERBS = [
  'acknowledge',
  'add-note',
  'request-escalation',
  'approve-escalation',
  'propose-resolution',
  'confirm-resolution',
  'withdraw',
  'refresh',
  'documents',
  'send-document',
  '__proto__',
  'nope',
];
const slackUsers: SlackUser[] = Object.values(slackPeople);

function slackSeed(): string {
  const user = pick(slackUsers);
  const ref = pick(refs);
  const where = { channel: pick(['C1', 'CCASE1', '']), ts: pick(['1.1', '']) };
  const meta = JSON.stringify({ reference: ref, stage: 'stage-1', channel: where.channel, ts: where.ts });
  switch (Math.floor(random() * 7)) {
    case 0:
      return slashCommand(user, pick(['', '<@U0LHWL0001>', 'x'.repeat(3000), '<@U0NOBODY01|x>']));
    case 1:
      return cardClick(user, pick(VERBS), ref, 'stage-1', where);
    case 2:
      return blockAction(user, pick(['documents:open', 'case:', 'other']), JSON.stringify({ reference: ref }), where);
    case 3:
      return viewSubmission(user, {
        id: `V-${Math.floor(random() * 1e9)}`,
        callback_id: pick(['raise-form', 'raise-risk']),
        private_metadata: JSON.stringify({ board: pick(['lincolnshire', 'camden', 'nowhere']), channel: 'C1' }),
        values: raiseFormValues(),
      });
    case 4:
      return viewSubmission(user, {
        id: `V-${Math.floor(random() * 1e9)}`,
        callback_id: `case-input:${pick(VERBS)}`,
        private_metadata: meta,
        values: { text: { value: textInput('A note.') }, reason: { value: textInput('A reason.') } },
      });
    case 5:
      return viewSubmission(user, {
        id: 'V-DOCS',
        callback_id: 'case-documents',
        private_metadata: JSON.stringify({ reference: ref }),
        values: {
          document: { value: { type: 'static_select', selected_option: { value: pick(['case-record', 'x']) } } },
        },
      });
    default:
      return interaction({
        type: pick(['block_actions', 'view_submission', 'shortcut', 'block_suggestion', 'x']),
        user: { id: user.id },
      });
  }
}

/** A seed, mutated once to three times, encoded as Slack encodes it. */
function slackCase(): string {
  const seed = slackSeed();
  const form = new URLSearchParams(seed);
  const payload = form.get('payload');
  let n = 1 + Math.floor(random() * 3);
  if (payload !== null) {
    let value = JSON.parse(payload) as Json;
    while (n--) value = mutate(value);
    const text = random() < 0.03 ? 'null' : JSON.stringify(value);
    return new URLSearchParams({ payload: text }).toString();
  }
  let fields = Object.fromEntries(form) as Json;
  while (n--) fields = mutate(fields);
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields))
    return new URLSearchParams({ junk: JSON.stringify(fields) }).toString();
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) out.append(k, typeof v === 'string' ? v : JSON.stringify(v));
  return out.toString();
}

const teamsUsers: TeamsUser[] = Object.values(teamsPeople);

function teamsCase(): Record<string, unknown> {
  const r = random();
  let activity: Json;
  if (r < 0.45)
    activity = executeAction(pick([...VERBS, 'raise-form', 'raise-submit']), {
      reference: pick(refs),
      stage: 'stage-1',
      ...(random() < 0.3 ? teamsRaiseForm : {}),
    }) as Json;
  else if (r < 0.65)
    activity = { type: 'message', text: pick(['help', 'raise', 'status', '', 'x'.repeat(5000), 'LI-2026-0001']) };
  else if (r < 0.75)
    activity = {
      type: 'conversationUpdate',
      membersAdded: [{ id: pick(teamsUsers).id }],
      conversation: { id: 'g1', conversationType: 'groupChat' },
    };
  else if (r < 0.85)
    activity = {
      type: 'invoke',
      name: pick(['task/fetch', 'task/submit', 'composeExtension/fetchTask', 'fileConsent/invoke', 'x']),
      value: {},
    };
  else
    activity = { type: pick(['event', 'typing', 'messageReaction', 'endOfConversation', 'installationUpdate', '?']) };
  const n = Math.floor(random() * 3);
  for (let i = 0; i < n; i++) activity = mutate(activity);
  return activity as Record<string, unknown>;
}

beforeAll(async () => {
  bot = await startTestBot();
  // A real case to aim at.
  refs.push(await bot.raiseOnSlack('V-FUZZ-RAISE'));
});
afterAll(async () => {
  await bot.stop();
});

interface Tally {
  sent: number;
  fiveHundreds: Array<{ status: number; body: string }>;
  slow: number;
  slowest: number;
}

async function run(
  count: number,
  one: () => Promise<{ status: number; ms: number; text: string }>,
  tally: Tally,
): Promise<void> {
  const batch = 8;
  for (let i = 0; i < count; i += batch) {
    const answers = await Promise.all(Array.from({ length: Math.min(batch, count - i) }, one));
    for (const a of answers) {
      tally.sent++;
      if (a.status >= 500) tally.fiveHundreds.push({ status: a.status, body: a.text.slice(0, 200) });
      if (a.ms >= 3000) tally.slow++;
      tally.slowest = Math.max(tally.slowest, a.ms);
    }
  }
}

test('2,000 signed Slack payloads and 1,000 Teams activities: no crash, no 5xx, none slow, chains intact, memory back', async () => {
  // A forced collection, so that "memory back where it started" can be measured tightly.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  // What the bot loads on first use (botbuilder and the card templates with the first Teams
  // request, the PDF and DOCX libraries with the first document): a first round of the same
  // requests loads it before measuring, so what is measured is what requests leave behind.
  const warm: Tally = { sent: 0, fiveHundreds: [], slow: 0, slowest: 0 };
  await run(200, () => slackPost(bot.slackUrl, slackCase()), warm);
  await run(100, () => sendActivity(bot.teamsUrl, bot.connector.url, pick(teamsUsers), teamsCase()), warm);
  await bot.app.settle();
  expect(warm.fiveHundreds).toEqual([]);
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const started = Date.now();
  const slack: Tally = { sent: 0, fiveHundreds: [], slow: 0, slowest: 0 };
  const teams: Tally = { sent: 0, fiveHundreds: [], slow: 0, slowest: 0 };
  await run(2000, () => slackPost(bot.slackUrl, slackCase()), slack);
  await run(
    1000,
    () =>
      sendActivity(bot.teamsUrl, bot.connector.url, pick(teamsUsers), teamsCase()).then((a) => ({
        ...a,
        text: a.text,
      })),
    teams,
  );
  await bot.app.settle();
  const health = await fetch(`${bot.base}/healthz`);
  expect(health.status).toBe(200);
  const took = Date.now() - started;
  gc?.();
  const grewMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  if (process.env.SHOW_FIGURES)
    process.stdout.write(
      `${JSON.stringify({ slack: { ...slack, fiveHundreds: slack.fiveHundreds.length }, teams: { ...teams, fiveHundreds: teams.fiveHundreds.length }, took, grewMb: Number(grewMb.toFixed(1)), gc: Boolean(gc) })}\n`,
    );
  expect(slack.sent).toBe(2000);
  expect(teams.sent).toBe(1000);
  expect(slack.fiveHundreds).toEqual([]);
  expect(teams.fiveHundreds).toEqual([]);
  expect(slack.slow + teams.slow).toBe(0);
  expect(took).toBeLessThan(120_000);
  // Back near where it started: tight after a forced gc, generous without one.
  expect(grewMb).toBeLessThan(gc ? 20 : 150);
  // No timeline holds an event by someone who is no party to its case (nor a role holder of it).
  const procedures = loadProcedures();
  const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, procedures);
  const outsiders: string[] = [];
  for (const ref of await bot.app.repo.allReferences()) {
    const stored = await bot.app.repo.getCase(ref);
    for (const { event } of await bot.app.repo.getEvents(ref)) {
      const person = directory.people.find((p) => p.id === event.by.personId);
      const actor = person ? actorFor(directory, person, new Date(event.at)) : undefined;
      if (!stored || !actor || !mayAccess(stored.state, actor, directory)) outsiders.push(`${ref}: ${event.type}`);
    }
  }
  expect(outsiders).toEqual([]);
  // The whole store verifies: keyed chains, states re-derived from their events, the anchor.
  const audit = await verifyStore(bot.app.repo, { key: DEVELOPMENT_AUDIT_KEY, vault: openVault(loadConfig({})).vault });
  expect(audit.findings).toEqual([]);
  expect(audit.checked).toBeGreaterThan(0);
});
