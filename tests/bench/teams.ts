/**
 * teams.card_action_p99: a click on a stage card (Action.Execute) through the CloudAdapter until
 * its answer: the command decided, the events stored in SQLite and the card update sent to the
 * (loopback) Teams connector.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { strict as assert } from 'node:assert';
import { loadConfig } from '../../src/config';
import { start } from '../../src/main';
import type { Print } from './store';

const alex = { id: '29:alex', aadObjectId: '9cf6235d-587c-4636-ae0b-07589527f853', name: 'Alex Morgan' };

export async function benchTeams(print: Print, clicks = 300): Promise<void> {
  let updates = 0;
  const connector = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'PUT') updates++;
      // Teams names a new channel thread after its first message.
      const body =
        req.method === 'POST' && req.url === '/v3/conversations'
          ? { id: '19:bench@thread.tacv2;messageid=1', activityId: '1' }
          : { id: 'sent' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => connector.listen(0, '127.0.0.1', () => resolve()));
  const serviceUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}/`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-teams-'));
  const app = await start({
    ...loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, HOST: '127.0.0.1', LOG_LEVEL: 'silent' }),
    PORT: 0,
  });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/messages`;
  let n = 0;
  const send = async (activity: Record<string, unknown>): Promise<string> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        channelId: 'msteams',
        serviceUrl,
        id: `b${++n}`,
        from: alex,
        recipient: { id: '28:bot' },
        conversation: { id: 'bench' },
        ...activity,
      }),
    });
    return response.text();
  };
  try {
    const form = {
      board: 'lincolnshire',
      immediateRisk: 'no',
      respondingAgency: 'lincolnshire-police',
      initials: 'JS',
      category: 'case-closure',
      summary: 's',
      outcomeWanted: 'o',
      safetyMeanwhile: 'm',
    };
    assert.match(await send({ type: 'invoke', name: 'task/submit', value: { data: form } }), /is raised/);
    const times: number[] = [];
    for (let i = 0; i < clicks; i++) {
      const t0 = performance.now();
      const answer = await send({
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: {
          action: {
            type: 'Action.Execute',
            verb: 'add-note',
            data: { reference: 'LI-2026-0001', stage: 'step-1', verb: 'add-note', 'add-note.text': `note ${i}` },
          },
        },
      });
      times.push(performance.now() - t0);
      assert.match(answer, /application\/vnd.microsoft.card.adaptive/);
    }
    assert.equal(updates, clicks, 'every click updated the thread card');
    times.sort((a, b) => a - b);
    print('teams.card_action_p50', times[Math.floor(times.length * 0.5)] ?? 0, 'ms');
    print('teams.card_action_p99', times[Math.floor(times.length * 0.99)] ?? 0, 'ms');
  } finally {
    await app.stop();
    connector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
