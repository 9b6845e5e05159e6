/**
 * End to end, as a social worker would: the bot and the Microsoft 365 Agents Playground (a local
 * Teams-like client), driven in headless Chromium. Screenshots go to tests/e2e/screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { playgroundAs, startPlayground, type Playground } from '../../src/dev/playground';
import { start, type Running } from '../../src/main';
import { freePort } from '../fakes/ports';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, 'screenshots');

jest.setTimeout(180_000);

let bot: Running;
let playground: Playground;
/** A second Teams client, where "you" are Chris Bennett of Lincolnshire Police, the counterpart. */
let chrisPlayground: Playground;
let browser: Browser;
let page: Page;
let chrisPage: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is needed for this test at ${CHROMIUM}: apt-get install chromium (.ci/run does this).`);
  mkdirSync(SHOTS, { recursive: true });
  const config = {
    ...loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'e2e-')),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    }),
    PORT: 0,
  };
  bot = await start(config, { localClient: true });
  const endpoint = `http://127.0.0.1:${(bot.server.address() as AddressInfo).port}/api/messages`;
  playground = await startPlayground(endpoint, await freePort());
  chrisPlayground = await startPlayground(endpoint, await freePort(), playgroundAs('Chris Bennett'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
  await page.goto(playground.url, { waitUntil: 'networkidle' });
  chrisPage = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
  await chrisPage.goto(chrisPlayground.url, { waitUntil: 'networkidle' });
});

afterAll(async () => {
  await browser?.close();
  await playground?.stop();
  await chrisPlayground?.stop();
  await bot?.stop();
});

test('type escalate, fill the form, see the stage card; the counterpart acknowledges in their own Teams and both cards change', async () => {
  // Chris has used the bot before, so it can reach him in his personal chat.
  const chrisBox = chrisPage.getByRole('textbox').first();
  await chrisBox.fill('hello');
  await chrisBox.press('Enter');
  await chrisPage
    .getByText(/To raise a disagreement, type escalate/)
    .first()
    .waitFor();

  const box = page.getByRole('textbox').first();
  await box.fill('escalate');
  await box.press('Enter');
  await page.getByRole('button', { name: 'Fill in the form here' }).click();
  // The board's own question comes first, on its own; "No" leads to the form.
  await page
    .getByText('Is the adult at immediate risk of harm, so that the disagreement needs urgent resolution?')
    .waitFor();
  await page.getByRole('radio', { name: 'No' }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('The other agency').waitFor();

  // A mistake first: a full name where the initials go is refused in the form.
  const combos = page.getByRole('combobox');
  await combos.nth(0).click();
  await page.getByRole('option', { name: 'Lincolnshire Police' }).click();
  await page.getByLabel(/initials/).fill('Joan Smith');
  await combos.nth(1).click();
  await page.getByRole('option', { name: /close a case/ }).click();
  await page
    .getByLabel('What the disagreement is')
    .fill('The police closed the referral although the adult is still at risk.');
  await page.getByLabel('The outcome you want').fill('Reopen the referral and hold a strategy discussion.');
  await page.getByLabel('What keeps the adult safe meanwhile').fill('Daily home care visits.');
  await page.getByRole('button', { name: 'Raise the escalation' }).click();
  await page.getByText(/initials only/).waitFor();
  await page.screenshot({ path: join(SHOTS, 'raise-form-error.png'), fullPage: true });

  await page.getByLabel(/initials/).fill('J S');
  await page.getByRole('button', { name: 'Raise the escalation' }).click();
  await page.getByText('Escalation LI-2026-0001 is raised', { exact: false }).waitFor();
  const card = page.locator('.ac-adaptiveCard', { hasText: 'LSAB escalation LI-2026-0001' }).last();
  await card.waitFor();
  await card.getByText('J.S. (initials)').waitFor();
  await card.getByText('Not yet acknowledged').waitFor();
  await page.screenshot({ path: join(SHOTS, 'stage-card.png'), fullPage: true });
  expect(await page.content()).not.toMatch(/Joan Smith/);

  // Alex raised it, so acknowledging is the other agency's to do: a clear refusal, recorded.
  await card.getByRole('button', { name: 'Acknowledge' }).click();
  await page.getByText(/has already been acknowledged for your agency/).waitFor();
  const timeline = async (): Promise<string[]> => (await bot.repo.getEvents('LI-2026-0001')).map((e) => e.event.type);
  expect(await timeline()).toContain('command-refused');

  // Chris, a frontline professional at the police, has the card in his own chat, with his own
  // buttons, and acknowledges.
  await chrisPage
    .getByRole('paragraph')
    .filter({
      hasText: /Alex Morgan has raised LSAB escalation LI-2026-0001 with Lincolnshire Police\. You can: Acknowledge/,
    })
    .waitFor();
  const chrisCard = chrisPage.locator('.ac-adaptiveCard', { hasText: 'LSAB escalation LI-2026-0001' }).last();
  await chrisCard.getByText('Not yet acknowledged').waitFor();
  await chrisPage.screenshot({ path: join(SHOTS, 'counterpart-card.png'), fullPage: true });
  await chrisCard.getByRole('button', { name: 'Acknowledge' }).click();
  await chrisCard.getByText(/Chris Bennett: acknowledged/).waitFor();
  expect(await chrisCard.getByText('Not yet acknowledged').count()).toBe(0);
  await chrisPage.screenshot({ path: join(SHOTS, 'counterpart-acknowledged.png'), fullPage: true });
  expect(await timeline()).toEqual(['case-raised', 'stage-entered', 'command-refused', 'stage-acknowledged']);

  // The card in Alex's chat changed in place too.
  await card.getByText(/Chris Bennett: acknowledged/).waitFor();
  expect(await card.getByText('Not yet acknowledged').count()).toBe(0);

  // A note: the card changes in place.
  await card.getByRole('button', { name: 'Add note' }).click();
  await card
    .getByPlaceholder(/What happened, or what you did/)
    .fill('Spoke to the duty sergeant; agreed to meet on Thursday.');
  await card.getByRole('button', { name: 'Add note' }).last().click();
  await page
    .getByText(/Alex Morgan: added a note: Spoke to the duty sergeant/)
    .first()
    .waitFor();
  await page.screenshot({ path: join(SHOTS, 'stage-card-after-note.png'), fullPage: true });
  expect(await timeline()).toEqual([
    'case-raised',
    'stage-entered',
    'command-refused',
    'stage-acknowledged',
    'note-added',
  ]);
  expect(await page.content()).not.toMatch(/Joan Smith/);
  expect(await chrisPage.content()).not.toMatch(/Joan Smith/);
});
