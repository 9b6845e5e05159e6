/**
 * Composition root: configuration (zod-parsed environment) → procedures and directory →
 * HTTP server. The chat platforms (Teams, Slack) and the store plug in here as they arrive.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { loadConfig, ConfigError, type Config } from './config';
import { EXAMPLE_DIRECTORY_FILE, FileProblems, loadDirectoryFile, loadProcedures, SHIPPED_PROCEDURES_DIR } from './app/procedures';

function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields })}\n`);
}

export function start(config: Config): Server {
  const procedures = loadProcedures(config.PROCEDURES_DIR ? [SHIPPED_PROCEDURES_DIR, config.PROCEDURES_DIR] : [SHIPPED_PROCEDURES_DIR]);
  const directoryFile = config.DIRECTORY_FILE ?? EXAMPLE_DIRECTORY_FILE;
  const directory = loadDirectoryFile(directoryFile, procedures);
  if (!config.DIRECTORY_FILE) log('warn', 'Using the example directory (invented people). Set DIRECTORY_FILE to your agencies\' directory.', { directoryFile });
  const startedAt = new Date().toISOString();

  const server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', startedAt, boards: [...procedures.keys()], agencies: directory.agencies.length, people: directory.people.length }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found' }));
  });
  server.listen(config.PORT, config.HOST, () => {
    log('info', 'Escalation bot listening', { port: config.PORT, boards: [...procedures.keys()], agencies: directory.agencies.length });
  });
  return server;
}

if (require.main === module) {
  try {
    // A .env file beside package.json fills in what the environment does not set.
    if (existsSync('.env')) process.loadEnvFile('.env');
    const server = start(loadConfig());
    const stop = (): void => {
      log('info', 'Stopping: finishing requests in flight');
      server.close(() => process.exit(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof FileProblems) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
