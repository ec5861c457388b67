// Placements and their agreements, for each of the three signatories: the
// terms, who signed, who has yet to, the caller's signature, and the name
// the caller's side must give before anyone can sign.
import { html } from '../html.js';
import { useState } from '../vendor/hooks.module.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { useLoad, Loading, ErrorNote, problemText, when } from './common.js';

/** @typedef {import('../api.js').Account} Account */
/** @typedef {import('../api.js').Placement} Placement */
/** @typedef {import('../api.js').Party} Party */

/** The placeholder the API writes where a name is still to be given. */
const TO_BE_NAMED = 'to be named';

/** @param {Account} account @returns {Party | null} the party the caller signs for */
function partyOf(account) {
  if (account.role === 'student') return 'student';
  if (account.role === 'school_staff') return 'school';
  if (account.role === 'recruiter') return 'organisation';
  return null;
}

/** @param {Account} account @returns {'company_tutor' | 'academic_referent' | null} the name the caller's side gives */
function nameOf(account) {
  if (account.role === 'recruiter') return 'company_tutor';
  if (account.role === 'school_staff') return 'academic_referent';
  return null;
}

/** @param {{account: Account}} props */
export function Agreements({ account }) {
  const list = useLoad(() => api.placements());
  const labels = useLoad(async () => {
    /** @type {Record<number, string>} */
    const offers = {};
    /** @type {Record<number, string>} */
    const people = {};
    for (const p of await api.placements()) {
      offers[p.offer_id] ??= (await api.offer(p.offer_id)).title;
      if (account.role !== 'student') people[p.student_id] ??= await api.studentName(p.student_id);
    }
    return { offers, people };
  });
  return html`
    <section aria-labelledby="agreements-heading">
      <h1 id="agreements-heading">${t('agreements.heading')}</h1>
      <${Loading} ...${list} />
      ${list.value && list.value.length === 0 && html`<p>${t('agreements.none')}</p>`}
      <ul class="cards">${(list.value ?? []).map((p) => html`
        <li class="card">
          <${AgreementCard} account=${account} placement=${p} onChanged=${list.reload}
            title=${labels.value?.offers[p.offer_id] ?? `#${p.offer_id}`}
            person=${labels.value?.people[p.student_id] ?? null} />
        </li>`)}
      </ul>
    </section>`;
}

/** @param {{account: Account, placement: Placement, title: string, person: string | null, onChanged: () => void}} props */
function AgreementCard({ account, placement: p, title, person, onChanged }) {
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [name, setName] = useState('');
  const party = partyOf(account);
  const field = nameOf(account);
  const unnamed = [p.terms.company_tutor, p.terms.academic_referent].includes(TO_BE_NAMED);
  const mayName = field !== null && p.terms[field] === TO_BE_NAMED;
  const maySign = party !== null && p.missing_signatures.includes(party) && !unnamed && p.status === 'pending_signatures';
  const heading = person ? `${title} – ${person}` : title;
  const shown = (/** @type {string} */ value) => (value === TO_BE_NAMED ? t('agreement.to_be_named') : value);

  /** @param {() => Promise<unknown>} action */
  async function run(action) {
    try {
      await action();
      setError(null);
      onChanged();
    } catch (e) {
      setError(problemText(e));
    }
  }

  return html`
    <h2 class="card-title">${heading}</h2>
    <p>${t(`agreement.kind.${p.kind}`)} · ${t('agreement.status')} <strong>${t(`placement.${p.status}`)}</strong> · ${t('agreement.version')} ${p.agreement_version}</p>
    <dl class="terms">
      <dt>${t('agreement.dates')}</dt><dd>${p.terms.start_date} → ${p.terms.end_date}</dd>
      <dt>${t('agreement.company_tutor')}</dt><dd>${shown(p.terms.company_tutor)}</dd>
      <dt>${t('agreement.academic_referent')}</dt><dd>${shown(p.terms.academic_referent)}</dd>
      ${p.terms.monthly_stipend_mad != null && html`<dt>${t('agreement.stipend')}</dt><dd>${p.terms.monthly_stipend_mad} MAD</dd>`}
    </dl>
    <h3>${t('agreement.signatures')}</h3>
    <ul class="signatures">
      ${p.signatures.map((s) => html`<li>✓ ${t(`party.${s.party}`)} – <time datetime=${s.signed_at}>${when(s.signed_at)}</time></li>`)}
      ${p.missing_signatures.map((s) => html`<li>○ ${t(`party.${s}`)} – ${t('agreement.awaited')}</li>`)}
    </ul>
    ${mayName && field && html`
      <form class="inline" onSubmit=${(/** @type {Event} */ e) => { e.preventDefault(); run(() => api.changeTerms(p.id, { [field]: name })); }}>
        <label>${t(`agreement.${field}`)}
          <input required maxlength="200" value=${name} onInput=${(/** @type {any} */ e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit">${t('agreement.save_name')}</button>
      </form>`}
    ${unnamed && party && p.missing_signatures.includes(party) && html`<p class="muted">${t('agreement.names_first')}</p>`}
    ${maySign && html`<button type="button" onClick=${() => run(() => api.sign(p.id))}>${t('agreement.sign')} – ${heading}</button>`}
    <${ErrorNote} error=${error} />`;
}
