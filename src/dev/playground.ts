/**
 * The Microsoft 365 Agents Playground: a local Teams-like client for trying the bot without a
 * Microsoft 365 tenant. It serves the client and a mock Teams connector on its own port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
        resolve({
          url: `http://localhost:${m[1]}`,
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(playgroundFailure(output, code, port, how)));
    child.once('error', (error) => reject(error));
  });
}

interface PlaygroundUser {
  id: string;
  name: string;
}

/**
 * A folder holding the repository's Playground configuration with another of its people as
 * "you" (e.g. "Chris Bennett", the police counterpart), for a second client beside the first.
 */
export function playgroundAs(name: string): string {
  const config = parse(readFileSync(join(REPO_ROOT, '.m365agentsplayground.yml'), 'utf8')) as {
    currentUser: PlaygroundUser;
    users: PlaygroundUser[];
  };
  const person = config.users.find((u) => u.name === name);
  if (!person) throw new Error(`The Playground configuration (.m365agentsplayground.yml) has nobody called ${name}.`);
  const dir = mkdtempSync(join(tmpdir(), 'playground-'));
  writeFileSync(
    join(dir, '.m365agentsplayground.yml'),
    stringify({
      ...config,
      currentUser: person,
      users: [config.currentUser, ...config.users.filter((u) => u !== person)],
    }),
  );
  return dir;
}
