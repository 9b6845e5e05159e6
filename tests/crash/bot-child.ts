/**
 * A replica of the whole bot, for the outbox crash test (tests/integration/outbox-crash.test.ts):
 * src/main.ts's start() on the configuration the parent gives in the environment (SQLite on a
 * file every replica shares, the parent's fake Slack Web API and Teams connector, short outbox
 * leases and retries). It listens on a port of its own and says which on standard output
 * ("READY <port>"). The parent kills it with SIGKILL at random moments and starts another; each
 * replica's name on leases is its host and process id, so a lease left by a killed one must run
 * out before another takes its items.
 */
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { start } from '../../src/main';

// As src/main.ts does when run: anything that escapes is said on one line and the bot carries on.
for (const event of ['uncaughtException', 'unhandledRejection'] as const)
  process.on(event, (error: unknown) =>
    process.stderr.write(`UNCAUGHT ${event}: ${error instanceof Error ? error.message : String(error)}\n`),
  );

start({ ...loadConfig(process.env), PORT: 0 }).then(
  (running) => {
    process.stdout.write(`READY ${(running.server.address() as AddressInfo).port}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
