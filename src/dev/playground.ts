/**
 * The Microsoft 365 Agents Playground: a local Teams-like client for trying the bot without a
 * Microsoft 365 tenant. It serves the client and a mock Teams connector on its own port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const PLAYGROUND_CLI = join(__dirname, '..', '..', 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
export const REPO_ROOT = join(__dirname, '..', '..');

export interface Playground {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Start the Playground pointed at the bot, and resolve once it listens. */
export function startPlayground(botEndpoint: string, port: number): Promise<Playground> {
  const child = spawn(process.execPath, [PLAYGROUND_CLI, 'start', '--app-endpoint', botEndpoint, '--channel-id', 'msteams', '--port', String(port), '--disable-telemetry'], {
    cwd: REPO_ROOT, // where .m365agentsplayground.yml names the example people
    // It would open a browser otherwise, and exit when it cannot.
    env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /Listening on (\d+)/.exec(output);
      if (m) {
        child.stdout?.off('data', onData);
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
    child.once('exit', (code) => reject(new Error(`The Agents Playground stopped (exit ${code}): ${output.trim()}`)));
  });
}
