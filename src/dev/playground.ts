/**
 * The Microsoft 365 Agents Playground: a local Teams-like client for trying the bot without a
 * Microsoft 365 tenant. It serves the client and a mock Teams connector on its own port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ListenError, type Listening } from '../http/listen';

export const PLAYGROUND_CLI = join(
  __dirname,
  '..',
  '..',
  'node_modules',
  '@microsoft',
  'm365agentsplayground',
  'cli.js',
);
export const REPO_ROOT = join(__dirname, '..', '..');

export interface Playground {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** The default port of the first Playground (`PLAYGROUND_PORT`); each next one takes the port after. */
export const DEFAULT_PLAYGROUND_PORT = 56150;

/** The Playground stopped before it listened, for a reason other than its port (its last lines say why). */
export class PlaygroundStopped extends Error {
  override name = 'PlaygroundStopped';
}

/**
 * Why the Playground stopped before it listened, in words: a port in use names the port and the
 * variable that sets it; anything else gives its last lines.
 */
export function playgroundFailure(output: string, code: number | null, port: number, how: Listening): Error {
  if (/EADDRINUSE|address already in use/i.test(output))
    return new ListenError(
      `Port ${port} is already in use (another copy of npm start, or of the Agents Playground?). Stop it, or set ${how.variable} to a free port in .env${how.setting ? ` (this port is ${how.setting})` : ''}.`,
      'EADDRINUSE',
      port,
      how.variable,
    );
  const last = output.trim().split(/\r?\n/).slice(-5).join('\n');
  return new PlaygroundStopped(
    `The Agents Playground on port ${port} stopped before it started (exit ${code ?? 'by a signal'})${last ? `:\n${last}` : '.'}`,
  );
}

/**
 * Start the Playground pointed at the bot, and resolve once it listens. It reads who "you" are
 * and the other people from `.m365agentsplayground.yml` in `cwd` (by default the repository's,
 * where you are Alex Morgan). If it stops first, the promise rejects with why, in words
 * (`how` names the variable that sets its port).
 */
export function startPlayground(
  botEndpoint: string,
  port: number,
  cwd: string = REPO_ROOT,
  how: Listening = { variable: 'PLAYGROUND_PORT' },
): Promise<Playground> {
  const child = spawn(
    process.execPath,
    [
      PLAYGROUND_CLI,
      'start',
      '--app-endpoint',
      botEndpoint,
      '--channel-id',
      'msteams',
      '--port',
      String(port),
      '--disable-telemetry',
    ],
    {
      cwd,
      // It would open a browser otherwise, and exit when it cannot.
      env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /Listening on (\d+)/.exec(output);
      if (m) {
        child.stdout?.off('data', onData);
        // Given a port in use, the Playground quietly takes another: then it is not where it was asked to be.
        if (m[1] !== String(port)) {
          child.kill('SIGTERM');
          reject(playgroundFailure('EADDRINUSE', null, port, how));
          return;
        }
        const stop = (): Promise<void> =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          });
        // It says it listens even when its configuration is wrong and it serves nothing: look first.
        void answers(port).then(async (ok) => {
          if (ok) return resolve({ url: `http://localhost:${m[1]}`, child, stop });
          await stop();
          reject(
            new PlaygroundStopped(
              `The Agents Playground on port ${port} said it had started but answers nothing: check .m365agentsplayground.yml (it allows at most five other users).`,
            ),
          );
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(playgroundFailure(output, code, port, how)));
    child.once('error', (error) => reject(error));
  });
}

/** Whether something accepts connections on the port within a few seconds. */
async function answers(port: number, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

interface PlaygroundUser {
  id: string;
  name: string;
  userPrincipleName?: string;
  aadObjectId?: string;
  givenName?: string;
  surname?: string;
  email?: string;
}

/** The Playground allows at most five other people in its configuration. */
const OTHERS = 5;

/** Someone of the example directory as a Playground user (same Microsoft Entra object id, so the bot knows them). */
function fromDirectory(name: string): PlaygroundUser | undefined {
  const directory = parse(readFileSync(join(REPO_ROOT, 'src', 'directory', 'lincolnshire-example.yaml'), 'utf8')) as {
    people: Array<{ id: string; name: string; email?: string; teamsAadObjectId?: string }>;
  };
  const person = directory.people.find((p) => p.name === name && p.teamsAadObjectId);
  if (!person) return undefined;
  const [givenName, ...rest] = person.name.split(' ');
  return {
    id: `user-${person.id}`,
    name: person.name,
    ...(person.email ? { userPrincipleName: person.email, email: person.email } : {}),
    ...(person.teamsAadObjectId ? { aadObjectId: person.teamsAadObjectId } : {}),
    ...(givenName ? { givenName } : {}),
    surname: rest.join(' '),
  };
}

/**
 * A folder holding the repository's Playground configuration with another person as "you" (e.g.
 * "Chris Bennett", the police counterpart, or anyone of the example directory on Teams), for a
 * client beside the first. The other people in it are the repository's (the Playground takes five).
 */
export function playgroundAs(name: string): string {
  const config = parse(readFileSync(join(REPO_ROOT, '.m365agentsplayground.yml'), 'utf8')) as {
    currentUser: PlaygroundUser;
    users: PlaygroundUser[];
  };
  const person = config.users.find((u) => u.name === name) ?? fromDirectory(name);
  if (!person)
    throw new Error(
      `Neither the Playground configuration nor the example directory has anybody called ${name} on Teams.`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'playground-'));
  writeFileSync(
    join(dir, '.m365agentsplayground.yml'),
    stringify({
      ...config,
      currentUser: person,
      users: [config.currentUser, ...config.users.filter((u) => u.name !== name)].slice(0, OTHERS),
    }),
  );
  return dir;
}
