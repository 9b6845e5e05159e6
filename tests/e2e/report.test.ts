/**
 * The board figures for a seeded quarter (demo cases across the five boards, run through the
 * real core and calendar), rendered as HTML with SVG charts, opened in headless Chromium and
 * screenshotted (tests/e2e/screenshots/report.png; the README shows tests/e2e/report.png).
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { demoDirectory, seedDemo } from '../../src/app/demo';
import { loadProcedures } from '../../src/app/procedures';
import { boardFigures } from '../../src/app/reports/figures';
import { figuresCsv, figuresHtml } from '../../src/app/reports/render';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, 'screenshots');

jest.setTimeout(180_000);

test('a seeded quarter’s figures: every chart drawn, the numbers add up, no case text or adult’s details, and a screenshot', async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is needed for this test at ${CHROMIUM}: apt-get install chromium (.ci/run does this).`);
  mkdirSync(SHOTS, { recursive: true });
  const procedures = loadProcedures();
  const repo = SqliteRepository.open(join(mkdtempSync(join(tmpdir(), 'report-')), 'demo.sqlite'));
  const start = new Date('2026-07-01T00:00:00Z');
  const asOf = new Date('2026-10-01T00:00:00Z');
  const seeded = await seedDemo(repo, procedures, 200, start, asOf);
  expect(Object.keys(seeded.byBoard).sort()).toEqual([
    'camden',
    'cheshire-east',
    'lincolnshire',
    'luton',
    'north-somerset',
  ]);
  expect(Object.keys(seeded.byOutcome).sort()).toEqual(['decided', 'open', 'resolved', 'withdrawn']);

  const lincolnshire = procedures.get('lincolnshire');
  if (!lincolnshire) throw new Error('no lincolnshire');
  const summaries = await repo.casesOfBoard('lincolnshire', start.toISOString(), asOf.toISOString());
  const states = await Promise.all(summaries.map(async (s) => (await repo.getCase(s.reference))?.state)).then((xs) =>
    xs.filter((x) => x !== undefined),
  );
  const figures = boardFigures(
    lincolnshire,
    states,
    demoDirectory(procedures.values()),
    '2026-07-01',
    '2026-10-01',
    asOf,
  );
  expect(figures.raised).toBe(seeded.byBoard.lincolnshire);
  expect(figures.outcomes.reduce((n, o) => n + o.value, 0)).toBe(figures.raised);
  expect(figures.categories.reduce((n, o) => n + o.value, 0)).toBe(figures.raised);
  expect(figures.pairs.reduce((n, o) => n + o.value, 0)).toBe(figures.raised);
  const closedAtStage = figures.resolvedAtStage.reduce((n, o) => n + o.value, 0);
  expect(closedAtStage).toBe(
    figures.outcomes.filter((o) => o.key === 'resolved' || o.key === 'decided').reduce((n, o) => n + o.value, 0),
  );

  const html = figuresHtml(figures);
  expect(html).not.toMatch(/demonstration disagreement|care visits continue|joint plan/i); // no case text
  expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // nothing from the network
  const csv = figuresCsv(figures);
  expect(csv.split('\n')[1]).toBe(`raised,,Escalations raised,${figures.raised}`);

  const file = join(mkdtempSync(join(tmpdir(), 'report-html-')), 'report.html');
  writeFileSync(file, html);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    expect(await page.locator('svg').count()).toBe(7);
    expect(await page.locator('.tile .big').first().textContent()).toBe(String(figures.raised));
    expect(await page.locator('svg rect').count()).toBeGreaterThan(10);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true });
  } finally {
    await browser.close();
    await repo.close();
  }
});
