/**
 * Finding 10 (the host half): without MicrosoftAppId the Teams endpoint takes unauthenticated
 * requests, yet HOST defaulted to 0.0.0.0, so any machine on the network could reach it. In
 * development (and test) the bot now listens on 127.0.0.1 unless HOST says otherwise, and says
 * so at start; production keeps 0.0.0.0.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config';
import { start } from '../../src/main';
import { productionEnv } from './production';

const LINE = 'listening on 127.0.0.1 only: set HOST=0.0.0.0 to accept other machines';

function capture(): { lines: () => Array<{ msg?: string; level?: string }>; stream: Writable } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines: () => raw.map((l) => JSON.parse(l) as { msg?: string; level?: string }), stream };
}

async function startedWith(env: Record<string, string>): Promise<{ address: string; messages: string[] }> {
  const log = capture();
  const running = await start({ ...loadConfig(env), PORT: 0 }, { logDestination: log.stream });
  try {
    return {
      address: (running.server.address() as AddressInfo).address,
      messages: log.lines().map((l) => l.msg ?? ''),
    };
  } finally {
    await running.stop();
  }
}

const development = (): Record<string, string> => ({
  NODE_ENV: 'development',
  LOG_LEVEL: 'info',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'dev-host-')),
  SWEEP_INTERVAL_SECONDS: '0',
});

test('HOST unset: 127.0.0.1 in development and test, 0.0.0.0 in production; a HOST given is used', () => {
  expect(loadConfig({}).HOST).toBe('127.0.0.1');
  expect(loadConfig({ NODE_ENV: 'development' }).HOST).toBe('127.0.0.1');
  expect(loadConfig({ NODE_ENV: 'test' }).HOST).toBe('127.0.0.1');
  expect(loadConfig(productionEnv()).HOST).toBe('0.0.0.0');
  expect(loadConfig({ NODE_ENV: 'development', HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
  expect(loadConfig(productionEnv({ HOST: '10.0.0.5' })).HOST).toBe('10.0.0.5');
});

test('development: the bot listens on 127.0.0.1 only, and its start-up log says so and how to change it', async () => {
  const { address, messages } = await startedWith(development());
  expect(address).toBe('127.0.0.1');
  expect(messages).toContain(LINE);
});

test('development with HOST=0.0.0.0: every interface, and no such line', async () => {
  const { address, messages } = await startedWith({ ...development(), HOST: '0.0.0.0' });
  expect(address).toBe('0.0.0.0');
  expect(messages).not.toContain(LINE);
});

test('production: 0.0.0.0 by default (behind its own authentication)', async () => {
  const { address, messages } = await startedWith(productionEnv({ LOG_LEVEL: 'info' }));
  expect(address).toBe('0.0.0.0');
  expect(messages).not.toContain(LINE);
});
