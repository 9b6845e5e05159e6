/**
 * A bounded fuzz of the card's newer verbs through both doors, with a fixed seed: 300 signed Slack
 * modal submissions and 300 Teams Action.Execute activities for agree-plan, confirm-plan,
 * confirm-safety, agree-timescale, confirm-timescale, record-milestone, take-up, the urgent choice
 * and complete-form, each with odd values (dates of the year 0 or 9999, no such day, huge text,
 * objects where words go, __proto__, other people, stale stages). Nothing may get a 5xx or take
 * 3 s to answer, and no timeline holds an event by someone who may not see the case. (The
 * general fuzz, fuzz.test.ts, never sends these verbs with their fields, nor at the case's stage.)
 */
import { mayAccess } from '../../src/app/access';
import { actorFor } from '../../src/app/people';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { startTestBot, type TestBot } from '../fakes/bot';
import { slackPeople, slackPost, textInput, viewSubmission, type SlackUser } from '../fakes/slack-client';
import { executeAction, sendActivity, teamsPeople, type TeamsUser } from '../fakes/teams-client';

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
const random = prng(20260407);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
/** Mostly `likely` (the people, stage and words that reach the rules), sometimes anything of `rest`. */
const mostly = <T>(likely: readonly T[], rest: readonly T[]): T => (random() < 0.7 ? pick(likely) : pick(rest));

const VERBS = [
  'agree-plan',
  'confirm-plan',
  'confirm-safety',
  'agree-timescale',
  'confirm-timescale',
  'record-milestone',
  'take-up',
  'request-escalation',
];
const DATES = ['9999-12-31', '0000-01-01', '2026-02-30', '2026-04-10', '2999-12-31', '', '10000-01-01', '2026-4-10'];
const WORDS = ['Joint visit on Monday.', '', ' ', 'x'.repeat(5000), '__proto__', '<script>alert(1)</script>', '\u0000'];
const ODD: unknown[] = [{}, [], null, 12, true, { toString: 'x' }, ['2026-04-10']];
const STAGES = ['step-1', 'stage-1', '', 'step-4a'];
const GOOD_WORDS = ['Joint visit on Monday, then a call.', 'Daily home care visits.'];

let bot: TestBot;
const refs: string[] = [];

beforeAll(async () => {
  bot = await startTestBot();
  const { teamsCase, slackCase } = await bot.raiseOneEach('V-FUZZ-NEW');
  refs.push(teamsCase, slackCase, 'LI-2026-9999');
});
afterAll(async () => {
  await bot?.stop();
});

const slackUsers: SlackUser[] = Object.values(slackPeople);
const teamsUsers: TeamsUser[] = Object.values(teamsPeople);

function slackOne(): string {
  const verb = pick([...VERBS, '__proto__']);
  const meta = {
    reference: mostly([refs[1] ?? ''], refs),
    stage: mostly(['step-1'], STAGES),
    channel: 'CCASE1',
    ts: '1.1',
  };
  if (random() < 0.2)
    return viewSubmission(pick(slackUsers), {
      id: `V-${Math.floor(random() * 1e9)}`,
      callback_id: 'case-form',
      private_metadata: JSON.stringify({ ...meta, form: pick(['luton-escalation-template', 'x', '__proto__']) }),
      values: {
        disagreement: { value: textInput(pick(WORDS)) },
        [pick(['a', '__proto__'])]: { value: textInput('x') },
      },
    });
  return viewSubmission(mostly([slackPeople.peter, slackPeople.megan], slackUsers), {
    id: `V-${Math.floor(random() * 1e9)}`,
    callback_id: `case-input:${verb}`,
    private_metadata: random() < 0.1 ? '{"reference":' : JSON.stringify(meta),
    values: {
      plan: { value: textInput(mostly(GOOD_WORDS, WORDS)) },
      reviewOn: { value: { type: 'datepicker', selected_date: pick(DATES) } },
      steps: { value: textInput(mostly(GOOD_WORDS, WORDS)) },
      note: { value: textInput(pick(WORDS)) },
      date: { value: { type: 'datepicker', selected_date: pick(DATES) } },
      reason: { value: textInput(mostly(GOOD_WORDS, WORDS)) },
      urgent: { value: { type: 'radio_buttons', selected_option: { value: pick(['yes', 'no', 'maybe']) } } },
    },
  });
}

function teamsOne(): Record<string, unknown> {
  const verb = pick([...VERBS, 'complete-form']);
  const value = (): unknown => (random() < 0.2 ? pick(ODD) : random() < 0.5 ? pick(DATES) : mostly(GOOD_WORDS, WORDS));
  return executeAction(verb, {
    reference: random() < 0.1 ? pick(ODD) : mostly([refs[0] ?? ''], refs),
    stage: random() < 0.1 ? pick(ODD) : mostly(['step-1'], STAGES),
    form: pick(['luton-escalation-template', 'x', '__proto__']),
    [`${verb}.plan`]: value(),
    [`${verb}.reviewOn`]: value(),
    [`${verb}.steps`]: value(),
    [`${verb}.note`]: value(),
    [`${verb}.date`]: value(),
    [`${verb}.milestone`]: pick(['meeting-date-set', '__proto__', 'x']),
    [`${verb}.reason`]: value(),
    [`${verb}.urgent`]: pick(['yes', 'no', 'maybe', true]),
    'complete-form.disagreement': value(),
  });
}

test('300 Slack modal submissions and 300 Teams clicks of the newer verbs: no 5xx, none slow, no outsider on a timeline', async () => {
  const problems: string[] = [];
  let slowest = 0;
  for (let i = 0; i < 300; i++) {
    const a = await slackPost(bot.slackUrl, slackOne());
    if (a.status >= 500) problems.push(`slack ${a.status}: ${a.text.slice(0, 200)}`);
    slowest = Math.max(slowest, a.ms);
  }
  for (let i = 0; i < 300; i++) {
    const from = mostly([teamsPeople.alex, teamsPeople.chris], teamsUsers);
    const a = await sendActivity(bot.teamsUrl, bot.connector.url, from, teamsOne());
    if (a.status >= 500) problems.push(`teams ${a.status}: ${a.text.slice(0, 200)}`);
    slowest = Math.max(slowest, a.ms);
  }
  await bot.app.settle();
  expect(problems).toEqual([]);
  expect(slowest).toBeLessThan(3000);
  expect((await fetch(`${bot.base}/healthz`)).status).toBe(200);
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
  // The fuzz reached the rules (refusals recorded on the timelines, some of them of the newer verbs).
  const refused = (await Promise.all(refs.slice(0, 2).map((r) => bot.app.repo.getEvents(r))))
    .flat()
    .map((e) => e.event)
    .filter((e) => e.type === 'command-refused' && VERBS.includes(e.command));
  expect(refused.length).toBeGreaterThan(20);
});
