/**
 * A Lincolnshire case from raising to the board's stage, in the local Teams clients (the Microsoft
 * 365 Agents Playground, one for each person, as `npm start` opens them), driven in headless
 * Chromium. Each click is made by the person entitled to it, and after every change every
 * participant's card is read: the same state everywhere, nobody's card stale. Screenshots of each
 * person's card go to tests/e2e/screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { playgroundAs, startPlayground, type Playground } from '../../src/dev/playground';
import { start, type Running } from '../../src/main';
import { freePort } from '../fakes/ports';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, 'screenshots');
const REF = 'LI-2026-0001';

jest.setTimeout(600_000);

/** The people of the example case, in the order the procedure reaches them. */
const PEOPLE = [
  'Alex Morgan',
  'Chris Bennett',
  'Priya Shah',
  'Fiona Walsh',
  'Jordan Hughes',
  'Mark Ellison',
  'David Osei',
] as const;
type Name = (typeof PEOPLE)[number];

let bot: Running;
let browser: Browser;
const clients = new Map<Name, { playground: Playground; page: Page }>();

function page(name: Name): Page {
  const found = clients.get(name);
  if (!found) throw new Error(`no client for ${name}`);
  return found.page;
}

/** A person's live card of the case: the last one in their chat (earlier copies say they have moved). */
function cardOf(name: Name): Locator {
  return page(name)
    .locator('.ac-adaptiveCard', { hasText: `escalation ${REF}` })
    .last();
}

/** Who has a card of the case so far: everyone who must see each change. */
const participants = new Set<Name>(['Alex Morgan']);

/** Every participant's card shows `text` (the same state everywhere), within the outbox's time. */
async function everyCardShows(text: string | RegExp, also: readonly Name[] = []): Promise<void> {
  for (const name of also) participants.add(name);
  for (const name of participants) {
    try {
      await cardOf(name).getByText(text).first().waitFor({ timeout: 30_000 });
    } catch (error) {
      await page(name).screenshot({
        path: join(SHOTS, `stale-${name.split(' ')[0]?.toLowerCase()}.png`),
        fullPage: true,
      });
      throw new Error(`${name}'s card does not show ${String(text)}`, { cause: error });
    }
  }
}

async function shoot(name: Name, step: string): Promise<void> {
  await page(name).screenshot({
    path: join(SHOTS, `${name.split(' ')[0]?.toLowerCase()}-${step}.png`),
    fullPage: true,
  });
}

/** A button on someone's card that asks for words: open it, type them, press it. */
async function withWords(name: Name, button: string, words: string): Promise<void> {
  const card = cardOf(name);
  await card.getByRole('button', { name: button }).first().click();
  await card.getByRole('textbox').first().fill(words);
  await card.getByRole('button', { name: button }).last().click();
}

async function press(name: Name, button: string): Promise<void> {
  await cardOf(name).getByRole('button', { name: button }).first().click();
}

const timeline = async (): Promise<string[]> => (await bot.repo.getEvents(REF)).map((e) => e.event.type);

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is needed for this test at ${CHROMIUM}: apt-get install chromium (.ci/run does this).`);
  mkdirSync(SHOTS, { recursive: true });
  const config = {
    ...loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'e2e-journey-')),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // Failures are said quickly, not after the default eight tries.
      OUTBOX_RETRY_SECONDS: '1',
    }),
    PORT: 0,
  };
  bot = await start(config, { localClient: true });
  const endpoint = `http://127.0.0.1:${(bot.server.address() as AddressInfo).port}/api/messages`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-quic'],
  });
  for (const name of PEOPLE) {
    const playground = await startPlayground(
      endpoint,
      await freePort(),
      name === 'Alex Morgan' ? undefined : playgroundAs(name),
    );
    const p = await browser.newPage({ viewport: { width: 1400, height: 2400 } });
    await p.goto(playground.url, { waitUntil: 'networkidle' });
    clients.set(name, { playground, page: p });
  }
  // Everyone opens the app once, so the bot can reach them when the case needs them.
  for (const name of PEOPLE.slice(1)) {
    const box = page(name).getByRole('textbox').first();
    await box.fill('hello');
    await box.press('Enter');
  }
  for (const name of PEOPLE.slice(1))
    await page(name)
      .getByText(/escalate/)
      .first()
      .waitFor();
});

afterAll(async () => {
  await browser?.close();
  for (const { playground } of clients.values()) await playground.stop();
  await bot?.stop();
});

test('a Lincolnshire case from raising to the board: each person acts on their own card, and every card is current after every change', async () => {
  // ── Alex raises it ──────────────────────────────────────────────────────────────
  const alex = page('Alex Morgan');
  const box = alex.getByRole('textbox').first();
  await box.fill('escalate');
  await box.press('Enter');
  await alex.getByRole('button', { name: 'Fill in the form here' }).click();
  await alex
    .getByText('Is the adult at immediate risk of harm, so that the disagreement needs urgent resolution?')
    .waitFor();
  await alex.getByRole('radio', { name: 'No' }).check();
  await alex.getByRole('button', { name: 'Next' }).click();
  await alex.getByText('The other agency').waitFor();
  const combos = alex.getByRole('combobox');
  await combos.nth(0).click();
  await alex.getByRole('option', { name: 'Lincolnshire Police' }).click();
  await alex.getByLabel(/initials/).fill('J S');
  await combos.nth(1).click();
  await alex.getByRole('option', { name: /close a case/ }).click();
  await alex
    .getByLabel('What the disagreement is')
    .fill('The police closed the referral although the adult is still at risk.');
  await alex.getByLabel('The outcome you want').fill('Reopen the referral and hold a strategy discussion.');
  await alex.getByLabel('What keeps the adult safe meanwhile').fill('Daily home care visits.');
  const email = alex.getByLabel(/counterpart/i);
  if (await email.count()) await email.first().fill('chris.bennett@police.lincolnshire.example.org');
  await alex.getByRole('button', { name: 'Raise the escalation' }).click();
  await alex.getByText(`Escalation ${REF} is raised`, { exact: false }).waitFor();

  // The police officer learns what he is being asked, whose move it is, and by when.
  await everyCardShows('What the disagreement is', ['Chris Bennett']);
  await everyCardShows('The police closed the referral although the adult is still at risk.');
  await everyCardShows(/Chris Bennett, Lincolnshire Police: acknowledge by .*working days?/);
  await everyCardShows('Stage 1 of 4: Direct Professional to Professional Discussion');
  await shoot('Alex Morgan', '1-raised');
  await shoot('Chris Bennett', '1-raised');

  // ── Chris acknowledges on his own card ─────────────────────────────────────────
  await press('Chris Bennett', 'Acknowledge');
  await everyCardShows(/Chris Bennett: acknowledged the stage/);
  await everyCardShows(/Both agencies: agree an outcome and propose it here, or ask to escalate/);
  await shoot('Chris Bennett', '2-acknowledged');

  // ── Alex asks to escalate; his line manager approves ───────────────────────────
  await withWords('Alex Morgan', 'Request escalation', 'Two calls and an email have had no answer.');
  await everyCardShows('Open: an escalation is waiting for approval', ['Priya Shah']);
  await everyCardShows(/Who can approve: Priya Shah \(Lincolnshire County Council\)/);
  await cardOf('Priya Shah').getByRole('button', { name: 'Approve escalation' }).waitFor();
  expect(await cardOf('Chris Bennett').getByRole('button', { name: 'Approve escalation' }).count()).toBe(0);
  await shoot('Priya Shah', '3-approval-asked');
  await shoot('Chris Bennett', '3-approval-asked');
  await press('Priya Shah', 'Approve escalation');

  // ── Step 2: the line managers ──────────────────────────────────────────────────
  await everyCardShows('Stage 2 of 4: Direct Manager to Manager Discussion', ['Fiona Walsh']);
  await everyCardShows(/Fiona Walsh, Lincolnshire Police: acknowledge by/);
  await shoot('Fiona Walsh', '4-step-2');
  await press('Fiona Walsh', 'Acknowledge');
  await everyCardShows(/Fiona Walsh: acknowledged the stage/);
  await withWords('Priya Shah', 'Request escalation', 'The managers could not agree a plan.');
  await everyCardShows(/Who can approve: Jordan Hughes/, ['Jordan Hughes']);
  await press('Jordan Hughes', 'Approve escalation');

  // ── Step 3: the Senior Liaison Officers ────────────────────────────────────────
  await everyCardShows(/Stage 3 of 4/, ['Mark Ellison']);
  await everyCardShows(/Mark Ellison, Lincolnshire Police: acknowledge by/);
  await shoot('Mark Ellison', '5-step-3');
  await press('Mark Ellison', 'Acknowledge');
  await everyCardShows(/Mark Ellison: acknowledged the stage/);
  await withWords('Jordan Hughes', 'Request escalation', 'Lessons to be learned across both agencies.');

  // ── Step 4b: the board's Review and Learning Group ─────────────────────────────
  await everyCardShows(/Stage 4 of 4/, ['David Osei']);
  await everyCardShows(/David Osei, Lincolnshire Safeguarding Adults Board .*: acknowledge by/);
  await shoot('David Osei', '6-board');
  await press('David Osei', 'Acknowledge');
  await everyCardShows(/David Osei: acknowledged the stage/);
  await withWords('David Osei', 'Record decision', 'Both agencies to review their closure procedures.');
  await everyCardShows('Closed by a decision');
  await everyCardShows('Decision: Both agencies to review their closure procedures.');
  for (const name of participants) {
    // A closed card asks nothing of anyone.
    expect(await cardOf(name).getByText('Not yet acknowledged').count()).toBe(0);
    expect(await cardOf(name).getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    await shoot(name, '7-closed');
  }
  expect(await timeline()).toContain('final-decision-recorded');

  // ── A document, had locally: the bot offers it as a download on this computer ─────
  await press('David Osei', 'Documents');
  const david = page('David Osei');
  await david.getByRole('button', { name: 'Send it to me' }).first().click();
  const link = david.getByText(/download it from http:\/\/localhost:\d+\/local\/document\?key=/).first();
  await link.waitFor();
  const url = /(http:\/\/localhost:\d+\/local\/document\?key=[\w-]+)/.exec((await link.textContent()) ?? '')?.[1];
  if (!url) throw new Error('no download link');
  const downloaded = await fetch(url);
  expect(downloaded.status).toBe(200);
  expect(downloaded.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.pdf"$/);
  expect(
    Buffer.from(await downloaded.arrayBuffer())
      .subarray(0, 5)
      .toString(),
  ).toBe('%PDF-');
  expect((await fetch(url.replace(/key=.*/, 'key=guessed'))).status).toBe(404);
  await shoot('David Osei', '8-document');
  for (const name of participants) expect(await page(name).content()).not.toMatch(/Joan Smith/);
});
