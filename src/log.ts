/**
 * JSON-lines logs (pino). Tokens, keys and the adult's details are redacted wherever they appear
 * in what is logged; nothing else about a case is logged but its reference.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

export type { Logger };
