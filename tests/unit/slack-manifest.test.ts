/** The Slack manifest asks for the scopes the code uses, and no more; its URLs go to /slack/events. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BOT_SCOPES } from '../../src/channels/slack/oauth';

const ROOT = join(__dirname, '..', '..');
const manifest = parse(readFileSync(join(ROOT, 'manifests', 'slack', 'manifest.yaml'), 'utf8')) as {
  features: {
    slash_commands: Array<{ command: string; url: string }>;
    app_home: Record<string, boolean>;
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url: string };
    event_subscriptions: { request_url: string; bot_events: string[] };
  };
};

/** The scope each Web API method needs (api.slack.com/methods), for a bot in private channels. */
const SCOPES: Record<string, string[]> = {
  'conversations.create': ['groups:write'],
  'conversations.invite': ['groups:write'],
  'conversations.list': ['groups:read'],
  'conversations.inviteShared': ['conversations.connect:write', 'groups:write.invites'],
  'conversations.open': ['im:write'],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'views.open': [],
  'views.publish': [],
  'conversations.history': ['groups:history', 'im:history'],
  filesUploadV2: ['files:write'],
  // Group sync (src/channels/slack/user-groups.ts): a user group's members.
  'usergroups.users.list': ['usergroups:read'],
  // Who someone new is (identity from the platform): their name, home workspace and work email.
  'users.info': ['users:read', 'users:read.email'],
};

const source = readdirSync(join(ROOT, 'src', 'channels', 'slack'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(join(ROOT, 'src', 'channels', 'slack', f), 'utf8'))
  .join('\n');

test('every Web API method the Slack code calls is covered by a scope in the manifest, and every scope is used', () => {
  const used = [
    ...new Set([...source.matchAll(/client\.(\w+)\.(\w+)\(/g)].map((m) => `${m[1]}.${m[2]}`)),
    ...(/\.filesUploadV2\(/.test(source) ? ['filesUploadV2'] : []),
    // Calls made by name (group sync's own fetch): this.call('usergroups.users.list', …).
    ...[...source.matchAll(/this\.call\(\s*'([\w.]+)'/g)].map((m) => m[1] ?? ''),
  ].sort();
  expect(used.length).toBeGreaterThan(5);
  for (const method of used) {
    expect(SCOPES).toHaveProperty([method]);
    for (const scope of SCOPES[method] ?? []) expect(manifest.oauth_config.scopes.bot).toContain(scope);
  }
  const needed = new Set(['commands', 'app_mentions:read', ...used.flatMap((m) => SCOPES[m] ?? [])]);
  expect(manifest.oauth_config.scopes.bot.filter((s) => !needed.has(s))).toEqual([]);
});

test('the slash command, interactivity and events all go to /slack/events', () => {
  expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(['/escalate']);
  const urls = [
    ...manifest.features.slash_commands.map((c) => c.url),
    manifest.settings.interactivity.request_url,
    manifest.settings.event_subscriptions.request_url,
  ];
  for (const url of urls) expect(url).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
  expect(manifest.settings.interactivity.is_enabled).toBe(true);
  expect(manifest.settings.event_subscriptions.bot_events).toEqual([
    'app_mention',
    'app_home_opened',
    'message.im',
    'app_uninstalled',
    'tokens_revoked',
  ]);
});

test('the App Home has its Home tab (the lists) and a Messages tab people can type in; message.im has its scope', () => {
  expect(manifest.features.app_home).toEqual({
    home_tab_enabled: true,
    messages_tab_enabled: true,
    messages_tab_read_only_enabled: false,
  });
  // Each event the code listens to is subscribed to, and each subscribed event is listened to.
  const listened = [...source.matchAll(/app\.event\('(\w+)'/g)].map((m) => m[1]);
  if (/app\.message\(/.test(source)) listened.push('message.im');
  expect([...listened].sort()).toEqual([...manifest.settings.event_subscriptions.bot_events].sort());
  expect(manifest.oauth_config.scopes.bot).toContain('im:history');
});

/** The local manifest (Socket Mode) and the production one (OAuth install per workspace). */
const local = parse(
  readFileSync(join(ROOT, 'manifests', 'slack', 'manifest.local.yaml'), 'utf8'),
) as typeof manifest & {
  oauth_config: { redirect_urls?: string[] };
  settings: { socket_mode_enabled: boolean };
};
const production = manifest as typeof manifest & {
  oauth_config: { redirect_urls?: string[] };
  settings: { socket_mode_enabled: boolean };
};

test('production installs per workspace: its redirect URL is /slack/oauth_redirect, and the install asks for the manifest’s scopes', () => {
  expect(production.settings.socket_mode_enabled).toBe(false);
  expect(production.oauth_config.redirect_urls).toEqual(['https://bot.example.org/slack/oauth_redirect']);
  expect([...BOT_SCOPES].sort()).toEqual([...manifest.oauth_config.scopes.bot].sort());
});

test('the local manifest runs over Socket Mode with no request URLs, and the same scopes, command and events', () => {
  expect(local.settings.socket_mode_enabled).toBe(true);
  expect(JSON.stringify(local)).not.toContain('https://');
  expect(local.oauth_config.scopes.bot).toEqual(manifest.oauth_config.scopes.bot);
  expect(local.settings.event_subscriptions.bot_events).toEqual(manifest.settings.event_subscriptions.bot_events);
  expect(local.features.slash_commands.map((c) => c.command)).toEqual(['/escalate']);
  expect(local.settings.interactivity.is_enabled).toBe(true);
  expect(local.features.app_home).toEqual(manifest.features.app_home);
});
