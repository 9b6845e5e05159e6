/**
 * For the outbox crash test: what the end of the run is checked against, as problems in words.
 * Every outbox item done; nothing anyone did refused (so nobody clicked twice); each Slack DM owed
 * exactly once (by the item id in its metadata) and no other; each case's Slack channel made once,
 * its card and Slack Connect note posted once; each Teams 1:1 message owed arrived (by whom it
 * went to and its words), and each case's Teams thread card was posted, a second time (or more)
 * only with a kill in between (Teams cannot say whether a message arrived: one sent as a replica
 * dies goes again); the last body each case's card was given shows the case as stored.
 */
import { openThreadId } from '../../src/app/owed';
import type { OutboxItem } from '../../src/app/store/outbox';
import { stageCardView } from '../../src/app/views/stage-card';
import type { SlackThread } from '../../src/channels/slack/outlet';
import type { TeamsThread } from '../../src/channels/teams/outlet';
import type { Directory } from '../../src/domain/directory';
import type { CaseEvent, CaseState } from '../../src/domain/escalation';
import type { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';
import type { FakeSlackApi } from '../fakes/slack-api';
import type { FakeConnector } from '../fakes/teams-connector';
import { lastSlackBody, lastTeamsBody, slackDirectCounts, teamsDirects, teamsThreadPosts } from './sent';

export interface Findings {
  problems: string[];
  items: OutboxItem[];
  /** Owed and never delivered. */
  lost: { slack: number; teams: number };
  /** Delivered more than once: 1:1 messages and thread cards (extra copies). */
  doubled: { slack: number; teams: number; teamsCards: number };
  /** The most copies of one Teams message or card. */
  mostCopies: number;
}

export interface Run {
  repo: SqliteRepository;
  slackApi: FakeSlackApi;
  connector: FakeConnector;
  directory: Directory;
  /** When each kill was signalled. */
  killedAt: readonly number[];
  slackCases: readonly string[];
  teamsCases: readonly string[];
}

const inJson = (text: string): string => JSON.stringify(text).slice(1, -1);

/**
 * A request already on its way when a kill is signalled can land a moment after it. This cannot
 * excuse a copy sent by a live replica: the next one takes over a second to start.
 */
const IN_FLIGHT_MS = 250;

/** Copies after the first each need a kill between the copy before them (as it went) and them. */
function unexplained(times: readonly number[], killedAt: readonly number[]): number {
  let count = 0;
  for (let k = 1; k < times.length; k++)
    if (!killedAt.some((t) => t >= (times[k - 1] ?? 0) - IN_FLIGHT_MS && t <= (times[k] ?? 0))) count++;
  return count;
}

export async function check(run: Run): Promise<Findings> {
  const { repo, slackApi, connector, directory, killedAt } = run;
  const problems: string[] = [];
  const lost = { slack: 0, teams: 0 };
  const doubled = { slack: 0, teams: 0, teamsCards: 0 };
  let mostCopies = 1;
  const cases = new Map<string, { state: CaseState; events: CaseEvent[] }>();
  for (const reference of [...run.slackCases, ...run.teamsCases]) {
    const stored = await repo.getCase(reference);
    const events = (await repo.getEvents(reference)).map((e) => e.event);
    if (stored) cases.set(reference, { state: stored.state, events });
    else problems.push(`${reference} is not stored`);
    for (const e of events) if (e.type === 'command-refused') problems.push(`${reference}: refused ${e.command}`);
  }
  const items = await repo.listOutbox({ limit: 100_000 });
  for (const i of items.filter((i) => i.status !== 'done'))
    problems.push(`left ${i.status}: ${i.id} (${i.attempts} attempts, ${i.lastError ?? ''})`);

  /** The card's last body shows the case as stored: its stage, status, any pending escalation, its latest history. */
  const stale = (reference: string, body: string | undefined, platform: string): void => {
    const stored = cases.get(reference);
    if (!stored) return;
    const view = stageCardView(stored.state, { now: new Date(), directory, events: stored.events });
    const shown = [view.stage.name, view.statusText, ...(view.pending ? [view.pending] : [])];
    shown.push(...view.history.map((l) => l.replace(/^.*? — /, '')));
    const missing = shown.filter((s) => !body?.includes(inJson(s)));
    if (missing.length) problems.push(`${platform}: ${reference}'s card does not show: ${missing.join(' | ')}`);
  };

  // Slack: each DM owed exactly once, and no other.
  const dms = slackDirectCounts(slackApi);
  const slackTells = items.filter((i) => i.kind === 'tell' && i.platform === 'slack');
  for (const item of slackTells) {
    const n = dms.get(item.id) ?? 0;
    if (n === 0) lost.slack++;
    if (n > 1) doubled.slack++;
    if (n !== 1) problems.push(`Slack: ${item.id} (${item.status}) arrived ${n} times`);
  }
  for (const key of dms.keys())
    if (!slackTells.some((i) => i.id === key)) problems.push(`Slack: a DM nobody owed: ${key}`);

  // Slack: each case's channel made once; its card and note posted once; the card as stored.
  const names: string[] = [];
  for (const reference of run.slackCases) {
    const found = (await repo.getThreads(reference)).find((t) => t.platform === 'slack');
    const thread = found?.reference as unknown as SlackThread | undefined;
    const state = cases.get(reference)?.state;
    if (!thread || !state) {
      problems.push(`Slack: ${reference} has no channel`);
      lost.slack++;
      continue;
    }
    names.push(`esc-${reference.toLowerCase()}`);
    if (slackApi.channels.get(thread.name ?? '') !== thread.channel)
      problems.push(`Slack: ${reference}'s channel ${thread.channel} is not the one named ${thread.name ?? ''}`);
    for (const part of ['card', 'connect']) {
      const key = `${openThreadId(state)}#${part}`;
      const n = slackApi.messages.filter((m) => m.metadata?.event_payload.key === key).length;
      if (n > 1) doubled.slack++;
      if (n === 0) lost.slack++;
      if (n !== 1) problems.push(`Slack: ${reference}'s ${part} message posted ${n} times`);
    }
    stale(reference, lastSlackBody(slackApi, thread.channel, thread.ts), 'Slack');
  }
  const made = [...slackApi.channels.keys()].sort().join(', ');
  if (made !== names.sort().join(', ')) problems.push(`Slack: channels made ${made}; owed ${names.join(', ')}`);

  // Teams: each 1:1 message owed arrived; each copy after the first has a kill just before it.
  const sent = new Map<string, number[]>();
  for (const d of teamsDirects(connector, directory)) {
    const k = `${d.personId}: ${d.text}`;
    sent.set(k, [...(sent.get(k) ?? []), d.at]);
  }
  const owed = new Map<string, number>();
  for (const i of items.filter((i) => i.kind === 'tell' && i.platform === 'teams')) {
    const k = `${i.recipient}: ${String(i.payload.text)}`;
    owed.set(k, (owed.get(k) ?? 0) + 1);
  }
  for (const [k, n] of owed) {
    const times = sent.get(k) ?? [];
    if (times.length < n) {
      lost.teams += n - times.length;
      problems.push(`Teams: owed ${n}, arrived ${times.length}: ${k}`);
    }
    if (times.length > n) doubled.teams += times.length - n;
    mostCopies = Math.max(mostCopies, times.length - n + 1);
    const without = n === 1 ? unexplained(times, killedAt) : Math.max(0, times.length - n - killedAt.length);
    if (without) problems.push(`Teams: ${without} copies with no kill before them: ${k}`);
  }
  for (const k of sent.keys()) if (!owed.has(k)) problems.push(`Teams: a 1:1 message nobody owed: ${k}`);

  // Teams: each case's thread card posted (again only after a kill); the one kept shows the case as stored.
  for (const reference of run.teamsCases) {
    const found = (await repo.getThreads(reference)).find((t) => t.platform === 'teams');
    const thread = found?.reference as unknown as TeamsThread | undefined;
    const posts = teamsThreadPosts(connector, reference);
    doubled.teamsCards += Math.max(0, posts.length - 1);
    mostCopies = Math.max(mostCopies, posts.length);
    if (!posts.length) lost.teams++;
    const without = unexplained(
      posts.map((p) => p.at),
      killedAt,
    );
    if (without) problems.push(`Teams: ${reference}'s thread card posted again ${without} times with no kill before`);
    if (!thread?.activityId || !posts.some((p) => p.activityId === thread.activityId)) {
      problems.push(`Teams: ${reference}'s thread card posted ${posts.length} times; kept ${thread?.activityId}`);
      continue;
    }
    stale(reference, lastTeamsBody(connector, thread.conversation.conversation?.id ?? '', thread.activityId), 'Teams');
  }
  return { problems, items, lost, doubled, mostCopies };
}
