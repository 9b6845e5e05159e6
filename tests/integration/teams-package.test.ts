import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { fillPlaceholders } from '../../src/tools/manifest-placeholders';

const ROOT = join(__dirname, '..', '..');

/** The entries of a zip file and their contents, read through its central directory. */
function unzip(file: string): Map<string, Buffer> {
  const data = readFileSync(file);
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = data.readUInt16LE(end + 10);
  let at = data.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = data.readUInt16LE(at + 10);
    const size = data.readUInt32LE(at + 20);
    const nameLength = data.readUInt16LE(at + 28);
    const extraLength = data.readUInt16LE(at + 30);
    const commentLength = data.readUInt16LE(at + 32);
    const local = data.readUInt32LE(at + 42);
    const name = data.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    const body = data.subarray(start, start + size);
    entries.set(name, method === 8 ? inflateRawSync(body) : body);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function packageTeams(env: Record<string, string>): {
  status: number | null;
  stdout: string;
  stderr: string;
  file: string;
} {
  const file = join(mkdtempSync(join(tmpdir(), 'teams-')), 'app.zip');
  const run = spawnSync('npm', ['run', '--silent', 'package:teams'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env, TEAMS_PACKAGE_FILE: file },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, file };
}

/**
 * What the packaging step's own check (@microsoft/app-manifest, offline, against the schema the
 * manifest names) says of `text`, run in Node: the library is not loadable inside Jest.
 */
function schemaProblems(text: string): string[] {
  const check = `const { AppManifestUtils, TeamsManifestConverter } = require('@microsoft/app-manifest');
    let text = '';
    process.stdin.on('data', (c) => (text += c)).on('end', () =>
      AppManifestUtils.validateAgainstSchema(TeamsManifestConverter.jsonToManifest(text)).then((p) =>
        process.stdout.write(JSON.stringify(p)),
      ),
    );`;
  const run = spawnSync(process.execPath, ['-e', check], { cwd: ROOT, input: text, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as string[];
}

describe('npm run package:teams', () => {
  test('fills the placeholders, validates offline against the bundled schema and writes manifest and icons', () => {
    const appId = '2c7e9a41-5b3d-4f6e-8a1c-9d0b7e3f5a12';
    const run = packageTeams({ MicrosoftAppId: appId, BOT_DOMAIN: 'escalations.example.org' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Valid against the Teams manifest schema; app package written to /);
    const entries = unzip(run.file);
    expect([...entries.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(entries.get('manifest.json')?.toString('utf8') ?? '{}') as {
      bots: Array<{ botId: string; commandLists: Array<{ commands: Array<{ title: string }> }> }>;
      validDomains: string[];
      composeExtensions: Array<{ commands: Array<{ title: string }> }>;
    };
    expect(manifest.bots[0]?.botId).toBe(appId);
    expect(manifest.bots[0]?.commandLists[0]?.commands.map((c) => c.title)).toEqual(['escalate']);
    expect(manifest.composeExtensions[0]?.commands.map((c) => c.title)).toEqual(['Raise an escalation']);
    expect(manifest.validDomains).toEqual(['escalations.example.org']);
    expect(JSON.stringify(manifest)).not.toMatch(/\$\{\{/);
  });

  test('the packaged manifest lets Documents send files and the bot hear every message of a group chat it is in', () => {
    const appId = '7d1e3b52-9a4c-4f80-b6e2-1c5a8f9d0e34';
    const run = packageTeams({ MicrosoftAppId: appId, BOT_DOMAIN: 'escalations.example.org' });
    expect(run.status).toBe(0);
    const text = unzip(run.file).get('manifest.json')?.toString('utf8') ?? '{}';
    const manifest = JSON.parse(text) as {
      manifestVersion: string;
      bots: Array<{ supportsFiles: boolean; scopes: string[] }>;
      webApplicationInfo?: { id: string; resource?: string };
      authorization?: { permissions?: { resourceSpecific?: Array<{ name: string; type: string }> } };
    };
    // File consent cards (Documents, in Teams) are delivered only to a bot that supports files.
    expect(manifest.bots[0]?.supportsFiles).toBe(true);
    // Resource-specific consent (manifest 1.12 and later): once the chat grants it, plain "escalate"
    // reaches the bot in a group chat without an @mention. It needs the bot's Entra app id.
    expect(Number(manifest.manifestVersion)).toBeGreaterThanOrEqual(1.12);
    expect(manifest.bots[0]?.scopes).toContain('groupChat');
    expect(manifest.authorization?.permissions?.resourceSpecific).toEqual([
      { name: 'ChatMessage.Read.Chat', type: 'Application' },
    ]);
    expect(manifest.webApplicationInfo).toEqual({ id: appId, resource: `api://escalations.example.org/${appId}` });
    // The packaged file itself passes the same offline check as the packaging step.
    expect(schemaProblems(text)).toEqual([]);
  });

  test('a value the schema refuses is reported, exit 1, and no package is written', () => {
    const run = packageTeams({ DEVELOPER_NAME: 'A developer name far longer than thirty-two characters' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /The Teams manifest needs fixing:\n {2}- \/developer\/name must NOT have more than 32 characters/,
    );
    expect(existsSync(run.file)).toBe(false);
  });

  test('every placeholder without a value is named', () => {
    expect(fillPlaceholders('{"a":"${{NOT_SET_ANYWHERE}}","b":"${{BOT_DOMAIN}}"}', {})).toEqual({
      text: '{"a":"","b":"localhost"}',
      missing: ['NOT_SET_ANYWHERE'],
    });
  });
});
