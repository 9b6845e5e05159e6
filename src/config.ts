/**
 * Configuration comes from the environment, parsed once at start. A missing or wrong value
 * stops the bot with a message naming the variable and what it expects.
 */
import { z } from 'zod';
import { mayQuote, productionSecretProblems, secretFault, SECRET_VARIABLES } from './secrets';

/** A TCP port number, 1–65535. */
export const portSchema = z.coerce
  .number({ error: 'a port number, like 3978' })
  .int({ error: 'a whole port number, like 3978' })
  .min(1, { error: 'a port number from 1 to 65535' })
  .max(65535, { error: 'a port number from 1 to 65535' });

export const configSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'], { error: 'one of: development, test, production' })
    .default('development'),
  PORT: portSchema.default(3978),
  /** Unset: 0.0.0.0 in production, 127.0.0.1 (this machine only) otherwise. */
  HOST: z.string().min(1, { error: 'a host name or address to listen on, like 0.0.0.0' }).optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'one of: fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  PROCEDURES_DIR: z.string().min(1, { error: 'a folder of extra procedure files (.yaml)' }).optional(),
  DIRECTORY_FILE: z.string().min(1, { error: 'the path of the directory file (.yaml)' }).optional(),
  DATA_DIR: z.string().min(1, { error: 'a folder for the embedded store' }).default('./data'),
  STORE: z
    .enum(['sqlite', 'cosmos'], { error: 'either sqlite (the embedded store) or cosmos (Azure Cosmos DB)' })
    .optional(),
  SQLITE_FILE: z.string().min(1, { error: 'the path of the SQLite file' }).optional(),
  COSMOS_ENDPOINT: z.url({ error: 'the account endpoint, like https://myaccount.documents.azure.com:443/' }).optional(),
  COSMOS_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, { error: "the account's primary or secondary key (base64)" })
    .optional(),
  COSMOS_CONNECTION_STRING: z
    .string()
    .regex(/AccountEndpoint=.+;AccountKey=.+/i, {
      error: 'a connection string like AccountEndpoint=https://…;AccountKey=…;',
    })
    .optional(),
  /** true: this is the only copy of the bot, so production may keep cases in the embedded SQLite file. */
  SINGLE_HOST: z
    .enum(['true', 'false'], { error: 'true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  COSMOS_DATABASE: z
    .string()
    .regex(/^[^/\\#?]{1,255}$/, { error: 'a database name (no / \\ # or ?)' })
    .default('safeguarding-escalations'),
  COSMOS_INSECURE_TLS: z
    .enum(['true', 'false'], { error: 'true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  MicrosoftAppId: z.uuid({ error: "the bot's Microsoft Entra application (client) id, a GUID" }).optional(),
  MicrosoftAppPassword: z.string().min(1, { error: "the bot's client secret" }).optional(),
  MicrosoftAppType: z
    .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], {
      error: 'one of: MultiTenant, SingleTenant, UserAssignedMSI',
    })
    .optional(),
  MicrosoftAppTenantId: z.uuid({ error: 'the Microsoft Entra tenant id, a GUID' }).optional(),
  SWEEP_INTERVAL_SECONDS: z.coerce
    .number({ error: 'a number of seconds' })
    .int({ error: 'a whole number of seconds' })
    .min(0, { error: '0 (off) or more' })
    .max(3600, { error: 'at most 3600' })
    .default(30),
  SWEEPER_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, { error: 'letters, digits and . _ : - only' })
    .optional(),
  OUTBOX_LEASE_SECONDS: z.coerce
    .number({ error: 'a number of seconds' })
    .int({ error: 'a whole number of seconds' })
    .min(1, { error: 'at least 1' })
    .max(600, { error: 'at most 600' })
    .default(30),
  OUTBOX_ATTEMPTS: z.coerce
    .number({ error: 'a number of attempts' })
    .int({ error: 'a whole number of attempts' })
    .min(1, { error: 'at least 1' })
    .max(50, { error: 'at most 50' })
    .default(8),
  OUTBOX_RETRY_SECONDS: z.coerce
    .number({ error: 'a number of seconds' })
    .min(0.1, { error: 'at least 0.1' })
    .max(600, { error: 'at most 600' })
    .default(2),
  TEAMS_SERVICE_URL: z
    .url({ error: "the Teams connector's address, like https://smba.trafficmanager.net/teams/" })
    .default('https://smba.trafficmanager.net/teams/'),
  SLACK_SIGNING_SECRET: z
    .string()
    .regex(/^[0-9a-f]{16,}$/i, {
      error: "the Slack app's signing secret (Basic Information › App Credentials), letters a–f and digits",
    })
    .optional(),
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-[A-Za-z0-9-]+$/, { error: 'the bot token, starting xoxb- (OAuth & Permissions)' })
    .optional(),
  /** Slack's OAuth install per workspace (Basic Information › App Credentials): all three, or none. */
  SLACK_CLIENT_ID: z
    .string()
    .regex(/^[0-9]+\.[0-9]+$/, {
      error: "the Slack app's client id (Basic Information › App Credentials), like 1234567890.1234567890",
    })
    .optional(),
  SLACK_CLIENT_SECRET: z
    .string()
    .regex(/^[0-9a-f]{16,}$/i, {
      error: "the Slack app's client secret (Basic Information › App Credentials), letters a–f and digits",
    })
    .optional(),
  SLACK_STATE_SECRET: z
    .string()
    .min(32, {
      error:
        'a random secret of 32 or more characters that signs the install link (make one with: openssl rand -hex 32)',
    })
    .optional(),
  /** Socket Mode (local development): an app-level token with connections:write. */
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-[A-Za-z0-9-]+$/, {
      error: 'the app-level token, starting xapp- (Basic Information › App-Level Tokens, scope connections:write)',
    })
    .optional(),
  SLACK_API_URL: z.url({ error: "the Slack Web API's base address, like https://slack.com/api/" }).optional(),
  /** Role holders from Slack user groups and Entra ID groups (an agency's roleGroups): how often they are read. */
  GROUP_SYNC_MINUTES: z.coerce
    .number({ error: 'a number of minutes' })
    .int({ error: 'a whole number of minutes' })
    .min(0, { error: '0 (off) or more' })
    .max(1440, { error: 'at most 1440 (a day)' })
    .default(15),
  GRAPH_API_URL: z.url({ error: "Microsoft Graph's base address, like https://graph.microsoft.com/" }).optional(),
  ENTRA_AUTHORITY_URL: z
    .url({ error: 'the Microsoft sign-in address tokens are asked from, like https://login.microsoftonline.com/' })
    .optional(),
  PERSONAL_DATA_KEY: z
    .string()
    .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, {
      error: '32 bytes written in base64 (make one with: openssl rand -base64 32)',
    })
    .optional(),
  /** Keys that sealed the adult's details before PERSONAL_DATA_KEY: they open, never seal (see `cli personal reseal`). */
  PERSONAL_DATA_OLD_KEYS: z
    .string()
    .refine(
      (v) =>
        v
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean)
          .every((k) => /^[A-Za-z0-9+/]+={0,2}$/.test(k) && Buffer.from(k, 'base64').length === 32),
      { error: 'the earlier keys, each 32 bytes written in base64, separated by commas' },
    )
    .optional(),
  AUDIT_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length >= 32, {
      error: '32 or more bytes written in base64, kept apart from the store (make one with: openssl rand -base64 32)',
    })
    .optional(),
  /** Telemetry (traces and metrics over OTLP/HTTP): off unless the endpoint is set. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({
      protocol: /^https?$/,
      error:
        'the OTLP/HTTP address of an OpenTelemetry Collector or agent, like http://localhost:4318 (the bot adds /v1/traces and /v1/metrics)',
    })
    .optional(),
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .regex(/^\s*[^=,\s]+\s*=[^,]*(,\s*[^=,\s]+\s*=[^,]*)*\s*$/, {
      error: 'headers sent with the telemetry, written name=value,name2=value2 (for example api-key=…)',
    })
    .optional(),
  /** The OTLP transport the collector or agent expects; the bot speaks http/json only (others turn telemetry off, said). */
  OTEL_EXPORTER_OTLP_PROTOCOL: z.string().trim().optional(),
  OTEL_SERVICE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._:/-]{1,100}$/, {
      error: 'a name for this service in the telemetry: letters, digits and . _ : / -',
    })
    .optional(),
  OTEL_METRIC_EXPORT_INTERVAL: z.coerce
    .number({ error: 'a number of milliseconds' })
    .int({ error: 'a whole number of milliseconds' })
    .min(1000, { error: 'at least 1000 (one second)' })
    .max(3_600_000, { error: 'at most 3600000 (an hour)' })
    .optional(),
  OTEL_SDK_DISABLED: z
    .enum(['true', 'false'], { error: 'true or false' })
    .transform((v) => v === 'true')
    .optional(),
  /** Email for completed forms (to the forms' contacts): off unless set. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, {
      error: 'an SMTP server address, like smtps://user:password@smtp.example.org:465 (or smtp:// for STARTTLS)',
    })
    .optional(),
  SMTP_FROM: z
    .email({ error: 'the address completed forms are emailed from, like escalations@example.org' })
    .optional(),
});

/** Rules across variables, checked on the raw environment so that one wrong value hides none. */
function crossRules(env: Record<string, string | undefined>, malformed: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';
  // In production the platforms' addresses carry tokens and secrets: https only (this machine aside).
  if (production)
    for (const name of ['SLACK_API_URL', 'GRAPH_API_URL', 'ENTRA_AUTHORITY_URL', 'TEAMS_SERVICE_URL'] as const) {
      const value = env[name];
      if (!value || malformed.has(name) || !URL.canParse(value)) continue;
      const url = new URL(value);
      if (url.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
        problems.push(
          `${name} must be an https:// address in production: tokens and secrets go to it (it is ${url.protocol}//${url.host}).`,
        );
    }
  if (production && !env.DIRECTORY_FILE) {
    problems.push(
      "DIRECTORY_FILE must be set in production: the path of your agencies' directory file (the shipped example has invented people) (it is not set).",
    );
  }
  if (production && !env.PERSONAL_DATA_KEY) {
    problems.push(
      "PERSONAL_DATA_KEY must be set in production: 32 bytes in base64 that seal the adult's details (make one with: openssl rand -base64 32) (it is not set).",
    );
  }
  if (production && !env.AUDIT_KEY) {
    problems.push(
      'AUDIT_KEY must be set in production: 32 bytes in base64, kept apart from the store, that seal the record against tampering (make one with: openssl rand -base64 32) (it is not set).',
    );
  }
  if (env.SMTP_URL && !env.SMTP_FROM) {
    problems.push(
      'SMTP_URL is set, so SMTP_FROM must be set too: the address completed forms are emailed from (it is not set).',
    );
  }
  const oldKeys = (env.PERSONAL_DATA_OLD_KEYS ?? '').split(',').map((k) => k.trim());
  if (env.AUDIT_KEY && oldKeys.includes(env.AUDIT_KEY)) {
    problems.push('PERSONAL_DATA_OLD_KEYS must not hold AUDIT_KEY: each key does one job.');
  }
  if (env.PERSONAL_DATA_OLD_KEYS && !env.PERSONAL_DATA_KEY && production) {
    problems.push(
      'PERSONAL_DATA_OLD_KEYS is set, so PERSONAL_DATA_KEY must be set too: the key that seals from now on.',
    );
  }
  if (env.AUDIT_KEY && env.AUDIT_KEY === env.PERSONAL_DATA_KEY) {
    problems.push('AUDIT_KEY must not be the same as PERSONAL_DATA_KEY: each key does one job.');
  }
  if (env.STORE === 'cosmos' && !env.COSMOS_CONNECTION_STRING && !env.COSMOS_ENDPOINT) {
    problems.push(
      "STORE is cosmos, so COSMOS_ENDPOINT (with COSMOS_KEY, or without it to sign in with the bot's managed identity), or COSMOS_CONNECTION_STRING, must be set (they are not).",
    );
  }
  if (env.COSMOS_KEY && !env.COSMOS_ENDPOINT && !env.COSMOS_CONNECTION_STRING) {
    problems.push('COSMOS_ENDPOINT must be set with COSMOS_KEY: the account endpoint (it is not set).');
  }
  // Production on the embedded store: only where this is the one copy of the bot.
  const sqlite = env.STORE === 'sqlite' || (!env.STORE && !env.COSMOS_ENDPOINT && !env.COSMOS_CONNECTION_STRING);
  if (production && sqlite && env.SINGLE_HOST !== 'true') {
    problems.push(
      'The embedded SQLite store keeps cases on this one machine; with several replicas they would each keep their own. Set COSMOS_ENDPOINT, or SINGLE_HOST=true if this is the only copy of the bot.',
    );
  }
  if (production && !env.MicrosoftAppId) {
    problems.push(
      'MicrosoftAppId must be set in production: without it the Teams endpoint would accept unauthenticated requests (it is not set).',
    );
  }
  problems.push(...slackRules(env));
  if (env.MicrosoftAppType === 'SingleTenant' && !env.MicrosoftAppTenantId) {
    problems.push('MicrosoftAppTenantId must be set when MicrosoftAppType is SingleTenant (it is not set).');
  }
  if (production && env.COSMOS_INSECURE_TLS === 'true') {
    problems.push(
      "COSMOS_INSECURE_TLS must not be true in production: it turns off checking the database server's certificate.",
    );
  }
  if (production) problems.push(...productionSecretProblems(env, malformed));
  return problems;
}

/**
 * Slack is on with a way in (SLACK_SIGNING_SECRET for POST /slack/events, or SLACK_APP_TOKEN for
 * Socket Mode) and a token (SLACK_BOT_TOKEN for one workspace, or the OAuth install per workspace:
 * SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET together).
 */
function slackRules(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const oauth = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;
  const set = oauth.filter((n) => env[n]);
  if (set.length && set.length < oauth.length)
    problems.push(
      `SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET turn on installing the Slack app per workspace together: set all three, or none (${oauth.filter((n) => !env[n]).join(' and ')} ${oauth.length - set.length === 1 ? 'is' : 'are'} not set).`,
    );
  const wayIn = Boolean(env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN);
  const token = Boolean(env.SLACK_BOT_TOKEN || set.length);
  if (wayIn === token) return problems;
  if (!env.SLACK_APP_TOKEN && !set.length)
    problems.push(
      `SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN turn Slack on together: set both, or neither to leave Slack off (${env.SLACK_BOT_TOKEN ? 'SLACK_SIGNING_SECRET' : 'SLACK_BOT_TOKEN'} is not set).`,
    );
  else if (wayIn)
    problems.push(
      'Slack needs a token too: SLACK_BOT_TOKEN (one workspace), or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (each agency installs the app in its workspace) (none is set).',
    );
  else
    problems.push(
      'Slack needs a way in too: SLACK_SIGNING_SECRET (Slack sends to POST /slack/events) or SLACK_APP_TOKEN (Socket Mode, for trying it on your own computer) (neither is set).',
    );
  return problems;
}

export type Config = Omit<z.output<typeof configSchema>, 'HOST'> & { HOST: string };

/** Where the bot listens when HOST is unset: every interface in production, this machine only otherwise. */
export function defaultHost(nodeEnv: Config['NODE_ENV']): string {
  return nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1';
}

/** Which store the configuration chooses: Cosmos DB when it is configured, SQLite otherwise. */
export function storeKind(config: Config): 'sqlite' | 'cosmos' {
  return config.STORE ?? (config.COSMOS_ENDPOINT || config.COSMOS_CONNECTION_STRING ? 'cosmos' : 'sqlite');
}

export function sqliteFile(config: Config): string {
  return config.SQLITE_FILE ?? `${config.DATA_DIR.replace(/\/+$/, '')}/escalations.sqlite`;
}

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
        return `${name} must be ${issue.message} (${describe(name, cleaned[name])}).`;
      });
  const malformed = new Set(parsed.success ? [] : parsed.error.issues.map((i) => String(i.path[0])));
  problems.push(...crossRules(cleaned, malformed));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return { ...parsed.data, HOST: parsed.data.HOST ?? defaultHost(parsed.data.NODE_ENV) };
}

/** What a wrong value is, for the error: quoted unless it is a secret or holds credentials. */
function describe(name: string, value: string | undefined): string {
  if (value === undefined) return 'it is not set';
  if (SECRET_VARIABLES.has(name)) return `${secretFault(name, value)}; its value is not shown`;
  return mayQuote(name, value) ? `it is "${value}"` : 'it holds credentials, so its value is not shown';
}
