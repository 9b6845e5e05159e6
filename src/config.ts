/**
 * Configuration comes from the environment, parsed once at start. A missing or wrong value
 * stops the bot with a message naming the variable and what it expects.
 */
import { z } from 'zod';

const port = z.coerce
  .number({ error: 'a port number, like 3978' })
  .int({ error: 'a whole port number, like 3978' })
  .min(1, { error: 'a port number from 1 to 65535' })
  .max(65535, { error: 'a port number from 1 to 65535' });

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production'], { error: 'one of: development, test, production' }).default('development'),
  PORT: port.default(3978),
  HOST: z.string().min(1, { error: 'a host name or address to listen on, like 0.0.0.0' }).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'one of: fatal, error, warn, info, debug, trace, silent' }).default('info'),
  PROCEDURES_DIR: z.string().min(1, { error: 'a folder of extra procedure files (.yaml)' }).optional(),
  DIRECTORY_FILE: z.string().min(1, { error: 'the path of the directory file (.yaml)' }).optional(),
  DATA_DIR: z.string().min(1, { error: 'a folder for the embedded store' }).default('./data'),
});

/** Rules across variables, checked on the raw environment so that one wrong value hides none. */
function crossRules(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (env.NODE_ENV === 'production' && !env.DIRECTORY_FILE) {
    problems.push("DIRECTORY_FILE must be set in production: the path of your agencies' directory file (the shipped example has invented people) (it is not set).");
  }
  return problems;
}

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`The bot cannot start: its configuration needs fixing.\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parse the environment; throws ConfigError naming every wrong variable and what it expects. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const value = cleaned[name];
        return `${name} must be ${issue.message}${value === undefined ? ' (it is not set)' : ` (it is "${value}")`}.`;
      });
  problems.push(...crossRules(cleaned));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}
