/**
 * The Dockerfile, checked where Docker is not installed: its rules read from the file (two stages,
 * Node 24, the runtime not root, a health check, the compiled bot as its command), then its steps
 * carried out in temporary folders (tests/deploy/dockerfile.ts says how each step is done here)
 * and the runtime stage's command started from the tree those steps left, in production.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildContext,
  hostPath,
  parseDockerfile,
  runStages,
  topLevel,
  type Stage,
  type StageRun,
} from '../deploy/dockerfile';
import { freePort } from '../fakes/ports';
import { productionEnv } from '../security/production';

const ROOT = join(__dirname, '..', '..');
const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const stages: Stage[] = parseDockerfile(text);

describe('the Dockerfile’s rules', () => {
  const runtime = stages.at(-1) as Stage;
  const last = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword).at(-1);

  test('two stages or more, each on Node 24; the runtime stage is the last and copies from the build', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.base).toMatch(/^node:24(\.\d+)*(-(bookworm-)?slim)?$/);
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    // Only the compiled bot, its packages and package.json reach the runtime, all from the build stage.
    expect(copies.map((c) => c.flags.from)).toEqual(copies.map(() => stages[0]?.name));
    expect(copies.map((c) => c.words[0]).sort()).toEqual(['/app/dist', '/app/node_modules', '/app/package.json']);
  });

  test('the build tools for better-sqlite3 are in the build stage only', () => {
    const runs = (stage: Stage) =>
      stage.instructions
        .filter((i) => i.keyword === 'RUN')
        .map((i) => i.args)
        .join('\n');
    expect(runs(stages[0] as Stage)).toMatch(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
    expect(runs(stages[0] as Stage)).toMatch(/npm ci/);
    expect(runs(stages[0] as Stage)).toMatch(/npm run build && npm prune --omit=dev/);
    expect(runs(runtime)).not.toMatch(/apt-get|npm (ci|install)|g\+\+/);
  });

  test('the runtime: production, not root, port 3978, a health check on /livez by Node, the compiled bot as command', () => {
    expect(last('ENV')?.args).toMatch(/NODE_ENV=production/);
    const user = last('USER')?.words[0] ?? 'root';
    expect(['root', '0', '']).not.toContain(user);
    // USER comes before CMD, so the bot never runs as root.
    const index = (keyword: string) => runtime.instructions.findIndex((i) => i.keyword === keyword);
    expect(index('USER')).toBeLessThan(index('CMD'));
    expect(last('EXPOSE')?.words).toEqual(['3978']);
    const health = last('HEALTHCHECK');
    expect(health?.json).toBe(true);
    expect(health?.words[0]).toBe('node'); // no curl in the slim image
    expect(health?.words.join(' ')).toMatch(/\/livez/);
    expect(last('CMD')?.words).toEqual(['node', 'dist/main.js']);
    expect(last('CMD')?.json).toBe(true); // exec form: the bot is PID 1 and gets SIGTERM itself
  });

  test('.dockerignore keeps installed packages, builds, data and secrets out of the build context', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', 'data', '.env', '.git']) expect(ignore).toContain(entry);
  });
});

describe('the Dockerfile’s steps, carried out here', () => {
  let work: string;
  let runs: StageRun[];
  let context: string[];
  let child: ChildProcess | undefined;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'docker-'));
    context = buildContext(ROOT, join(work, 'context'));
    runs = runStages(stages, join(work, 'context'), join(work, 'stages'), join(ROOT, 'node_modules'));
  }, 120_000);

  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  test('the build context holds the sources and none of what .dockerignore leaves out', () => {
    expect(context).toContain('src/main.ts');
    expect(context).toContain('package-lock.json');
    expect(context.filter((f) => /^(node_modules|dist|data|tests)\/|^\.env$/.test(f))).toEqual([]);
  });

  test('the runtime tree holds the compiled bot, its production packages and package.json only', () => {
    const runtime = runs.at(-1) as StageRun;
    expect(topLevel(runtime)).toEqual(['data', 'dist', 'node_modules', 'package.json']);
    expect(existsSync(hostPath(runtime, 'dist/main.js'))).toBe(true);
    expect(existsSync(hostPath(runtime, 'dist/procedures/lincolnshire.yaml'))).toBe(true);
    expect(existsSync(hostPath(runtime, 'node_modules/better-sqlite3'))).toBe(true);
    // Development packages were pruned: no compiler, no test runner, no tsx.
    for (const dev of ['typescript', 'jest', 'tsx', 'eslint'])
      expect({ dev, present: existsSync(hostPath(runtime, `node_modules/${dev}`)) }).toEqual({ dev, present: false });
    // The one folder the bot writes is the runtime user's.
    expect(runtime.chowned).toEqual([{ owner: `${runtime.user}:${runtime.user}`, paths: ['/app/data'] }]);
    expect(runtime.notRun).toEqual([]);
  });

  test('the runtime stage’s command starts the bot in production and the health check passes', async () => {
    const runtime = runs.at(-1) as StageRun;
    const port = await freePort();
    const [command, ...args] = runtime.cmd?.words ?? [];
    expect(command).toBe('node');
    // The image's environment (its paths inside the tree), then what a deployment sets.
    const env = {
      PATH: process.env.PATH ?? '',
      ...Object.fromEntries(
        Object.entries(runtime.env).map(([k, v]) => [k, v.startsWith('/') ? hostPath(runtime, v) : v]),
      ),
      ...productionEnv({ DATA_DIR: undefined, SWEEP_INTERVAL_SECONDS: '30' }),
      PORT: String(port),
      HOST: '127.0.0.1',
    };
    let stderr = '';
    child = spawn(process.execPath, args, { cwd: join(runtime.root, runtime.workdir), env, stdio: 'pipe' });
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const url = `http://127.0.0.1:${port}`;
    let health: Response | undefined;
    for (let i = 0; i < 200 && !health; i++) {
      health = await fetch(`${url}/healthz`).catch(() => undefined);
      if (!health) await new Promise((r) => setTimeout(r, 100));
    }
    expect({ status: health?.status, stderr }).toEqual({ status: 200, stderr: '' });
    expect(((await health?.json()) as { store: { kind: string } }).store.kind).toBe('sqlite');
    expect(existsSync(hostPath(runtime, '/app/data/escalations.sqlite'))).toBe(true);

    // The HEALTHCHECK's own command, as Docker would run it inside the container.
    const [hc, ...hcArgs] = runtime.healthcheck?.words ?? [];
    expect(hc).toBe('node');
    const check = spawnSync(process.execPath, hcArgs, { env, encoding: 'utf8', timeout: 10_000 });
    expect((await fetch(`${url}/livez`)).status).toBe(200);
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
    child.kill('SIGTERM');
    await new Promise((r) => child?.once('exit', r));
  }, 60_000);
});
