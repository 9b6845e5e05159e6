/**
 * Where a value could leak to: every line the bot logged, and everything it sent to Slack and
 * Teams (messages, cards, views, channel names), as one text each to search.
 */
import { Writable } from 'node:stream';
import type { TestBot } from './bot';

/** A log destination for `startTestBot({ logDestination })` that keeps every line. */
export function captureLogs(): { destination: Writable; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { destination, lines };
}

/** Everything the bot sent to the fake Slack Web API and the fake Teams connector, as text. */
export function sentToChats(bot: TestBot): { slack: string; teams: string } {
  return { slack: JSON.stringify(bot.slackApi.calls), teams: JSON.stringify(bot.connector.calls) };
}
