/**
 * JSON-lines logs (pino). Tokens, keys and the adult's details are redacted wherever they appear
 * in what is logged; nothing else about a case is logged but its reference. The configured
 * secrets' values are also scrubbed out of every message and field, under whatever name they
 * turn up (a library's error text, say).
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { scrub } from './secrets';

export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'token',
  '*.token',
  '*.*.token',
  'password',
  '*.password',
  'MicrosoftAppPassword',
  '*.MicrosoftAppPassword',
  'PERSONAL_DATA_KEY',
  '*.PERSONAL_DATA_KEY',
  'SLACK_BOT_TOKEN',
  '*.SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  '*.SLACK_SIGNING_SECRET',
  'COSMOS_KEY',
  '*.COSMOS_KEY',
  'COSMOS_CONNECTION_STRING',
  '*.COSMOS_CONNECTION_STRING',
  'AUDIT_KEY',
  '*.AUDIT_KEY',
  'signingSecret',
  '*.signingSecret',
  'clientSecret',
  '*.clientSecret',
  'secret',
  '*.secret',
  'connectionString',
  '*.connectionString',
  'masterKey',
  '*.masterKey',
  'cookie',
  '*.cookie',
  'headers.cookie',
  '*.headers.cookie',
  'headers["x-slack-signature"]',
  '*.headers["x-slack-signature"]',
  // The adult's details, should any code path ever put them in a log line.
  'personal',
  '*.personal',
  '*.*.personal',
  'dateOfBirth',
  '*.dateOfBirth',
  '*.*.dateOfBirth',
  'address',
  '*.address',
  '*.*.address',
];

/** Strings anywhere in a logged value, with the secrets scrubbed out. */
function scrubbed(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return scrub(value, secrets);
  if (value instanceof Error) return scrub(value.message, secrets);
  if (depth > 6 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => scrubbed(v, secrets, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubbed(v, secrets, depth + 1)]));
}

/** A logger at `level`; `secrets` are values never to be written, whatever field they are in. */
export function createLogger(level: string, destination?: DestinationStream, secrets: readonly string[] = []): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => scrubbed(fields, secrets) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const text = (a: unknown): unknown => (typeof a === 'string' ? scrub(a, secrets) : a);
          const [first, ...rest] = args as unknown[];
          // An error logged on its own: its message (scrubbed) is the line's message too.
          const scrubbedArgs =
            first instanceof Error
              ? [{ err: scrubbed(first, secrets) }, ...(rest.length ? rest.map(text) : [scrub(first.message, secrets)])]
              : args.map(text);
          method.apply(this, scrubbedArgs as Parameters<typeof method>);
        },
      },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

export type { Logger };
