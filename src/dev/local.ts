/**
 * `npm start`: the bot on the embedded SQLite store, with the example directory, and a Microsoft
 * 365 Agents Playground (a local Teams client) for each person the example case needs, on
 * PLAYGROUND_PORT and the ports after it, to take a case through every stage in a browser. Whatever stops the start (a port in use, a wrong setting) is said in one
 * sentence, and everything already started is stopped: exit 1, no stack trace.
 */
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, portSchema } from '../config';
import { checkPortFree, type Listening } from '../http/listen';
import { start, startFailure } from '../main';
import { scrub, secretValues } from '../secrets';
import {
  DEFAULT_PLAYGROUND_PORT,
  PlaygroundStopped,
  playgroundAs,
  startPlayground,
  type Playground,
} from './playground';

/** A local client: who "you" are in it, and what they do in the example case. */
export interface LocalPerson {
  name: string;
  does: string;
}

/**
 * Everyone a Lincolnshire case needs, in the order the procedure reaches them: the two
 * practitioners, their line managers (step 2), the Senior Liaison Officers (step 3), and the
 * board's people (step 4: the Independent Chair if urgent, the Review and Learning Group if not).
 */
export const LOCAL_PEOPLE: readonly LocalPerson[] = [
  { name: 'Alex Morgan', does: 'social worker, Lincolnshire County Council: raises the case' },
  { name: 'Chris Bennett', does: 'police officer, Lincolnshire Police: the counterpart at step 1' },
  { name: 'Priya Shah', does: "Alex's line manager: approves the council's escalations; step 2" },
  { name: 'Fiona Walsh', does: "Chris's line manager: approves the police's escalations; step 2" },
  { name: 'Jordan Hughes', does: "the council's Senior Liaison Officer: step 3" },
  { name: 'Mark Ellison', does: "the police's Senior Liaison Officer: step 3" },
  { name: 'Margaret Finch', does: "the board's Independent Chair: step 4a (urgent cases)" },
  { name: 'David Osei', does: "the board's Review and Learning Group: step 4b" },
];

/**
 * The people to open a client for: PLAYGROUND_PEOPLE (names or first names, comma-separated) or
 * everyone. A name nobody has is a mistake said in words.
 */
export function localPeople(env: NodeJS.ProcessEnv): LocalPerson[] {
  const raw = env.PLAYGROUND_PEOPLE?.trim();
  if (!raw) return [...LOCAL_PEOPLE];
  const wanted = raw
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  const unknown = wanted.filter((w) => !LOCAL_PEOPLE.some((p) => matches(p, w)));
  if (unknown.length)
    throw new ConfigError([
      `PLAYGROUND_PEOPLE names ${unknown.map((u) => `"${u}"`).join(', ')}, who ${unknown.length === 1 ? 'is' : 'are'} not one of the example people: ${LOCAL_PEOPLE.map((p) => p.name).join(', ')}.`,
    ]);
  return LOCAL_PEOPLE.filter((p) => wanted.some((w) => matches(p, w)));
}

function matches(person: LocalPerson, wanted: string): boolean {
  const name = person.name.toLowerCase();
  return name === wanted || name.split(' ')[0] === wanted;
}

const CLIENTS: ReadonlyArray<{ name?: string }> = LOCAL_PEOPLE;

/** The Playgrounds' ports (PLAYGROUND_PORT and the ones after it), checked against each other and the bot's. */
export function playgroundPorts(env: NodeJS.ProcessEnv, botPort: number, count = CLIENTS.length): number[] {
  const raw = env.PLAYGROUND_PORT === undefined || env.PLAYGROUND_PORT === '' ? undefined : env.PLAYGROUND_PORT;
  const parsed = portSchema.max(65536 - count).safeParse(raw ?? DEFAULT_PLAYGROUND_PORT);
  if (!parsed.success)
    throw new ConfigError([
      `PLAYGROUND_PORT must be a port number from 1 to ${65536 - count}: the first local client's port, each next one taking the port after (it is "${raw}").`,
    ]);
  const ports = Array.from({ length: count }, (_, i) => parsed.data + i);
  if (ports.includes(botPort))
    throw new ConfigError([
      `PORT and PLAYGROUND_PORT overlap: the bot listens on ${botPort}, and the local clients on ${ports.length > 2 ? `${ports[0]} to ${ports.at(-1)}` : ports.join(' and ')}. Change one of them in .env.`,
    ]);
  return ports;
}

/** What the words call the port of the local client `i`. */
function listening(i: number): Listening {
  return {
    variable: 'PLAYGROUND_PORT',
    suspect: 'another copy of npm start, or of the Agents Playground?',
    ...(i > 0 ? { setting: `PLAYGROUND_PORT + ${i}` } : {}),
  };
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const people = localPeople(process.env);
  const ports = playgroundPorts(process.env, config.PORT, people.length);
  // The clients' ports are looked at first, so a busy one stops nothing already running.
  for (const [i, port] of ports.entries()) await checkPortFree(port, listening(i));
  const bot = await start(config, { localClient: true });
  const endpoint = `http://127.0.0.1:${config.PORT}/api/messages`;
  const started: Playground[] = [];
  const stopAll = (): Promise<unknown> => Promise.all([...started.map((p) => p.stop()), bot.stop()]);
  try {
    for (const [i, port] of ports.entries()) {
      const who = people[i]?.name;
      // The repository's own configuration is Alex Morgan's; everyone else has a copy with themselves as "you".
      const cwd = who && who !== 'Alex Morgan' ? playgroundAs(who) : undefined;
      started.push(await startPlayground(endpoint, port, cwd, listening(i)));
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  announce(config.PORT, people, started, slackLines(process.env));
  let stopping = false;
  const stop = (): void => {
    stopping = true;
    void stopAll().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  for (const p of started)
    p.child.once('exit', () => {
      if (!stopping) process.stderr.write(`The Agents Playground at ${p.url} stopped; the bot goes on.\n`);
    });
}

/**
 * What `npm start` says of Slack: over Socket Mode when SLACK_APP_TOKEN is set (no public address),
 * else how to turn it on (README: "Try it in Slack").
 */
export function slackLines(env: NodeJS.ProcessEnv): string[] {
  if (env.SLACK_APP_TOKEN)
    return [
      '  Slack is on, over Socket Mode (SLACK_APP_TOKEN): no public address needed. In your Slack workspace,',
      '  type /escalate in any channel, or message the app. The workspace must be registered for an agency',
      '  in the directory (DIRECTORY_FILE, slack.teamId): see "Try it in Slack" in the README.',
      '',
    ];
  if (env.SLACK_SIGNING_SECRET)
    return ['  Slack is on, at POST /slack/events (Slack must be able to reach this computer).', ''];
  return [
    '  Slack is off. To try it with your own workspace, see "Try it in Slack" in the README (SLACK_APP_TOKEN).',
    '',
  ];
}

function announce(
  port: number,
  people: readonly LocalPerson[],
  clients: readonly Playground[],
  slack: readonly string[] = [],
): void {
  const width = Math.max(...clients.map((c) => c.url.length));
  process.stdout.write(
    [
      '',
      `  The bot is running on port ${port}, with the example directory (invented people).`,
      '  A local Teams client for each person the example case needs; open each in its own browser tab:',
      '',
      ...people.map((p, i) => `    ${(clients[i]?.url ?? '').padEnd(width)}  ${p.name}, ${p.does}`),
      '',
      '  Open every tab once first, so the bot can reach that person when the case needs them.',
      '  As Alex, type "escalate" to raise an escalation with Lincolnshire Police. Type "help" in any tab',
      '  for what the bot can do. Ctrl+C stops everything.',
      '',
      ...slack,
      '',
    ].join('\n'),
  );
}

if (require.main === module)
  main().catch((error: unknown) => {
    const text =
      error instanceof PlaygroundStopped ? scrub(error.message, secretValues(process.env)) : startFailure(error);
    process.stderr.write(`${text}\n`);
    process.exit(1);
  });
