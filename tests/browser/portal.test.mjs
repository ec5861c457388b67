// The reference portal in a real browser: Debian's chromium driven by
// playwright-core against the binary serving the demo data at PORTAL_BASE_URL.
// Every view passes axe-core with no serious or critical violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const BASE = process.env.PORTAL_BASE_URL ?? 'http://127.0.0.1:8080';
const PASSWORD = 'passerelle-demo-2026';

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
});
after(async () => browser?.close());

// axe-core goes in through the DevTools protocol: the portal's CSP rightly
// refuses it as a script tag, and the test keeps that policy on.
const AXE = readFileSync(require.resolve('axe-core'), 'utf8');

/** Asserts axe-core finds no serious or critical violation on the page as it is. */
async function assertAccessible(page, view) {
  await page.evaluate(AXE);
  const results = await page.evaluate(() => globalThis.axe.run());
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help}`), [], view);
}

async function signIn(page, email) {
  await page.goto(`${BASE}/portal`);
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

test('a student signs in in French, switches to English and signs out everywhere', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${BASE}/portal`);
  assert.equal(new URL(page.url()).pathname, '/portal/');
  await page.getByRole('heading', { name: 'Connexion' }).waitFor();
  await assertAccessible(page, 'login');

  await signIn(page, 'salma.bennani@ecc.example.org');
  await page.getByRole('heading', { name: 'Bienvenue' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Salma Bennani/);
  assert.ok(!page.url().includes('salma'), 'no personal data in the URL');
  await assertAccessible(page, 'student home');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/student.png`, fullPage: true });

  await page.getByLabel('Langue').selectOption('en');
  await page.getByRole('heading', { name: 'Welcome' }).waitFor();
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a refused sign-in shows the API problem next to the form', async () => {
  const page = await browser.newPage();
  await page.goto(`${BASE}/portal/`);
  await page.getByLabel('Adresse électronique').fill('salma.bennani@ecc.example.org');
  await page.getByLabel('Mot de passe').fill('not the password');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('alert').waitFor();
  await page.close();
});
