/**
 * `npm start`: the bot on the embedded SQLite store, with the example directory, and two
 * Microsoft 365 Agents Playgrounds (one for each side) on PLAYGROUND_PORT and the port after, to
 * try it in a browser. Whatever stops the start (a port in use, a wrong setting) is said in one
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

/** Who each local client is: "you" in the first, the people of the other side after it. */
const CLIENTS: ReadonlyArray<{ name?: string }> = [{}, { name: 'Chris Bennett' }];

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
      `PORT and PLAYGROUND_PORT overlap: the bot listens on ${botPort}, and the local clients on ${ports.join(' and ')}. Change one of them in .env.`,
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
  const ports = playgroundPorts(process.env, config.PORT);
  // The clients' ports are looked at first, so a busy one stops nothing already running.
  for (const [i, port] of ports.entries()) await checkPortFree(port, listening(i));
  const bot = await start(config, { localClient: true });
  const endpoint = `http://127.0.0.1:${config.PORT}/api/messages`;
  const started: Playground[] = [];
  const stopAll = (): Promise<unknown> => Promise.all([...started.map((p) => p.stop()), bot.stop()]);
  try {
    for (const [i, port] of ports.entries()) {
      const who = CLIENTS[i]?.name;
      started.push(await startPlayground(endpoint, port, who ? playgroundAs(who) : undefined, listening(i)));
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  const [playground, counterpart] = started as [Playground, Playground];
  announce(config.PORT, playground, counterpart);
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

function announce(port: number, playground: Playground, counterpart: Playground): void {
  process.stdout.write(
    [
      '',
      `  The bot is running on port ${port}, with the example directory (invented people).`,
      `  Open ${playground.url} in your browser: you are Alex Morgan, a social worker at Lincolnshire County Council.`,
      '  Type "escalate" to raise an escalation with Lincolnshire Police.',
      `  The other side: open ${counterpart.url} (you are Chris Bennett, a police officer), say "hello"`,
      '  there first so the bot can reach you, and acknowledge the card it sends.',
      '  Ctrl+C stops everything.',
      '',
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
