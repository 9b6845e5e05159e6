/**
 * The admin tool: `npm run --silent cli -- <command>`. Each command prints what it was asked
 * for, or says what is wrong and exits 1 (2 when the command itself is used wrongly).
 */
import { runCli } from './commands';

process.exitCode = runCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  env: process.env,
});
