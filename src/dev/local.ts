/**
 * `npm start`: the bot on the embedded SQLite store, with the example directory, and the
 * Microsoft 365 Agents Playground on port 56150 to try it in a browser.
 */
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '../config';
import { FileProblems } from '../app/procedures';
import { StoreError } from '../app/store/repository';
import { start } from '../main';
import { scrub, secretValues } from '../secrets';
import { playgroundAs, startPlayground } from './playground';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const bot = await start(config, { localClient: true });
  const endpoint = `http://127.0.0.1:${config.PORT}/api/messages`;
  const port = Number(process.env.PLAYGROUND_PORT ?? 56150);
  const playground = await startPlayground(endpoint, port);
  // The other side: Chris Bennett of Lincolnshire Police, in a second client.
  const counterpart = await startPlayground(endpoint, port + 1, playgroundAs('Chris Bennett'));
  process.stdout.write(
    [
      '',
      `  The bot is running on port ${config.PORT}, with the example directory (invented people).`,
      `  Open ${playground.url} in your browser: you are Alex Morgan, a social worker at Lincolnshire County Council.`,
      '  Type "escalate" to raise an escalation with Lincolnshire Police.',
      `  The other side: open ${counterpart.url} (you are Chris Bennett, a police officer), say "hello"`,
      '  there first so the bot can reach you, and acknowledge the card it sends.',
      '  Ctrl+C stops everything.',
      '',
      '',
    ].join('\n'),
  );
  const stop = (): void => {
    void Promise.all([playground.stop(), counterpart.stop(), bot.stop()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  playground.child.once('exit', () => {
    process.stderr.write('The Agents Playground stopped; the bot goes on.\n');
  });
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof FileProblems || error instanceof StoreError;
  const text = known ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${scrub(text, secretValues(process.env))}\n`);
  process.exit(1);
});
