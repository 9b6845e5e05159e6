/**
 * slack.ack_p99_ratio: the p99 latency of signed `/escalate` slash commands at RATE a second,
 * open-loop (latency from each request's scheduled send time), against the compiled bot
 * (`node dist/main.js`: Bolt's receiver on its server, the directory lookup, the ack, then
 * views.open to the fake API) and against a bare Bolt app that only acks; the bot, the bare app,
 * the fake Slack Web API and the load generator each in a process of its own. The two are loaded
 * in turn (bare, bot; ROUNDS times), each round paired: the ratio of a round is the bot's p99 over
 * the bare app's p99 just before it. Limit: median ratio ≤ 1.1. CPU per request is each
 * process's own (from /proc), over the round.
 */
import { figure, info, percentile } from './figures';
import { cpuMs, startBot, startPeer, type Peer } from './procs';
import { SLACK_SECRET } from '../fakes/slack-client';

const RATE = 200;
const ROUNDS = 3;
const PER_ROUND = 1000; // five seconds at 200 a second
const WARM = 200;

interface Load {
  latencies: number[];
  errors: number;
  statuses: Record<string, number>;
  spanMs: number;
}

async function round(
  loadgen: Peer,
  url: string,
  pid: number,
  from: number,
): Promise<{ p99: number; cpu: number; errors: number; statuses: Record<string, number> }> {
  const cpu0 = cpuMs(pid);
  const load = await loadgen.ask<Load>({ op: 'slack', url, count: PER_ROUND, rate: RATE, from });
  const cpu = (cpuMs(pid) - cpu0) / PER_ROUND;
  // A request not answered as it should be still counts, at the time it took; the errors are said.
  return { p99: percentile(load.latencies, 0.99), cpu, errors: load.errors, statuses: load.statuses };
}

export async function benchSlack(): Promise<void> {
  const api = await startPeer('slack-api');
  const apiUrl = String(api.ready.url);
  const bare = await startPeer('bolt', { apiUrl });
  const loadgen = await startPeer('loadgen');
  const bot = await startBot({
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_API_URL: apiUrl,
    LOG_LEVEL: 'silent',
  });
  try {
    const ours = { p99: [] as number[], cpu: [] as number[], errors: [] as number[], statuses: [] as string[] };
    const peer = { p99: [] as number[], cpu: [] as number[], errors: [] as number[], statuses: [] as string[] };
    const bareUrl = String(bare.ready.url);
    await round(loadgen, bareUrl, bare.pid, 0).catch(() => undefined); // warm up
    await loadgen.ask({ op: 'slack', url: bot.url, count: WARM, rate: RATE, from: 0 });
    for (let r = 0; r < ROUNDS; r++) {
      const b = await round(loadgen, bareUrl, bare.pid, 0);
      peer.p99.push(b.p99);
      peer.cpu.push(b.cpu);
      peer.errors.push(b.errors);
      peer.statuses.push(JSON.stringify(b.statuses));
      const o = await round(loadgen, bot.url, bot.pid, WARM + r * PER_ROUND);
      ours.p99.push(o.p99);
      ours.cpu.push(o.cpu);
      ours.errors.push(o.errors);
      ours.statuses.push(JSON.stringify(o.statuses));
    }
    // Every /escalate of ours went on to open the raising form.
    const wanted = WARM + ROUNDS * PER_ROUND;
    const until = Date.now() + 15_000;
    let opened = 0;
    while ((opened = await api.ask<number>({ op: 'count', method: 'views.open' })) < wanted && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    info('slack.views_opened', opened, `of ${wanted}`);
    info('slack.escalate_ack_p99', Math.min(...ours.p99), 'ms (best round)');
    info('slack.bare_bolt_ack_p99', Math.min(...peer.p99), 'ms (best round)');
    figure({
      name: 'slack.ack_p99_ratio',
      unit: 'ms',
      runs: ours.p99,
      peer: { name: 'bare Bolt', runs: peer.p99 },
      limit: { max: 1.1 },
      note: `${RATE} req/s open-loop; CPU per request ${ours.cpu.map((c) => c.toFixed(2)).join('/')} ms vs bare ${peer.cpu.map((c) => c.toFixed(2)).join('/')} ms${opened < wanted ? `; only ${opened} of ${wanted} forms opened` : ''}`,
    });
    if (opened < wanted) figure({ name: 'slack.forms_opened', unit: '', runs: [opened], limit: { min: wanted } });
    // Every request answered as it should be, by both (a wrong answer is counted above at its time).
    figure({
      name: 'slack.ack_errors',
      unit: 'requests',
      runs: ours.errors,
      limit: { max: 0 },
      note: `bare ${peer.errors.join('/')}; answers by status, ours ${ours.statuses.join(' ')}, bare ${peer.statuses.join(' ')}`,
    });
  } finally {
    await bot.stop();
    await loadgen.stop();
    await bare.stop();
    await api.stop();
  }
}
