/**
 * `npm run build`: the bot compiled to JavaScript in dist/ (with source maps), and beside it the
 * files it reads while running (the shipped procedures and their forms, the example directory,
 * the Adaptive Card templates), so that `node dist/main.js` runs without tsx and without src/.
 * The one configuration is tsconfig.json; only its inputs (src/ alone, not the tests) and where
 * the output goes are set here. `tsx src/tools/build.ts [outDir] [--quiet]` builds elsewhere (the tests do).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

export const ROOT = resolve(__dirname, '..', '..');

/** What the compiled bot reads at run time: from (in the repository) → to (under dist/). */
export const RUNTIME_ASSETS: ReadonlyArray<{ from: string; to: string }> = [
  { from: 'src/procedures', to: 'procedures' },
  { from: 'src/directory', to: 'directory' },
  { from: 'adaptive-cards', to: 'adaptive-cards' },
];

export class BuildError extends Error {}

/** Compile src/ into `outDir` and copy the run-time files beside it; throws BuildError with tsc's words. */
export function build(outDir: string = join(ROOT, 'dist')): void {
  const configFile = join(ROOT, 'tsconfig.json');
  const read = ts.readConfigFile(configFile, (p) => ts.sys.readFile(p));
  if (read.error) throw new BuildError(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, configFile);
  const src = join(ROOT, 'src');
  const fileNames = parsed.fileNames.filter((f) => resolve(f).startsWith(src + '/'));
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: false,
    outDir,
    rootDir: src,
    sourceMap: true,
    declaration: false,
    types: ['node'],
  };
  // A fresh build, except the Teams app package `npm run package:teams` writes to dist/teams.
  mkdirSync(outDir, { recursive: true });
  for (const entry of readdirSync(outDir))
    if (entry !== 'teams') rmSync(join(outDir, entry), { recursive: true, force: true });
  const program = ts.createProgram(fileNames, options);
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length > 0 || emitted.emitSkipped) {
    throw new BuildError(
      ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => ROOT,
        getNewLine: () => '\n',
      }),
    );
  }
  for (const { from, to } of RUNTIME_ASSETS) {
    cpSync(join(ROOT, from), join(outDir, to), { recursive: true, filter: (p) => !p.endsWith('.ts') });
  }
  // Marks dist/ as a whole build (an interrupted one has no stamp and is built again).
  writeFileSync(join(outDir, 'BUILT'), `${new Date().toISOString()}\n`);
}

/** Whether `outDir` holds a finished build (what `prestart:bot` and `precli` check). */
export function built(outDir: string = join(ROOT, 'dist')): boolean {
  return existsSync(join(outDir, 'BUILT')) && existsSync(join(outDir, 'main.js'));
}

if (require.main === module) {
  // --quiet: nothing said on success (the pre-hooks of `npm run cli` and `npm run start:bot`).
  const args = process.argv.slice(2);
  const quiet = args.includes('--quiet');
  const outDir = resolve(args.find((a) => !a.startsWith('--')) ?? join(ROOT, 'dist'));
  try {
    build(outDir);
    if (!quiet) process.stdout.write(`built ${outDir}\n`);
  } catch (error) {
    process.stderr.write(`The build failed:\n${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
