/**
 * `npm start` and `npm run start:bot` on a port already in use: one sentence naming the port and
 * the variable to change, exit 1, no stack trace, and nothing left running. The bot's port
 * (PORT) and the local clients' (PLAYGROUND_PORT, and the port after it) alike; the Agents
 * Playground's own failure (a child process) is read too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config';
import { localPeople, LOCAL_PEOPLE, playgroundPorts } from '../../src/dev/local';
import { startPlayground } from '../../src/dev/playground';
import { ListenError } from '../../src/http/listen';
import { runNpm } from '../fakes/cli';

const dir = mkdtempSync(join(tmpdir(), 'start-ports-'));
const held: Server[] = [];
afterAll(async () => {
  await Promise.all(held.map((s) => new Promise((done) => s.close(done))));
  rmSync(dir, { recursive: true, force: true });
});

/** Hold a port as another program would (on `host`, or every interface), and give its number. */
async function hold(port = 0, host?: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (host) server.listen(port, host, resolve);
    else server.listen(port, resolve);
  });
  held.push(server);
  return (server.address() as AddressInfo).port;
}

/** A port nobody listens on (for now), and the one after it free too. */
async function freePair(): Promise<number> {
  for (;;) {
    const probe = createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, () => resolve((probe.address() as AddressInfo).port)),
    );
    await new Promise((done) => probe.close(done));
    const next = createServer();
    const free = await new Promise<boolean>((resolve) => {
      next.once('error', () => resolve(false));
      next.listen(port + 1, () => resolve(true));
    });
    if (free) {
      await new Promise((done) => next.close(done));
      if (port + 1 < 65535) return port;
    }
  }
}

const env = (vars: Record<string, string>): Record<string, string> => ({
  DATA_DIR: dir,
  LOG_LEVEL: 'silent',
  SWEEP_INTERVAL_SECONDS: '0',
  ...vars,
});

/** The run said `sentence` and nothing else on standard error, and stopped with exit 1. */
function saidOnly(run: { status: number | null; stderr: string }, sentence: string): void {
  expect(run.stderr.trim()).toBe(sentence);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.status).toBe(1);
}

test('npm start on a PORT in use: the port, the variable, exit 1', async () => {
  const port = await hold(0, '127.0.0.1');
  const run = runNpm(['start'], env({ PORT: String(port), PLAYGROUND_PORT: String(await freePair()) }));
  saidOnly(
    run,
    `Port ${port} is already in use (another copy of the bot?). Stop it, or set PORT to a free port in .env.`,
  );
}, 90_000);

test('npm run start:bot on a PORT in use: the same words', async () => {
  const port = await hold(0, '127.0.0.1');
  const run = runNpm(['run', '--silent', 'start:bot'], env({ PORT: String(port) }));
  saidOnly(
    run,
    `Port ${port} is already in use (another copy of the bot?). Stop it, or set PORT to a free port in .env.`,
  );
}, 90_000);

test('npm start with PLAYGROUND_PORT in use (on this computer only): named, before the bot starts', async () => {
  const port = await hold(0, '127.0.0.1');
  const bot = await freePair();
  const run = runNpm(['start'], env({ PORT: String(bot), PLAYGROUND_PORT: String(port) }));
  saidOnly(
    run,
    `Port ${port} is already in use (another copy of npm start, or of the Agents Playground?). Stop it, or set PLAYGROUND_PORT to a free port in .env.`,
  );
  // The bot never started: its port is free.
  await expect(hold(bot, '127.0.0.1')).resolves.toBe(bot);
}, 90_000);

test('npm start with the second client’s port (PLAYGROUND_PORT + 1) in use: named as such', async () => {
  const first = await freePair();
  await hold(first + 1);
  const run = runNpm(['start'], env({ PORT: String(await freePair()), PLAYGROUND_PORT: String(first) }));
  saidOnly(
    run,
    `Port ${first + 1} is already in use (another copy of npm start, or of the Agents Playground?). Stop it, or set PLAYGROUND_PORT to a free port in .env (this port is PLAYGROUND_PORT + 1).`,
  );
}, 90_000);

test('the Playground itself (a child process) given a port in use: its failure is read and said in words', async () => {
  const port = await hold();
  const started = startPlayground('http://127.0.0.1:9/api/messages', port);
  await expect(started).rejects.toBeInstanceOf(ListenError);
  await expect(started).rejects.toThrow(
    `Port ${port} is already in use (another copy of npm start, or of the Agents Playground?). Stop it, or set PLAYGROUND_PORT to a free port in .env.`,
  );
}, 60_000);

describe('PLAYGROUND_PORT is checked before anything starts', () => {
  test('unset: 56150 to 56157, one for each of the eight example people', () => {
    expect(playgroundPorts({}, 3978)).toEqual([56150, 56151, 56152, 56153, 56154, 56155, 56156, 56157]);
    expect(playgroundPorts({}, 3978, 2)).toEqual([56150, 56151]);
  });
  test('PLAYGROUND_PEOPLE chooses whose clients open, by name or first name; a name nobody has is said', () => {
    expect(localPeople({}).map((p) => p.name)).toEqual(LOCAL_PEOPLE.map((p) => p.name));
    expect(localPeople({ PLAYGROUND_PEOPLE: 'alex, Chris Bennett' }).map((p) => p.name)).toEqual([
      'Alex Morgan',
      'Chris Bennett',
    ]);
    expect(() => localPeople({ PLAYGROUND_PEOPLE: 'Alex, Bob' })).toThrow(
      /PLAYGROUND_PEOPLE names "bob", who is not one of the example people: Alex Morgan, Chris Bennett/,
    );
  });
  test('not a port, or with no room for the second client: the variable and its value', () => {
    for (const value of ['abc', '0', '65535'])
      expect(() => playgroundPorts({ PLAYGROUND_PORT: value }, 3978, 2)).toThrow(
        new ConfigError([
          `PLAYGROUND_PORT must be a port number from 1 to 65534: the first local client's port, each next one taking the port after (it is "${value}").`,
        ]),
      );
  });
  test('overlapping the bot’s PORT: both named', () => {
    expect(() => playgroundPorts({ PLAYGROUND_PORT: '3977' }, 3978)).toThrow(
      /PORT and PLAYGROUND_PORT overlap: the bot listens on 3978, and the local clients on 3977 to 3984/,
    );
  });
});
