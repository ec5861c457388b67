// The reference portal in a real browser: Debian's chromium driven by
// playwright-core against the binary serving the demo data at PORTAL_BASE_URL.
// Every view passes axe-core with no serious or critical violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
  await page.getByRole('heading', { name: 'Offres classées pour vous' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Salma Bennani/);
  assert.ok(!page.url().includes('salma'), 'no personal data in the URL');

  await page.getByLabel('Langue').selectOption('en');
  await page.getByRole('heading', { name: 'Offers ranked for you' }).waitFor();
  await page.getByText('Data Scientist').first().waitFor();
  await assertAccessible(page, 'student offers in English');
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('every file the portal loads is embedded in the binary', async () => {
  // A module missing from the embedded list would only fail in the browser,
  // on the first view that imports it.
  const root = fileURLToPath(new URL('../../portal/', import.meta.url));
  const files = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => `${f.parentPath ?? f.path}/${f.name}`.slice(root.length).replace(/^\//, ''))
    .filter((path) => !path.startsWith('generated/') && !path.endsWith('.d.ts') && !['README.md', 'tsconfig.json'].includes(path));
  assert.ok(files.includes('views/student.js'), `${files}`);
  for (const path of files) {
    const response = await fetch(`${BASE}/portal/${path}`);
    assert.equal(response.status, 200, path);
  }
});

test('both languages hold every string the portal shows, for every value of the document’s enums', () => {
  const portal = new URL('../../portal/', import.meta.url);
  const keys = (lang) => new Set([...readFileSync(new URL(`locales/${lang}.js`, portal), 'utf8').matchAll(/^\s*'([^']+)':/gm)].map((m) => m[1]));
  const fr = keys('fr');
  const en = keys('en');
  assert.deepEqual([...fr].filter((k) => !en.has(k)), [], 'in French only');
  assert.deepEqual([...en].filter((k) => !fr.has(k)), [], 'in English only');
  const sources = readdirSync(portal, { recursive: true })
    .filter((f) => String(f).endsWith('.js') && !String(f).startsWith('vendor') && !String(f).startsWith('locales'))
    .map((f) => readFileSync(new URL(String(f), portal), 'utf8'));
  const used = sources.flatMap((text) => [...text.matchAll(/\bt\('([^']+)'\)/g)].map((m) => m[1]));
  assert.ok(used.length > 100, 'the sources were read');
  assert.deepEqual(used.filter((k) => !fr.has(k)), [], 'used but missing');
  // Codes from the API are translated by prefix: a value the document adds must get its label.
  const schemas = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')).components.schemas;
  const prefixes = {
    ApplicationStatus: ['status', 'move'], OfferKind: ['kind'], HardFilter: ['filter'], Party: ['party'],
    PlacementStatus: ['placement'], OfferStatus: ['offer_status'], AgreementKind: ['agreement.kind'], Role: ['role'],
    WorkMode: ['work_mode'], Consent: ['consent'],
  };
  for (const [schema, names] of Object.entries(prefixes)) {
    for (const value of schemas[schema].enum) for (const prefix of names) assert.ok(fr.has(`${prefix}.${value}`), `${prefix}.${value}`);
  }
});

test('the keyboard alone signs in and moves between views', async () => {
  const page = await browser.newPage();
  await page.goto(`${BASE}/portal/`);
  await page.getByRole('heading', { name: 'Connexion' }).waitFor();
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('name') ?? document.activeElement?.textContent?.trim());
  // The first Tab of the page reaches the link that skips the header.
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'Aller au contenu');
  let steps = 0;
  while ((await focused()) !== 'email' && steps < 10) { await page.keyboard.press('Tab'); steps += 1; }
  await page.keyboard.type('nadia.alaoui@axa-go.example.org');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'password');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Les offres de votre organisation' }).waitFor();
  // Each new view takes the focus to its heading, so that the next Tab starts there.
  // Polled from here: the portal's CSP refuses the eval that page.waitForFunction needs.
  const focusOn = async (/** @type {string} */ heading) => {
    const onHeading = () => page.evaluate(() => (document.activeElement?.tagName === 'H1' ? document.activeElement.textContent?.trim() : null));
    for (let tries = 0; tries < 100 && (await onHeading()) !== heading; tries += 1) await page.waitForTimeout(50);
    assert.equal(await onHeading(), heading);
  };
  await focusOn('Les offres de votre organisation');
  for (const [name, heading] of [['Suivi des candidatures', 'Suivi des candidatures'], ['Conventions', 'Conventions et signatures']]) {
    steps = 0;
    while ((await focused()) !== name && steps < 20) { await page.keyboard.press('Tab'); steps += 1; }
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await focusOn(heading);
  }
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

/** A page of its own for one role, signed in; the page's errors are collected. */
async function rolePage(email, heading) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, email);
  await page.getByRole('heading', { name: heading }).waitFor();
  return { page, errors };
}

/** Opens a view from the navigation, leaving first when it is the current one so that it loads afresh. */
async function open(page, name) {
  const nav = page.getByRole('navigation');
  const button = nav.getByRole('button', { name, exact: true });
  if ((await button.getAttribute('aria-current')) === 'page') {
    await nav.getByRole('button').filter({ hasNot: page.locator('[aria-current]') }).first().click();
  }
  await button.click();
}

async function screenshot(page, role) {
  // The viewport only: what a person sees first on opening the view.
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/${role}.png` });
}

const OFFER = 'Stage PFE – Data Scientist : détection de fraude en assurance automobile';

test('the core scenario: apply, offer, accept, three signatures, then the dashboards', async () => {
  // The student finds the offer, reads why it ranks, and applies.
  const student = await rolePage('salma.bennani@ecc.example.org', 'Offres classées pour vous');
  const s = student.page;
  await s.getByRole('heading', { name: OFFER }).waitFor();
  await screenshot(s, 'student');
  await assertAccessible(s, 'student: ranked offers');
  await s.getByRole('button', { name: `Pourquoi ce rang – ${OFFER}` }).click();
  const why = s.locator('figure.explanation');
  await why.waitFor();
  assert.match(await why.locator('li', { hasText: 'python' }).innerText(), /acquise · niveau 4\/\d/);
  assert.ok((await why.locator('li.missing').count()) > 0, 'the missing skills are drawn too');
  await assertAccessible(s, 'student: why it ranks');
  await s.getByLabel('Lettre de motivation (facultative)').fill('La détection de fraude est le sujet de mon projet de fin d’études.');
  await s.getByRole('button', { name: 'Postuler' }).click();
  await s.getByRole('status').filter({ hasText: 'Candidature envoyée.' }).waitFor();
  // The gap view of an offer the student is not eligible for.
  await s.getByLabel('Choisir une offre ouverte').selectOption({ label: 'SOC Analyst Intern' });
  await s.getByText('non éligible').waitFor();
  assert.ok((await s.locator('.gap li.missing').count()) > 0);
  await assertAccessible(s, 'student: gap view');

  // The recruiter sees the candidate, then moves the application to offered.
  const recruiter = await rolePage('nadia.alaoui@axa-go.example.org', 'Les offres de votre organisation');
  const r = recruiter.page;
  await r.getByRole('cell', { name: OFFER, exact: true }).waitFor();
  await screenshot(r, 'recruiter');
  await assertAccessible(r, 'recruiter: offers');
  await r.getByRole('button', { name: `Candidat·es classé·es – ${OFFER}` }).click();
  const candidate = r.locator('li.card', { has: r.getByRole('heading', { name: 'Salma Bennani' }) });
  await candidate.locator('figure.explanation').waitFor();
  await assertAccessible(r, 'recruiter: ranked candidates');
  await open(r, 'Suivi des candidatures');
  const submitted = r.locator('section.column', { has: r.getByRole('heading', { name: 'Envoyée' }) });
  const card = submitted.locator('li.card', { hasText: 'Salma Bennani' });
  await card.waitFor();
  await assertAccessible(r, 'recruiter: pipeline');
  const moves = await card.getByRole('combobox').locator('option').allInnerTexts();
  assert.ok(moves.includes('Offre faite') && moves.includes('Refusée'), `${moves}`);
  assert.ok(!moves.includes('Acceptée') && !moves.includes('Retirée'), 'only the recruiter’s own moves are offered');
  await card.getByRole('combobox').selectOption({ label: 'Offre faite' });
  await card.getByRole('button', { name: /Déplacer/ }).click();
  const offered = r.locator('section.column', { has: r.getByRole('heading', { name: 'Offre faite' }) });
  await offered.locator('li.card', { hasText: 'Salma Bennani' }).waitFor();

  // The student reads the timeline and accepts.
  await open(s, 'Candidatures');
  const application = s.locator('li.card', { has: s.getByRole('heading', { name: OFFER }) });
  await application.getByRole('list', { name: 'Historique' }).getByText(/Offre faite/).waitFor();
  assert.match(await application.getByRole('list', { name: 'Historique' }).innerText(), /Envoyée[\s\S]*Offre faite/);
  await assertAccessible(s, 'student: applications');
  await application.getByRole('button', { name: `Accepter l’offre – ${OFFER}` }).click();
  await application.getByText('Acceptée', { exact: true }).waitFor();
  await open(s, 'Conventions');
  const agreement = s.locator('li.card', { has: s.getByRole('heading', { name: OFFER }) });
  await agreement.getByText('La signature sera possible').waitFor();
  await assertAccessible(s, 'student: agreement before the names');

  // Both names are given before anyone signs: the API refuses a signature on
  // an agreement whose tutor or referent is still to be named.
  await open(r, 'Conventions');
  const rCard = r.locator('li.card', { has: r.getByRole('heading', { name: `${OFFER} – Salma Bennani` }) });
  await rCard.getByLabel('Tuteur·rice en entreprise').fill('Nadia Alaoui');
  await rCard.getByRole('button', { name: 'Enregistrer le nom' }).click();
  await rCard.getByText('Nadia Alaoui').waitFor();
  const staff = await rolePage('carrieres@ecc.example.org', 'Tableau de bord des placements');
  const e = staff.page;
  await open(e, 'Conventions');
  const eCard = e.locator('li.card', { has: e.getByRole('heading', { name: `${OFFER} – Salma Bennani` }) });
  await eCard.getByLabel('Référent·e pédagogique').fill('Pr. Karim Tazi');
  await eCard.getByRole('button', { name: 'Enregistrer le nom' }).click();
  await eCard.getByText('Pr. Karim Tazi').waitFor();

  // The student signs, then the school, then the organisation.
  await open(s, 'Conventions');
  await agreement.getByRole('button', { name: `Signer la convention – ${OFFER}` }).click();
  await agreement.getByText(/✓ Étudiant·e/).waitFor();
  await assertAccessible(s, 'student: agreement signed');
  await open(e, 'Conventions');
  await eCard.getByRole('button', { name: /Signer la convention/ }).click();
  await eCard.getByText(/✓ École/).waitFor();
  await assertAccessible(e, 'school staff: placements and signatures');
  await open(r, 'Conventions');
  await rCard.getByRole('button', { name: /Signer la convention/ }).click();
  await rCard.getByText(/✓ Organisation d’accueil/).waitFor();
  assert.match(await rCard.innerText(), /statut signée/);
  await assertAccessible(r, 'recruiter: agreements');

  // The school's dashboard counts the placement (the demo data holds one signed
  // agreement in the same programme) and draws it.
  await open(e, 'Tableau de bord');
  await e.locator('[data-figure="placed"]').getByText('2', { exact: true }).waitFor();
  const programme = e.getByRole('table', { name: 'Par filière' }).getByRole('row', { name: /Data Science et Intelligence Artificielle/ });
  assert.match(await programme.innerText(), /\t2\t/);
  const chart = e.getByRole('img', { name: /Taux de placement par filière/ });
  assert.match(await chart.getAttribute('aria-label'), /Data Science et Intelligence Artificielle \d+(\.\d+)? %/);
  assert.ok((await chart.locator('rect.chart-bar').count()) > 0);
  const month = new Date().toISOString().slice(0, 7);
  const trend = e.getByRole('img', { name: /Placé·es par mois/ });
  assert.match(await trend.getAttribute('aria-label'), new RegExp(`${month} [1-9]`), 'this month counts the new placement');
  await screenshot(e, 'school_staff');
  await assertAccessible(e, 'school staff: dashboard');
  const [csv] = await Promise.all([e.waitForEvent('download'), e.getByRole('button', { name: 'Télécharger en CSV' }).click()]);
  assert.match(csv.suggestedFilename(), /^placement-stats-.*\.csv$/);
  assert.match(readFileSync(await csv.path(), 'utf8'), /Data Science et Intelligence Artificielle/);
  await open(e, 'Étudiant·es');
  await e.getByRole('cell', { name: 'Salma Bennani' }).waitFor();
  await assertAccessible(e, 'school staff: students');

  // The committee sees the network's figures, small groups withheld as such.
  const committee = await rolePage('comite.suivi@passerelle.example.org', 'Tableau de bord du réseau');
  const c = committee.page;
  const bySchool = c.getByRole('table', { name: 'Par école' });
  await bySchool.waitFor();
  const network = c.getByRole('table', { name: 'Tout le réseau' }).getByRole('row', { name: /Toutes les écoles/ });
  assert.match(await network.innerText(), /Toutes les écoles\t\d+\t2\t/, 'the network total is shown, two placed');
  assert.ok((await bySchool.getByRole('cell', { name: 'masqué (moins de 5)' }).count()) > 0, 'small groups are withheld');
  assert.ok((await c.locator('rect.chart-withheld').count()) > 0, 'withheld bars are drawn as such');
  const gap = c.getByRole('table', { name: 'Demande et offre de compétences' });
  const demands = await gap.locator('tbody tr td:nth-child(3)').allInnerTexts();
  assert.ok(demands.length > 0 && demands.every((d) => Number(d) > 0), `demand is shown: ${demands}`);
  await c.getByRole('img', { name: /Demande des offres, par compétence/ }).waitFor();
  await screenshot(c, 'committee');
  await assertAccessible(c, 'committee: network dashboard');

  for (const { page, errors } of [student, recruiter, staff, committee]) {
    assert.deepEqual(errors, []);
    assert.ok(!page.url().includes('salma'), 'no personal data in the URL');
    await page.close();
  }
});

test('a student edits the profile and skills, exports the data, and another erases theirs', async () => {
  const { page: s, errors } = await rolePage('salma.bennani@ecc.example.org', 'Offres classées pour vous');
  await open(s, 'Mon profil');
  await s.getByRole('heading', { name: 'Ce que je recherche' }).waitFor();
  await assertAccessible(s, 'student: profile');
  await s.getByLabel('Présentation').fill('Passionnée de détection de fraude.');
  await s.getByRole('button', { name: 'Enregistrer le profil' }).click();
  await s.locator('form.profile').getByRole('status').waitFor();

  await s.getByLabel('Coller un texte (résumé de CV) pour y trouver des compétences').fill('Projets en Python et en apprentissage automatique, déploiement avec Docker.');
  await s.getByRole('button', { name: 'Trouver les compétences' }).click();
  const found = s.getByRole('list', { name: 'Compétences trouvées dans le texte' });
  await found.getByText('déjà dans mon profil').first().waitFor();
  await found.getByRole('button', { name: 'Ajouter docker' }).click();
  await s.getByLabel('Niveau docker').waitFor();
  await s.getByRole('button', { name: 'Ajouter une compétence' }).click();
  const rows = s.locator('form', { has: s.getByRole('heading', { name: 'Mes compétences' }) }).locator('tbody tr');
  const last = rows.last();
  await last.getByRole('textbox').fill('pas-une-competence');
  await s.getByRole('button', { name: 'Enregistrer les compétences' }).click();
  await last.locator('.error').waitFor();
  await last.getByRole('textbox').fill('k8s');
  await s.getByRole('button', { name: 'Enregistrer les compétences' }).click();
  // The alias is stored as its canonical skill.
  await s.getByLabel('Niveau kubernetes').waitFor();
  await s.getByRole('listitem').filter({ hasText: 'visible des recruteurs' }).first().waitFor();

  const [download] = await Promise.all([s.waitForEvent('download'), s.getByRole('button', { name: 'Exporter toutes mes données' }).click()]);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(exported.profile.bio, 'Passionnée de détection de fraude.');
  assert.ok(exported.applications.length > 0);
  assert.deepEqual(errors, []);
  await s.close();

  const other = await rolePage('yasmine.chraibi@ecc.example.org', 'Offres classées pour vous');
  await open(other.page, 'Mon profil');
  const erase = other.page.getByRole('button', { name: 'Effacer mes données' });
  assert.ok(await erase.isDisabled(), 'erasure asks for a confirmation first');
  await other.page.getByLabel('Je comprends que l’effacement est définitif').check();
  await erase.click();
  await other.page.getByRole('heading', { name: 'Connexion' }).waitFor();
  await signIn(other.page, 'yasmine.chraibi@ecc.example.org');
  await other.page.getByRole('alert').waitFor();
  await other.page.close();
});

test('a recruiter creates a draft, sees the refusals next to the fields, publishes it and closes it', async () => {
  const { page: r, errors } = await rolePage('nadia.alaoui@axa-go.example.org', 'Les offres de votre organisation');
  await r.getByRole('button', { name: 'Nouvelle offre' }).click();
  const form = r.locator('form.offer-form');
  await form.getByLabel('Intitulé').fill('Stage – Analyste données sinistres');
  await form.getByLabel('Description').fill('Analyse des déclarations de sinistres.');
  await form.getByLabel('Ville').fill('Casablanca');
  await form.getByRole('button', { name: 'Ajouter une compétence' }).click();
  await form.getByLabel('Compétence 1').fill('pas-une-competence');
  await assertAccessible(r, 'recruiter: offer form');
  await form.getByRole('button', { name: 'Créer le brouillon' }).click();
  await form.locator('label', { hasText: 'Compétence 1' }).locator('.error').waitFor();
  await form.getByLabel('Compétence 1').fill('python');
  const start = new Date(Date.now() + 60 * 86400e3).toISOString().slice(0, 10);
  const deadline = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);
  await form.getByLabel('Début').fill(start);
  await form.getByLabel('Date limite de candidature').fill(deadline);
  await form.getByRole('button', { name: 'Créer le brouillon' }).click();
  const row = r.getByRole('row', { name: /Stage – Analyste données sinistres/ });
  await row.getByRole('cell', { name: 'brouillon' }).waitFor();
  await row.getByRole('button', { name: /Publier/ }).click();
  await row.getByRole('cell', { name: 'ouverte' }).waitFor();
  await row.getByRole('button', { name: /Modifier/ }).click();
  await form.getByLabel('Intitulé').fill('Stage – Analyste données sinistres (Casablanca)');
  await form.getByRole('button', { name: 'Enregistrer l’offre' }).click();
  const renamed = r.getByRole('row', { name: /Analyste données sinistres \(Casablanca\)/ });
  await renamed.getByRole('button', { name: /Clore/ }).click();
  await renamed.getByRole('cell', { name: 'close' }).waitFor();
  assert.deepEqual(errors, []);
  await r.close();
});

test('the career office imports a roster and sees each refusal next to its line', async () => {
  const { page: e, errors } = await rolePage('carrieres@ecc.example.org', 'Tableau de bord des placements');
  await open(e, 'Import de la liste');
  await e.getByRole('heading', { name: 'Importer la liste des étudiant·es' }).waitFor();
  const header = 'student_number,first_name,last_name,email,programme,degree_level,graduation_year';
  await e.getByLabel('Contenu du fichier').fill([
    header,
    'ECC-2026-900,Imane,Lahlou,imane.lahlou@ecc.example.org,Cycle ingénieur – tronc commun,bac+3,2028',
    'ECC-2026-901,Karim,,pas-une-adresse,Cycle ingénieur – tronc commun,bac+3,2028',
  ].join('\n'));
  await e.getByRole('button', { name: 'Importer' }).click();
  const bad = e.getByRole('table', { name: 'Lignes du fichier et refus' }).getByRole('row', { name: /^3 / });
  await bad.locator('.error').first().waitFor();
  assert.match(await bad.innerText(), /email/);
  await assertAccessible(e, 'school staff: roster import refused');
  await e.getByLabel('Contenu du fichier').fill([header,
    'ECC-2026-900,Imane,Lahlou,imane.lahlou@ecc.example.org,Cycle ingénieur – tronc commun,bac+3,2028'].join('\n'));
  await e.getByRole('button', { name: 'Importer' }).click();
  await e.getByRole('status').filter({ hasText: 'Importé' }).waitFor();
  assert.deepEqual(errors, []);
  await e.close();
});
