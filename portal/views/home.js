// The signed-in landing view: who the caller is, by role.
import { html } from '../html.js';
import { t } from '../i18n.js';

/** @param {{account: import('../api.js').Account}} props */
export function Home({ account }) {
  return html`
    <section aria-labelledby="home-heading">
      <h1 id="home-heading">${t('home.heading')}</h1>
      <p>${t('home.signed_in_as')} <strong>${account.display_name}</strong>
        <span class="muted"> (${t(`role.${account.role}`)})</span></p>
    </section>`;
}
