// Sign-in form: email and password, the API's refusal shown next to it.
import { html } from '../html.js';
import { useState } from '../vendor/hooks.module.js';
import { t } from '../i18n.js';
import * as api from '../api.js';

/** @param {{onSignedIn: () => Promise<void>}} props */
export function Login({ onSignedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(/** @type {string | null} */ (null));

  /** @param {Event} event */
  async function submit(event) {
    event.preventDefault();
    setError(null);
    try {
      await api.login({ email, password });
      await onSignedIn();
    } catch (e) {
      setError(e instanceof api.ApiProblem ? e.message : t('login.failed'));
    }
  }

  return html`
    <section aria-labelledby="login-heading">
      <h1 id="login-heading">${t('login.heading')}</h1>
      <form class="login" onSubmit=${submit}>
        <label>${t('login.email')}
          <input type="email" name="email" autocomplete="username" required value=${email}
            onInput=${(/** @type {any} */ e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>${t('login.password')}
          <input type="password" name="password" autocomplete="current-password" required value=${password}
            onInput=${(/** @type {any} */ e) => setPassword(e.currentTarget.value)} />
        </label>
        ${error && html`<p class="error" role="alert">${error}</p>`}
        <button type="submit">${t('login.submit')}</button>
      </form>
    </section>`;
}
