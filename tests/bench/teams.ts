/**
 * teams.card_action_p99: a click on a stage card (Action.Execute) through the CloudAdapter until
 * its answer: the command decided, the events stored in SQLite and the card update sent to the
 * (loopback) Teams connector.
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { strict as assert } from 'node:assert';
import { startTestBot } from '../fakes/bot';
import { executeAction, sendActivity, teamsPeople } from '../fakes/teams-client';
import type { Print } from './store';

export async function benchTeams(print: Print, clicks = 300): Promise<void> {
  const bot = await startTestBot({ env: { LOG_LEVEL: 'silent', SWEEP_INTERVAL_SECONDS: '30' } });
  const updates = (): number => bot.connector.calls.filter((c) => c.method === 'PUT').length;
  const send = async (activity: Record<string, unknown>): Promise<string> =>
    (
      await sendActivity(bot.teamsUrl, bot.connector.url, teamsPeople.alex, {
        recipient: { id: '28:bot' },
        conversation: { id: 'bench' },
        ...activity,
      })
    ).text;
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
      const answer = await send(
        executeAction('add-note', {
          reference: 'LI-2026-0001',
          stage: 'step-1',
          verb: 'add-note',
          'add-note.text': `note ${i}`,
        }),
      );
      times.push(performance.now() - t0);
      assert.match(answer, /application\/vnd.microsoft.card.adaptive/);
    }
    // The outbox brings the thread's card to the case's latest state (several clicks' updates
    // waiting together are sent as one): once settled, the last update shows the last note.
    await bot.app.settle();
    const last = bot.connector.calls.filter((c) => c.method === 'PUT').at(-1);
    assert.ok(
      updates() >= 1 && JSON.stringify(last?.body).includes(`note ${clicks - 1}`),
      'the thread card is up to date',
    );
    times.sort((a, b) => a - b);
    print('teams.card_action_p50', times[Math.floor(times.length * 0.5)] ?? 0, 'ms');
    print('teams.card_action_p99', times[Math.floor(times.length * 0.99)] ?? 0, 'ms');
  } finally {
    await bot.stop();
    rmSync(bot.dataDir, { recursive: true, force: true });
  }
}
