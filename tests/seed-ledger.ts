/**
 * The ledger of the five procedures' rules (tests/fixtures/seed-requirements.yaml): what each seed asks,
 * how the product keeps it, and the test that shows it. `npx tsx tests/seed-ledger.ts` prints, per seed,
 * how many rules are right out of all.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const SEED_FILES: Record<string, string> = {
  camden: '000_17846a748ddcc525.txt',
  luton: '001_417300b6ee709e70.txt',
  'cheshire-east': '002_64daf70f0743073c.txt',
  lincolnshire: '003_abd5cd6b3900292a.txt',
  'north-somerset': '004_ad2379e58cc15259.txt',
};

export const STATUSES = ['right', 'partly', 'wrong', 'missing', 'reading'] as const;

export interface Requirement {
  id: string;
  phrase: string;
  how: string;
  status: (typeof STATUSES)[number];
  test?: string;
  gap?: string;
}

const root = join(__dirname, '..');

export function readLedger(): Record<string, Requirement[]> {
  return parse(readFileSync(join(root, 'tests/fixtures/seed-requirements.yaml'), 'utf8')) as Record<
    string,
    Requirement[]
  >;
}

/** A seed's words with runs of white space made one space, so a phrase copied across a line break still matches. */
export function seedText(board: string): string {
  const file = SEED_FILES[board];
  if (!file) throw new Error(`no seed for ${board}`);
  return squash(readFileSync(join(root, 'tests/fixtures/seeds', file), 'utf8'));
}

export function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function testExists(path: string): boolean {
  return existsSync(join(root, path));
}

if (require.main === module) {
  const ledger = readLedger();
  let right = 0;
  let all = 0;
  for (const [board, rules] of Object.entries(ledger)) {
    const count = (s: string): number => rules.filter((r) => r.status === s).length;
    const line = STATUSES.map((s) => `${count(s)} ${s}`).join(', ');
    process.stdout.write(`${board}: ${count('right')} of ${rules.length} right (${line})\n`);
    right += count('right');
    all += rules.length;
  }
  process.stdout.write(`all five: ${right} of ${all} right\n`);
}
