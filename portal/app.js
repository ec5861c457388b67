// The portal's shell: language switch, sign-in, role from GET /me,
// navigation by role, logout everywhere. Where the user is lives in memory,
// never in the URL.
import { render } from './vendor/preact.module.js';
import { useLayoutEffect, useRef, useState } from './vendor/hooks.module.js';
import { html } from './html.js';
import { t, language, setLanguage } from './i18n.js';
import * as api from './api.js';
import { Login } from './views/login.js';
import { Home } from './views/home.js';
import { StudentOffers, StudentApplications } from './views/student.js';
import { Agreements } from './views/agreements.js';
import { RecruiterOffers, Pipeline } from './views/recruiter.js';
import { SchoolDashboard, SchoolStudents } from './views/school.js';
import { NetworkDashboard } from './views/committee.js';
import { StudentProfileView } from './views/profile.js';
import { RosterImport } from './views/roster.js';

/** @typedef {import('./api.js').Account} Account */
/** @typedef {import('./api.js').Role} Role */

/**
 * The views each role reaches from the navigation, first one shown on sign-in.
 * @type {Record<Role, string[]>}
 */
const VIEWS = {
  student: ['offers', 'applications', 'agreements', 'profile'],
  recruiter: ['org_offers', 'pipeline', 'agreements'],
  school_staff: ['dashboard', 'students', 'agreements', 'roster'],
  committee: ['network'],
  admin: ['home'],
};

/** @type {Record<string, (props: {account: Account, onErased: () => void}) => unknown>} */
const COMPONENTS = {
  home: Home,
  offers: StudentOffers,
  applications: StudentApplications,
  agreements: Agreements,
  org_offers: RecruiterOffers,
  pipeline: Pipeline,
  dashboard: SchoolDashboard,
  students: SchoolStudents,
  network: NetworkDashboard,
  profile: StudentProfileView,
  roster: RosterImport,
};

function App() {
  const [lang, setLang] = useState(language());
  /** @type {[Account | null, (value: Account | null) => void]} */
  const [account, setAccount] = useState(/** @type {Account | null} */ (null));
  const [view, setView] = useState('home');
  // A keyboard or screen reader user who changes view would otherwise stay on
  // the button they pressed, with nothing said of the new page: the new view's
  // heading takes the focus. Not on the first render, where the page starts.
  const firstRender = useRef(true);
  useLayoutEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const heading = /** @type {HTMLElement | null} */ (document.querySelector('main h1'));
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }, [view, account?.id]);

  /** @param {'fr' | 'en'} next */
  function switchLanguage(next) {
    setLanguage(next);
    setLang(next);
  }

  async function signedIn() {
    const who = await api.me();
    setView(VIEWS[who.role][0]);
    setAccount(who);
  }

  async function logout() {
    await api.logoutEverywhere().catch(() => undefined);
    setAccount(null);
  }

  return html`
    <a class="skip" href="#main">${t('app.skip_to_content')}</a>
    <header class="top">
      <span class="brand">${t('app.title')}</span>
      ${account && html`
        <nav aria-label=${t('app.nav')}>
          <ul>${VIEWS[account.role].map((name) => html`
            <li><button type="button" class="secondary" aria-current=${view === name ? 'page' : undefined}
              onClick=${() => setView(name)}>${t(`view.${name}`)}</button></li>`)}
          </ul>
        </nav>
        <button type="button" class="secondary" onClick=${logout}>${t('logout')}</button>`}
      <label class="language">${t('app.language')}
        <select value=${lang} onChange=${(/** @type {any} */ e) => switchLanguage(e.currentTarget.value)}>
          <option value="fr">Français</option>
          <option value="en">English</option>
        </select>
      </label>
    </header>
    <main id="main" tabindex="-1">
      ${account
        ? html`<p class="who">${t('home.signed_in_as')} <strong>${account.display_name}</strong>
            <span class="muted"> (${t(`role.${account.role}`)})</span></p>
          <${COMPONENTS[view] ?? Home} key=${`${view}-${lang}`} account=${account} onErased=${() => setAccount(null)} />`
        : html`<${Login} onSignedIn=${signedIn} />`}
    </main>`;
}

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
