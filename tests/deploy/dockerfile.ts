/**
 * The Dockerfile, read and run without Docker (which this machine does not have): parsed into its
 * stages and instructions, then its steps carried out in a temporary folder per stage standing for
 * that stage's file system. COPY copies from a build context made as Docker makes it (the
 * repository's files less .dockerignore's); WORKDIR, ENV and USER are kept; RUN runs each command
 * of its `&&` chain through a handler that does what the command does here:
 *
 * - `npm ci`: the lockfile must have been copied in first; the packages already installed for this
 *   repository are hard-linked in (the network and a native compile are not for a test);
 * - `npm run build`: run for real, in the stage's folder;
 * - `npm prune --omit=dev`: the packages package-lock.json marks dev, and any it does not list, removed;
 * - `mkdir -p`: made inside the stage's folder; `chown`: recorded (a test is not root);
 * - `apt-get …`, `rm -rf /var/lib/apt/lists/*`: the operating system's packages, recorded, not run.
 *
 * Any other command is refused, so a new step in the Dockerfile needs a word here too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

export interface Instruction {
  keyword: string;
  /** The text after the keyword, continuation lines joined. */
  args: string;
  line: number;
  /** COPY's and HEALTHCHECK's --flags (`--from=build` → from: 'build'). */
  flags: Record<string, string>;
  /** Without the flags: a JSON array's items, or the words of the shell form. */
  words: string[];
  /** Whether the arguments were in JSON (exec) form. */
  json: boolean;
}

export interface Stage {
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    let line = lines[i] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) line = line.replace(/\\\s*$/, ' ') + (lines[++i] ?? '');
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`Dockerfile line ${first + 1}: not an instruction: ${line}`);
    const keyword = (match[1] ?? '').toUpperCase();
    let args = (match[2] ?? '').trim();
    const flags: Record<string, string> = {};
    while (/^--[a-z-]+=\S+\s/.test(args)) {
      const [flag, rest] = [args.slice(0, args.search(/\s/)), args.slice(args.search(/\s/)).trim()];
      const [k, v] = flag.slice(2).split('=') as [string, string];
      flags[k] = v;
      args = rest;
    }
    let words: string[];
    let json = false;
    if (keyword === 'HEALTHCHECK') {
      // HEALTHCHECK [--options] CMD …: the command is CMD's form.
      const cmd = /^CMD\s+(.*)$/.exec(args);
      if (!cmd) throw new Error(`Dockerfile line ${first + 1}: HEALTHCHECK without CMD`);
      args = cmd[1] ?? '';
    }
    if (args.startsWith('[')) {
      words = JSON.parse(args) as string[];
      json = true;
    } else words = args.split(/\s+/).filter(Boolean);
    const instruction: Instruction = { keyword, args, line: first + 1, flags, words, json };
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ base: from?.[1] ?? '', name: from?.[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile line ${first + 1}: ${keyword} before FROM`);
    stage.instructions.push(instruction);
  }
  return stages;
}

/** ENV's pairs (`ENV A=1 B=2`, or the old `ENV A 1`). */
export function envOf(instruction: Instruction): Record<string, string> {
  if (!instruction.args.includes('=')) {
    const [name, ...value] = instruction.words;
    return { [name ?? '']: value.join(' ') };
  }
  return Object.fromEntries(
    instruction.words.map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1).replace(/^"|"$/g, '')]),
  );
}

/** The build context: the repository's files (tracked and new, not git-ignored) less those .dockerignore leaves out. */
export function buildContext(repo: string, into: string): string[] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: repo,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && existsSync(join(repo, f)));
  const ignore = existsSync(join(repo, '.dockerignore'))
    ? readFileSync(join(repo, '.dockerignore'), 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  const kept = files.filter((file) => {
    let out = false;
    for (const pattern of ignore) {
      const negated = pattern.startsWith('!');
      const glob = negated ? pattern.slice(1) : pattern;
      const re = new RegExp(
        `^${glob
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')}(/.*)?$`,
      );
      if (re.test(file)) out = !negated;
    }
    return !out;
  });
  for (const file of kept) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(join(repo, file), join(into, file));
  }
  return kept;
}

export interface StageRun {
  name: string;
  /** The folder standing for the stage's file system (`/`). */
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string | undefined;
  /** `chown` commands met (owner, paths in the stage). */
  chowned: Array<{ owner: string; paths: string[] }>;
  /** Commands recorded but not run (the operating system's packages). */
  notRun: string[];
  cmd: Instruction | undefined;
  healthcheck: Instruction | undefined;
}

/** Each stage of `stages` carried out in a folder under `into`, from the context folder `context`. */
export function runStages(stages: Stage[], context: string, into: string, installedModules: string): StageRun[] {
  const runs: StageRun[] = [];
  stages.forEach((stage, index) => {
    const run: StageRun = {
      name: stage.name ?? String(index),
      root: join(into, stage.name ?? String(index)),
      workdir: '/',
      env: {},
      user: undefined,
      chowned: [],
      notRun: [],
      cmd: undefined,
      healthcheck: undefined,
    };
    mkdirSync(run.root, { recursive: true });
    const inStage = (path: string): string => join(run.root, posix.resolve(run.workdir, path));
    for (const step of stage.instructions) {
      const where = `Dockerfile line ${step.line} (${step.keyword})`;
      switch (step.keyword) {
        case 'WORKDIR':
          run.workdir = posix.resolve(run.workdir, step.words[0] ?? '/');
          mkdirSync(inStage('.'), { recursive: true });
          break;
        case 'ENV':
          Object.assign(run.env, envOf(step));
          break;
        case 'USER':
          run.user = step.words[0];
          break;
        case 'CMD':
          run.cmd = step;
          break;
        case 'HEALTHCHECK':
          run.healthcheck = step;
          break;
        case 'COPY': {
          const from = step.flags.from;
          const source = from ? runs.find((r) => r.name === from) : undefined;
          if (from && !source) throw new Error(`${where}: no earlier stage called ${from}`);
          const sources = step.words.slice(0, -1);
          const dest = step.words.at(-1) ?? '.';
          for (const s of sources) {
            const path = source ? join(source.root, s) : join(context, s);
            if (!existsSync(path))
              throw new Error(`${where}: ${s} is not in the ${from ? `${from} stage` : 'build context'}`);
            // A file goes into dest/ (several sources, dest/ or a folder) or becomes dest; a folder's contents go into dest.
            const file = statSync(path).isFile();
            const intoFolder = sources.length > 1 || dest.endsWith('/') || dest === '.' || existsSync(inStage(dest));
            const target = file && intoFolder ? join(inStage(dest), posix.basename(s)) : inStage(dest);
            mkdirSync(dirname(target), { recursive: true });
            // From another stage: hard links (node_modules is large); from the context: a copy.
            if (source && !file) {
              mkdirSync(target, { recursive: true });
              linkOrCopy(`${path}/.`, target);
            } else cpSync(path, target, { recursive: true });
          }
          break;
        }
        case 'RUN':
          for (const command of step.args.split('&&').map((c) => c.trim()))
            runCommand(run, command, where, installedModules);
          break;
        case 'EXPOSE':
        case 'LABEL':
        case 'ARG':
          break;
        default:
          throw new Error(`${where}: not understood by this test`);
      }
    }
    runs.push(run);
  });
  return runs;
}

/** `cp -al` (hard links: fast, and nothing is written through them), or a copy across file systems. */
function linkOrCopy(from: string, to: string): void {
  try {
    execFileSync('cp', ['-al', from, to], { stdio: 'pipe' });
  } catch {
    rmSync(to, { recursive: true, force: true });
    execFileSync('cp', ['-a', from, to]);
  }
}

function runCommand(run: StageRun, command: string, where: string, installedModules: string): void {
  const cwd = join(run.root, run.workdir);
  const words = command.split(/\s+/);
  if (/^apt-get\s/.test(command) || command === 'rm -rf /var/lib/apt/lists/*') {
    run.notRun.push(command);
  } else if (/^npm ci(\s|$)/.test(command)) {
    for (const needed of ['package.json', 'package-lock.json'])
      if (!existsSync(join(cwd, needed))) throw new Error(`${where}: npm ci before ${needed} is copied in`);
    linkOrCopy(realpathSync(installedModules), join(cwd, 'node_modules'));
  } else if (command === 'npm run build') {
    const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd, encoding: 'utf8', env: process.env });
    if (built.status !== 0) throw new Error(`${where}: npm run build failed:\n${built.stderr}${built.stdout}`);
  } else if (command === 'npm prune --omit=dev') {
    prune(cwd);
  } else if (words[0] === 'mkdir' && words[1] === '-p') {
    for (const path of words.slice(2)) mkdirSync(join(run.root, posix.resolve(run.workdir, path)), { recursive: true });
  } else if (words[0] === 'chown') {
    run.chowned.push({ owner: words[1] ?? '', paths: words.slice(2) });
  } else throw new Error(`${where}: the command "${command}" is not one this test knows how to carry out`);
}

/** What `npm prune --omit=dev` leaves: the lockfile's packages not marked dev, nothing it does not list. */
function prune(cwd: string): void {
  const lock = JSON.parse(readFileSync(join(cwd, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const keep = new Set(Object.entries(lock.packages).flatMap(([path, entry]) => (path && !entry.dev ? [path] : [])));
  for (const [path, entry] of Object.entries(lock.packages))
    if (path && entry.dev) rmSync(join(cwd, path), { recursive: true, force: true });
  const top = join(cwd, 'node_modules');
  for (const name of readdirSync(top)) {
    if (name.startsWith('.')) continue;
    const names = name.startsWith('@') ? readdirSync(join(top, name)).map((n) => `${name}/${n}`) : [name];
    for (const n of names) if (!keep.has(`node_modules/${n}`)) rmSync(join(top, n), { recursive: true, force: true });
  }
}

/** A path of the stage's file system as a path here (`/app/data` → <root>/app/data). */
export function hostPath(run: StageRun, path: string): string {
  return join(run.root, posix.resolve(run.workdir, path));
}

/** The stage's files, relative to its WORKDIR, top level only. */
export function topLevel(run: StageRun): string[] {
  return readdirSync(join(run.root, run.workdir)).sort();
}
