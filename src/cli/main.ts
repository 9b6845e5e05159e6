/**
 * The admin tool: `npm run --silent cli -- <command>`. Each command prints what it was asked
 * for, or says what is wrong and exits 1 (2 when the command itself is used wrongly).
 */
import { existsSync } from 'node:fs';
import { runCli } from './commands';

// A .env file beside package.json fills in what the environment does not set.
if (existsSync('.env')) process.loadEnvFile('.env');

// Output piped into something that stops reading (`| head`) ends the command quietly, not with a stack.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

runCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
