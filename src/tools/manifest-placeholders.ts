/** The Teams manifest's ${{NAME}} placeholders, filled from the environment. */

/** What each placeholder becomes when the environment does not say (local development). */
const LOCAL_DEFAULTS: Record<string, string> = {
  TEAMS_APP_ID: '6f3a2c4e-8d1b-4e7a-9c5f-2b8e1d4a7c90',
  BOT_ID: '00000000-0000-0000-0000-00000000000b',
  BOT_DOMAIN: 'localhost',
  DEVELOPER_NAME: 'Safeguarding escalations (local)',
  DEVELOPER_WEBSITE: 'https://localhost/',
  DEVELOPER_PRIVACY_URL: 'https://localhost/privacy',
  DEVELOPER_TERMS_URL: 'https://localhost/terms',
};

export function fillPlaceholders(text: string, env: NodeJS.ProcessEnv): { text: string; missing: string[] } {
  const missing: string[] = [];
  const filled = text.replace(/\$\{\{([A-Z0-9_]+)\}\}/g, (_, name: string) => {
    // An empty value (NAME= in a .env file) counts as not set.
    const given = (key: string): string | undefined => env[key] || undefined;
    const value = given(name) ?? (name === 'BOT_ID' ? given('MicrosoftAppId') : undefined) ?? LOCAL_DEFAULTS[name];
    if (value === undefined) {
      missing.push(name);
      return '';
    }
    return value;
  });
  return { text: filled, missing };
}
