/** The Teams cards for finding your work parse cleanly with the official Adaptive Cards parser; the Slack App Home keeps to Block Kit's limits. */
import type { MyWork, WorkLine } from '../../src/app/my-work';
import { LIMITS } from '../../src/channels/slack/blocks';
import { homeView, workMessage } from '../../src/channels/slack/work-blocks';
import { helpCard, welcomeCard, workCard } from '../../src/channels/teams/work-cards';
import { parseProblems } from '../fakes/adaptive-cards';

const line = (n: number): WorkLine => ({
  reference: `LI-2026-${String(n).padStart(4, '0')}`,
  board: 'Lincolnshire Safeguarding Adults Board',
  agencies: 'with Lincolnshire Police',
  stage: 'Stage 2: Direct Manager to Manager Discussion',
  urgent: n % 2 === 0,
  move: 'Priya Shah, Lincolnshire County Council: approve or return the escalation',
  due: 'by 5pm Wednesday 25 November, 2 working days',
  yours: 'approve or return the escalation',
  // As long as a list shows a reason (200 characters).
  asked: `Alex Morgan asked to escalate to Stage 2: Direct Manager to Manager Discussion: ${'r'.repeat(200)}`,
});

const full: MyWork = {
  cases: { lines: Array.from({ length: 15 }, (_, i) => line(i + 1)), more: 7 },
  approvals: { lines: Array.from({ length: 15 }, (_, i) => line(i + 1)), more: 2 },
};
const none: MyWork = { cases: { lines: [], more: 0 }, approvals: { lines: [], more: 0 } };

test('the list, help and welcome cards parse without a warning', () => {
  for (const card of [
    workCard(full, 'my-cases'),
    workCard(full, 'approvals'),
    workCard(none, 'my-cases'),
    helpCard(),
    helpCard('I did not understand that.'),
    welcomeCard('Alex Morgan'),
  ])
    expect(parseProblems(card)).toEqual([]);
  // Teams takes a message of up to about 28 KB.
  expect(JSON.stringify(workCard(full, 'my-cases')).length).toBeLessThan(25_000);
});

test('the App Home and the list messages stay within Block Kit limits, however long the lists', () => {
  for (const { blocks } of [homeView(full), homeView(none), homeView(undefined, 'Not in the directory')]) {
    expect(blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerModal);
    for (const b of blocks as Array<{ text?: { text: string } }>)
      expect((b.text?.text ?? '').length).toBeLessThanOrEqual(LIMITS.sectionText);
  }
  const message = workMessage(full, 'approvals');
  expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
  expect(JSON.stringify(message.blocks)).toMatch(/and 2 more, not shown here/);
});
