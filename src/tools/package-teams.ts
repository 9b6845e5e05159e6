/**
 * `npm run package:teams`: fill the Teams manifest's ${{NAME}} placeholders from the environment,
 * validate it offline against the schema bundled in @microsoft/app-manifest, check the icons,
 * and write the app package (manifest and icons in a zip) to dist/teams/.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppManifestUtils, TeamsManifestConverter } from '@microsoft/app-manifest';
import { ZipFile } from 'yazl';
import { fillPlaceholders } from './manifest-placeholders';

const ROOT = join(__dirname, '..', '..');
const TEAMS = join(ROOT, 'manifests', 'teams');
export const PACKAGE_FILE = join(ROOT, 'dist', 'teams', 'safeguarding-escalations.zip');

function pngSize(file: string): { width: number; height: number } {
  const data = readFileSync(file);
  if (data.subarray(1, 4).toString('ascii') !== 'PNG') throw new Error(`${file} is not a PNG`);
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

export async function packageTeams(
  env: NodeJS.ProcessEnv,
  out = env.TEAMS_PACKAGE_FILE ?? PACKAGE_FILE,
): Promise<{ file: string; problems: string[] }> {
  const problems: string[] = [];
  const { text, missing } = fillPlaceholders(readFileSync(join(TEAMS, 'manifest.json'), 'utf8'), env);
  problems.push(...missing.map((name) => `the placeholder \${{${name}}} has no value: set ${name} in the environment`));
  const manifest = TeamsManifestConverter.jsonToManifest(text);
  problems.push(...(await AppManifestUtils.validateAgainstSchema(manifest)));
  for (const [icon, size] of [
    ['color.png', 192],
    ['outline.png', 32],
  ] as const) {
    const { width, height } = pngSize(join(TEAMS, icon));
    if (width !== size || height !== size)
      problems.push(`${icon} must be ${size}×${size} pixels (it is ${width}×${height})`);
  }
  if (problems.length > 0) return { file: out, problems };
  mkdirSync(join(out, '..'), { recursive: true });
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from(text, 'utf8'), 'manifest.json', { mtime: new Date(0) });
  for (const icon of ['color.png', 'outline.png']) zip.addFile(join(TEAMS, icon), icon, { mtime: new Date(0) });
  await new Promise<void>((resolve, reject) => {
    zip.outputStream
      .pipe(createWriteStream(out))
      .on('close', () => resolve())
      .on('error', reject);
    zip.end();
  });
  return { file: out, problems };
}

if (require.main === module) {
  // A .env file beside package.json fills in what the environment does not set.
  if (existsSync('.env')) process.loadEnvFile('.env');
  packageTeams(process.env).then(
    ({ file, problems }) => {
      if (problems.length > 0) {
        process.stderr.write(`The Teams manifest needs fixing:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
        process.exitCode = 1;
      } else {
        process.stdout.write(`Valid against the Teams manifest schema; app package written to ${file}\n`);
      }
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
