/**
 * The words people type to the bot, the same on Slack and Teams: `help`, `my cases`, `approvals`,
 * a case reference on its own (`LI-2026-0001`), and `escalate`; and what the bot says back in
 * words (help, empty lists). Anything else is not a command: in a chat with others the bot stays
 * silent on it, unless it was spoken to (an @mention).
 */
import { parseCaseReference } from '../domain/escalation';
import type { Platform } from './access';

export type ChatCommand =
  | { kind: 'help' }
  | { kind: 'my-cases' }
  | { kind: 'approvals' }
  | { kind: 'show'; reference: string }
  /** `escalate` on its own; `more` when other words follow it ("escalate with the police"). */
  | { kind: 'escalate'; more: boolean };

const HELP = new Set(['help', '?', 'commands', 'what can you do', 'menu']);
const MY_CASES = new Set(['my cases', 'cases', 'my case', 'my work', 'list']);
const APPROVALS = new Set(['approvals', 'my approvals', 'approval', 'to approve']);

/** What was typed, with spaces folded, a leading / or ! and the closing full stops taken off. */
function tidied(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[/!]/, '')
    .replace(/[.!]+$/, '')
    .trim();
}

/** What a message asks for, if it is one of the bot's commands. */
export function chatCommand(text: unknown): ChatCommand | undefined {
  if (typeof text !== 'string' || text.length > 200) return undefined;
  const said = tidied(text);
  const words = said.toLowerCase();
  if (!words) return undefined;
  if (HELP.has(words)) return { kind: 'help' };
  if (MY_CASES.has(words)) return { kind: 'my-cases' };
  if (APPROVALS.has(words)) return { kind: 'approvals' };
  if (words === 'escalate') return { kind: 'escalate', more: false };
  if (words.startsWith('escalate ')) return { kind: 'escalate', more: true };
  // A reference on its own, or after "case", "show" or "open".
  const reference = said.replace(/^(case|show|open)\s+/i, '');
  if (parseCaseReference(reference)) return { kind: 'show', reference: reference.toUpperCase() };
  return undefined;
}

const GREETINGS = /^(hello|hi|hey|good (morning|afternoon|evening)|hiya)\b/i;

/** "Hello", "good morning": in a chat with the bot alone, answered with help (not "I did not understand"). */
export function isGreeting(text: unknown): boolean {
  return typeof text === 'string' && GREETINGS.test(text.trim());
}

/** What the bot says, before help, to something it does not understand in a chat with it alone. */
export const NOT_UNDERSTOOD = 'I did not understand that. Here is what I can do.';

/** How a person raises a case, and where the commands work, on each platform. */
const PLATFORM_WORDS: Record<Platform, { where: string; raise: string }> = {
  slack: {
    where:
      'Type these in your direct messages with me (the Messages tab of my App Home), or after /escalate anywhere in Slack, where only you see the answer. My Home tab lists your cases too.',
    raise:
      'To raise a disagreement, type /escalate anywhere in Slack (or /escalate @name to name the person in the other agency).',
  },
  teams: {
    where:
      'Type these in your personal chat with me. In a group chat, mention me first (@Safeguarding escalations help); anything about a case is sent to your personal chat.',
    raise:
      'To raise a disagreement, type escalate. In a group chat, escalate on its own is enough, or mention me if I do not answer.',
  },
};

/** The commands, in the same words on both platforms. */
export const COMMAND_LINES: readonly string[] = [
  'my cases: the open cases you are part of or hold a role in, with whose move it is and the deadline',
  'approvals: escalations waiting for you to approve or return',
  "a case reference on its own, for example LI-2026-0001: that case's card, if it is yours to see",
  'away 3 to 7 January, Catherine Doyle covers (or away until 9 January, away today): set your absence and who covers it; away shows it, back ends it',
  "roles: your agency's roles and who holds them today (administrators: assign <role> to <person>, remove <role> from <person>)",
  'help: this message',
];

// ── the directory in chat: roles, assign, remove, away, back ──────────────────────────────

export type DirectoryChatCommand =
  | { kind: 'roles' }
  | { kind: 'assign'; role: string; who: string }
  | { kind: 'remove'; role: string; who: string }
  /** away, back: read with today's date by parseAway (src/domain/directory/away.ts). */
  | { kind: 'away'; text: string };

/** What a message asks of the directory, if anything (the same words on Slack and Teams). */
export function directoryChatCommand(text: unknown): DirectoryChatCommand | undefined {
  if (typeof text !== 'string' || text.length > 300) return undefined;
  const said = tidied(text);
  const lower = said.toLowerCase();
  if (lower === 'roles' || lower === 'who holds which role' || lower === 'role holders') return { kind: 'roles' };
  if (
    lower === 'away' ||
    lower.startsWith('away ') ||
    lower === 'back' ||
    lower === "i'm back" ||
    lower === 'i am back'
  )
    return { kind: 'away', text: said };
  const assign = /^(?:assign|give)\s+(?:the\s+)?(.+?)\s+(?:role\s+)?to\s+(.+)$/i.exec(said);
  if (assign?.[1] && assign[2]) return { kind: 'assign', role: assign[1].trim(), who: assign[2].trim() };
  const remove = /^(?:remove|take)\s+(?:the\s+)?(.+?)\s+(?:role\s+)?(?:from|off)\s+(.+)$/i.exec(said);
  if (remove?.[1] && remove[2]) return { kind: 'remove', role: remove[1].trim(), who: remove[2].trim() };
  return undefined;
}

export const ABOUT =
  "I help agencies resolve professional disagreements about adults at risk, stage by stage, following your Safeguarding Adults Board's procedure. If the adult is in immediate danger, call 999 first.";

/** What help says: what the bot is for, the commands and where they work, how to raise a case. */
export function helpWords(platform: Platform): {
  about: string;
  commands: readonly string[];
  where: string;
  raise: string;
} {
  const raise = `${platform === 'slack' ? '/escalate' : 'escalate'}: raise a new disagreement with another agency`;
  return { about: ABOUT, commands: [...COMMAND_LINES, raise], ...PLATFORM_WORDS[platform] };
}

/** Help as one plain text (bullets one a line). */
export function helpText(platform: Platform): string {
  const help = helpWords(platform);
  return [
    help.about,
    '',
    'What you can type:',
    ...help.commands.map((c) => `• ${c}`),
    '',
    help.where,
    '',
    help.raise,
  ].join('\n');
}

export const NO_CASES = 'You have no open cases: none you are part of, and none your role covers.';
export const NO_APPROVALS = 'Nothing is waiting for you to approve.';
export const MY_CASES_TITLE = 'Your open cases';
export const APPROVALS_TITLE = 'Waiting for your approval';

/** "and 3 more: type a case's reference to see it" */
export function moreWords(more: number): string {
  return `and ${more} more, not shown here: type a case's reference to see it.`;
}

/** What someone typing to the bot in a chat with others is told, when it is something the bot does not know. */
export function notACommand(platform: Platform): string {
  return `I did not understand that. ${platform === 'slack' ? 'Type /escalate help' : 'Type help'} to see what I can do.`;
}
