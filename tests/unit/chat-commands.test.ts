/** The words people type to the bot, the same on both platforms. */
import { chatCommand, helpText } from '../../src/app/chat-commands';

test('help, my cases, approvals, escalate and a reference on its own are commands; chatter is not', () => {
  expect(chatCommand('help')).toEqual({ kind: 'help' });
  expect(chatCommand('  Help. ')).toEqual({ kind: 'help' });
  expect(chatCommand('My  Cases')).toEqual({ kind: 'my-cases' });
  expect(chatCommand('approvals')).toEqual({ kind: 'approvals' });
  expect(chatCommand('escalate')).toEqual({ kind: 'escalate', more: false });
  expect(chatCommand('escalate with the police')).toEqual({ kind: 'escalate', more: true });
  expect(chatCommand('li-2026-0001')).toEqual({ kind: 'show', reference: 'LI-2026-0001' });
  expect(chatCommand('case CAM-2026-0042')).toEqual({ kind: 'show', reference: 'CAM-2026-0042' });
  for (const chatter of [
    'good morning',
    'did you see LI-2026-0001?',
    'can we escalate this?',
    '',
    'LI-26-1',
    42,
    undefined,
  ])
    expect(chatCommand(chatter)).toBeUndefined();
  expect(chatCommand('x'.repeat(500))).toBeUndefined();
});

test('help says what the bot is for, each command and how to raise, in each platform’s words', () => {
  expect(helpText('slack')).toMatch(/\/escalate: raise a new disagreement/);
  expect(helpText('teams')).toMatch(/\nescalate: raise|• escalate: raise a new disagreement/);
  for (const p of ['slack', 'teams'] as const) {
    expect(helpText(p)).toMatch(/my cases: .*approvals: /s);
    expect(helpText(p)).toMatch(/call 999 first/);
  }
});
