/**
 * The outbox crash test: the whole bot runs as a child process (tests/crash/bot-child.ts: SQLite
 * on a file every replica shares, the fake Slack Web API and Teams connector on loopback), and is
 * killed with SIGKILL at random moments (after a random time, at a random call it makes to Slack
 * or Teams before or just after the answer, a moment into someone's request, and at a list of
 * target moments: tests/crash/replicas.ts) and started again, while people raise cases on both
 * platforms and work them through: acknowledge, ask to escalate, approve, and for some propose and
 * confirm an outcome (tests/crash/people.ts).
 *
 * Then, once the last replica has emptied the outbox: every case has its Slack channel (made
 * once) or its Teams thread, and the last body its card was given shows the case as stored;
 * every 1:1 message owed arrived, in Slack exactly once, in Teams again only after a kill in the
 * moment it was sent; nothing is pending or failed; nobody clicked twice (tests/crash/checks.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_DIRECTORY_FILE, loadDirectoryFile, loadProcedures } from '../../src/app/procedures';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import { startFakeSlackApi } from '../fakes/slack-api';
import { SLACK_SECRET } from '../fakes/slack-client';
import { startFakeConnector } from '../fakes/teams-connector';
import { check } from '../crash/checks';
import { slackCase, teamsCase, type World } from '../crash/people';
import { Replicas, type Target } from '../crash/replicas';

jest.setTimeout(240_000);

const CHILD = join(__dirname, '..', 'crash', 'bot-child.ts');
const MIN_KILLS = 24;
const SLACK_CASES = 4;
const TEAMS_CASES = 4;
/** Of each platform's cases, this many are also resolved (two more steps each). */
const RESOLVED = 2;
const STEPS = (SLACK_CASES + TEAMS_CASES) * 4 + 2 * RESOLVED * 2;
const SEED = Number(process.env.CRASH_SEED ?? 20261202);
/** Moments always among the kills: each kills the first replica to make such a call. */
const TARGETS: Target[] = [
  // A case's Teams thread card, posted as the bot answers the raise: the bot never hears it went
  // (the outbox's twin posts it again), or dies just after.
  { call: /^teams POST \/v3\/conversations group$/ },
  { call: /^teams POST \/v3\/conversations group$/, after: 3 },
  // A 1:1 chat opened in Teams with its first message.
  { call: /^teams POST \/v3\/conversations $/ },
  // A case's Slack channel made, its card and its Slack Connect note posted, a DM sent: each found again.
  { call: /^slack conversations\.create / },
  { call: /^slack chat\.postMessage C\S+ \S+#card$/ },
  { call: /^slack conversations\.inviteShared / },
  { call: /^slack chat\.postMessage C\S+ \S+#connect$/ },
  { call: /^slack chat\.postMessage D\S+ \S+$/ },
  { call: /^slack chat\.postMessage D\S+ \S+$/, after: 2 },
  { call: /^slack chat\.update / },
];

function* random(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2147483648;
    yield x / 2147483648;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('killed with SIGKILL at random moments and restarted, the bot delivers everything the outbox owes: once in Slack, again in Teams only after a kill, every card in its latest state', async () => {
  const began = Date.now();
  const slackApi = await startFakeSlackApi({ history: true });
  const connector = await startFakeConnector();
  const dataDir = mkdtempSync(join(tmpdir(), 'outbox-crash-'));
  const directory = loadDirectoryFile(EXAMPLE_DIRECTORY_FILE, loadProcedures());
  const rnd = random(SEED);
  const replicas = new Replicas(
    CHILD,
    {
      ...process.env,
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SWEEP_INTERVAL_SECONDS: '0',
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-crash-test',
      SLACK_API_URL: slackApi.url,
      TEAMS_SERVICE_URL: connector.url,
      OUTBOX_LEASE_SECONDS: '2',
      OUTBOX_RETRY_SECONDS: '0.2',
    },
    join(dataDir, 'replicas.log'),
    () => rnd.next().value as number,
    TARGETS,
  );
  slackApi.onCall = (c) => {
    const key = (c.args.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key ?? '';
    return replicas.onCall(`slack ${c.method} ${typeof c.args.channel === 'string' ? c.args.channel : ''} ${key}`);
  };
  connector.onCall = (c) => replicas.onCall(`teams ${c.method} ${c.url} ${c.body?.isGroup === true ? 'group' : ''}`);

  let driving = true;
  // Until the people are done, there have been enough kills and every target has had its own
  // (and, should a target never come, not for ever: the check below then says which).
  const killing = replicas.killer(
    () =>
      (!driving && replicas.kills >= MIN_KILLS && replicas.hit.length === TARGETS.length) ||
      replicas.kills >= 3 * MIN_KILLS,
  );
  let repo: SqliteRepository | undefined;
  try {
    await replicas.live();
    const store = SqliteRepository.open(join(dataDir, 'escalations.sqlite'), { readonly: true });
    repo = store;
    let steps = 0;
    const world: World = {
      replicas,
      repo: store,
      slackApi,
      connector,
      directory,
      // Step k waits for kill k × MIN_KILLS / STEPS: the cases' steps are spread over the kills.
      pace: async () => {
        const k = steps++;
        while (driving && replicas.kills < Math.floor((k * MIN_KILLS) / STEPS)) await sleep(50);
      },
    };
    let slackCases: string[] = [];
    let teamsCases: string[] = [];
    try {
      [slackCases, teamsCases] = await Promise.all([
        Promise.all(Array.from({ length: SLACK_CASES }, (_, i) => slackCase(world, i + 1, i < RESOLVED))),
        Promise.all(Array.from({ length: TEAMS_CASES }, (_, i) => teamsCase(world, i + 1, i < RESOLVED))),
      ]);
    } finally {
      driving = false;
    }
    replicas.note(`DRIVEN; targets not hit yet: ${replicas.missed.join(', ')}`);
    const last = await killing;
    // The last replica runs until the outbox has nothing left (a Teams card's twin waits 20 s).
    const drainEnd = Date.now() + 60_000;
    while ((await store.outboxStats()).pending > 0 && Date.now() < drainEnd) await sleep(200);
    if (last) await replicas.stop(last);
    const kills = replicas.kills;
    const found = await check({
      repo: store,
      slackApi,
      connector,
      directory,
      killedAt: replicas.killedAt,
      slackCases,
      teamsCases,
    });
    const { how } = replicas;
    const byKind = new Map<string, number>();
    for (const i of found.items) byKind.set(i.kind, (byKind.get(i.kind) ?? 0) + 1);
    const again = found.items.filter((i) => i.attempts > 1);
    const twins = found.items.filter((i) => i.kind === 'open-thread' && i.platform === 'teams' && !i.result?.inline);
    const atRandom = kills - how.target - how.before - how.after - how.request;
    process.stderr.write(
      `OUTBOX CRASH (seed ${SEED}): ${kills} kills (${how.target} at targets, ${how.before} at a random call to Slack or Teams before its answer, ${how.after} just after one, ${how.request} during a request, ${atRandom} after a random time), ${replicas.starts} replicas; ` +
        `${slackCases.length + teamsCases.length} cases (${slackCases.length} Slack, ${teamsCases.length} Teams); ${found.items.length} items (${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}); ` +
        `${again.length} tried more than once (at most ${Math.max(0, ...found.items.map((i) => i.attempts))} attempts); ${twins.length} Teams thread cards posted by the outbox's twin; ` +
        `lost ${found.lost.slack + found.lost.teams} (Slack ${found.lost.slack}, Teams ${found.lost.teams}); doubled: Slack ${found.doubled.slack}, Teams ${found.doubled.teams} 1:1 messages and ${found.doubled.teamsCards} thread cards (at most ${found.mostCopies} copies of one); ` +
        `${Math.round((Date.now() - began) / 1000)} s\n${again
          .filter((i) => i.attempts >= 4)
          .map((i) => `  ${i.attempts} attempts: ${i.id} ${i.lastError ?? ''}\n`)
          .join('')}${found.problems.map((p) => `  ${p}\n`).join('')}`,
    );
    expect(replicas.unexpected).toEqual([]);
    expect(replicas.uncaught).toEqual([]);
    expect(found.problems).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(20);
    // Every target had its kill: the run went through each moment they name.
    expect(replicas.missed).toEqual([]);
    expect(slackCases.length + teamsCases.length).toBe(SLACK_CASES + TEAMS_CASES);
    expect(await store.outboxStats()).toEqual({ pending: 0, failed: 0 });
  } finally {
    driving = false;
    await replicas.shutdown(killing);
    await repo?.close();
    await slackApi.close();
    await connector.close();
  }
});
