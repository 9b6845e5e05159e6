/**
 * Secrets in the configuration: which variables hold them, how to say what is wrong with one
 * without printing it, which keys are too weak for production, and scrubbing their values out
 * of anything written to a log or the terminal.
 */
import { DEVELOPMENT_KEY } from './app/store/personal-data';

/** Variables whose values are never printed or logged. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'PERSONAL_DATA_KEY',
  'PERSONAL_DATA_OLD_KEYS',
  'AUDIT_KEY',
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'MicrosoftAppPassword',
  'COSMOS_KEY',
  'COSMOS_CONNECTION_STRING',
  'SMTP_URL',
  'SLACK_CLIENT_SECRET',
  'SLACK_STATE_SECRET',
  'SLACK_APP_TOKEN',
  'OTEL_EXPORTER_OTLP_HEADERS',
]);

/** The 32-byte keys (base64) that production checks for weakness, one rule for all. */
export const KEY_VARIABLES = ['PERSONAL_DATA_KEY', 'AUDIT_KEY'] as const;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAKE_KEY = 'make one with: openssl rand -base64 32';

/** Whether a value may be quoted back in an error: not a secret, and no credentials inside it. */
export function mayQuote(name: string, value: string): boolean {
  if (SECRET_VARIABLES.has(name)) return false;
  // A URL with a user or password in it (https://user:pass@host), or a key pasted anywhere.
  return !/\/\/[^/\s]*@/.test(value) && !/(AccountKey|password|secret|token)=/i.test(value);
}

/** What is wrong with a secret's value, in words that do not contain it. */
export function secretFault(name: string, value: string): string {
  const length = `${value.length} character${value.length === 1 ? '' : 's'}`;
  switch (name) {
    case 'PERSONAL_DATA_KEY':
    case 'AUDIT_KEY':
    case 'COSMOS_KEY': {
      if (!BASE64.test(value)) return 'it is not written in base64 (letters, digits, + and / only)';
      return `it is ${Buffer.from(value, 'base64').length} bytes of base64, not 32`;
    }
    case 'PERSONAL_DATA_OLD_KEYS': {
      const parts = value.split(',').map((k) => k.trim());
      const bad = parts.findIndex((k) => k && (!BASE64.test(k) || Buffer.from(k, 'base64').length !== 32));
      return `its key number ${bad + 1} of ${parts.length} is not 32 bytes of base64`;
    }
    case 'SLACK_SIGNING_SECRET':
      if (/[^0-9a-f]/i.test(value)) return 'it has a character that is not a–f or a digit';
      return `it is ${length} long, and Slack's are 32`;
    case 'SLACK_BOT_TOKEN':
      return value.startsWith('xoxb-')
        ? 'it has a character that is not a letter, digit or -'
        : 'it does not start xoxb-';
    case 'SLACK_APP_TOKEN':
      return value.startsWith('xapp-')
        ? 'it has a character that is not a letter, digit or -'
        : 'it does not start xapp- (Basic Information › App-Level Tokens)';
    case 'SLACK_CLIENT_SECRET':
      if (/[^0-9a-f]/i.test(value)) return 'it has a character that is not a–f or a digit';
      return `it is ${length} long, and Slack's are 32`;
    case 'COSMOS_CONNECTION_STRING':
      if (!/AccountEndpoint=[^;]+/i.test(value)) return 'it has no AccountEndpoint=…';
      return 'it has no AccountKey=…';
    default:
      return `it is ${length} long`;
  }
}

/**
 * Why a 32-byte key is too weak to protect real data, or undefined if it is not: short, one byte
 * repeated, half or fewer of its bytes different (a random key has about 30 of 32), a repeated half, a counting pattern, readable text (a password
 * rather than random bytes), or the local development key.
 */
export function weakKeyProblem(name: string, value: string): string | undefined {
  const key = Buffer.from(value, 'base64');
  const fix = `${MAKE_KEY}, and keep it apart from the store`;
  if (!BASE64.test(value) || key.length < 32)
    return `${name} must be 32 random bytes in base64 in production (${fix}); it is shorter.`;
  if (key.equals(DEVELOPMENT_KEY))
    return `${name} must not be the local development key in production: that key is public (${fix}).`;
  const distinct = new Set(key).size;
  if (distinct === 1) return `${name} is one byte repeated, which anyone can guess; ${fix}.`;
  if (key.every((b) => b >= 0x20 && b < 0x7f))
    return `${name} is readable text, not random bytes, so it can be guessed; ${fix}.`;
  const steps = new Set(key.subarray(1).map((b, i) => (b - (key[i] ?? 0) + 256) % 256));
  const halves = key.subarray(0, key.length / 2).equals(key.subarray(key.length / 2));
  if (distinct <= 16 || halves || steps.size === 1)
    return `${name} has a pattern (too few different bytes), so it is not random enough to protect real data; ${fix}.`;
  return undefined;
}

/**
 * Production's rules for secrets, on the raw environment (each a sentence that names the
 * variable); those already refused for their form (`malformed`) are not told twice.
 */
export function productionSecretProblems(
  env: Record<string, string | undefined>,
  malformed: ReadonlySet<string> = new Set(),
): string[] {
  const problems: string[] = [];
  for (const name of KEY_VARIABLES) {
    const value = malformed.has(name) ? undefined : env[name];
    const problem = value ? weakKeyProblem(name, value) : undefined;
    if (problem) problems.push(problem);
  }
  const signing = malformed.has('SLACK_SIGNING_SECRET') ? undefined : env.SLACK_SIGNING_SECRET;
  if (signing && (signing.length < 32 || new Set(signing.toLowerCase()).size < 6))
    problems.push(
      "SLACK_SIGNING_SECRET is too short or has a pattern: use the Slack app's own signing secret (32 letters a–f and digits, from Basic Information › App Credentials).",
    );
  const type = env.MicrosoftAppType ?? 'MultiTenant';
  if (env.MicrosoftAppId && type !== 'UserAssignedMSI' && !env.MicrosoftAppPassword)
    problems.push(
      `MicrosoftAppPassword must be set in production when MicrosoftAppType is ${type}: the bot's client secret (Microsoft Entra › App registrations › Certificates & secrets); only UserAssignedMSI needs none (it is not set).`,
    );
  return problems;
}

/** The secret values in an environment, longest first, for scrubbing (the Cosmos key inside its connection string too). */
export function secretValues(env: Record<string, unknown>): string[] {
  const values = new Set<string>();
  for (const name of SECRET_VARIABLES) {
    const value = env[name];
    if (typeof value !== 'string' || value.length < 6) continue;
    values.add(value);
    const accountKey = /AccountKey=([^;]+)/i.exec(value)?.[1];
    if (accountKey && accountKey.length >= 6) values.add(accountKey);
    // A list (the old keys; the telemetry headers, name=value each): each part, and each header's value, alone too.
    if (name === 'PERSONAL_DATA_OLD_KEYS' || name === 'OTEL_EXPORTER_OTLP_HEADERS')
      for (const part of value.split(',').map((p) => p.trim())) {
        if (part.length >= 6) values.add(part);
        const header = name === 'OTEL_EXPORTER_OTLP_HEADERS' ? part.slice(part.indexOf('=') + 1).trim() : '';
        if (header.length >= 6) values.add(header);
        if (header.length >= 6 && header !== decodeURIComponentSafe(header)) values.add(decodeURIComponentSafe(header));
      }
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/**
 * Slack tokens, whatever their source: the configured ones, and those each workspace's
 * installation brings (bot, user, refresh and app-level tokens), which are never in the environment.
 */
const SLACK_TOKEN = /\bx(?:ox[abeprs]|app)-[A-Za-z0-9-]{6,}/g;
function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Text with every secret value (and any credentials in a URL) replaced by [redacted]. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out
    .replace(SLACK_TOKEN, '[redacted]')
    .replace(/(\/\/[^/\s:@]*:)[^/\s@]+@/g, '$1[redacted]@')
    .replace(/(AccountKey=)[A-Za-z0-9+/=]{8,}/gi, '$1[redacted]');
}
