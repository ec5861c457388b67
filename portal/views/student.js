// The student's views: ranked offers with why they rank, the gap view of any
// open offer, applying; applications with their timelines and the answer to
// an offer.
import { html } from '../html.js';
import { useState } from '../vendor/hooks.module.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { ExplanationBars, percent } from './charts.js';
import { useLoad, Loading, ErrorNote, problemText, when } from './common.js';

/** @typedef {import('../api.js').Account} Account */

/** @param {{account: Account}} props */
export function StudentOffers({ account }) {
  const studentId = account.student_id ?? 0;
  const ranked = useLoad(() => api.rankedOffers(studentId));
  const open = useLoad(() => api.offers({ status: 'open' }));
  const [chosen, setChosen] = useState(/** @type {number | null} */ (null));
  return html`
    <section aria-labelledby="offers-heading">
      <h1 id="offers-heading">${t('offers.heading')}</h1>
      <p class="muted">${t('offers.intro')}</p>
      <${Loading} ...${ranked} />
      ${ranked.value && ranked.value.length === 0 && html`<p>${t('offers.none')}</p>`}
      <ol class="cards">${(ranked.value ?? []).map((m) => html`
        <li class="card">
          <h2 class="card-title">${m.offer_title}</h2>
          <p>${t('match.score')} <strong>${percent(m.score)}</strong></p>
          <button type="button" class="secondary" aria-expanded=${chosen === m.offer_id}
            onClick=${() => setChosen(chosen === m.offer_id ? null : m.offer_id)}>${t('offers.why')}<span class="visually-hidden"> – ${m.offer_title}</span></button>
          ${chosen === m.offer_id && html`<${OfferGap} studentId=${studentId} offerId=${m.offer_id} />`}
        </li>`)}
      </ol>
      <h2>${t('gap.heading')}</h2>
      <label>${t('gap.choose')}
        <select onChange=${(/** @type {any} */ e) => setChosen(Number(e.currentTarget.value) || null)}>
          <option value="">–</option>
          ${(open.value ?? []).map((o) => html`<option value=${o.id}>${o.title}</option>`)}
        </select>
      </label>
      ${chosen !== null && !(ranked.value ?? []).some((m) => m.offer_id === chosen)
        && html`<${OfferGap} studentId=${studentId} offerId=${chosen} />`}
    </section>`;
}

/**
 * The gap view of one offer: its explanation, then the application form.
 * @param {{studentId: number, offerId: number}} props
 */
function OfferGap({ studentId, offerId }) {
  const match = useLoad(() => api.gap(studentId, offerId), [offerId]);
  const offer = useLoad(() => api.offer(offerId), [offerId]);
  const [letter, setLetter] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));

  /** @param {Event} event */
  async function apply(event) {
    event.preventDefault();
    try {
      await api.apply(offerId, letter);
      setSent(true);
      setError(null);
    } catch (e) {
      setError(problemText(e));
    }
  }

  if (!match.value || !offer.value) return html`<${Loading} value=${null} error=${match.error ?? offer.error} />`;
  const m = match.value;
  return html`
    <div class="gap">
      <p>${offer.value.city} · ${t(`kind.${offer.value.kind}`)} · ${m.eligible ? t('gap.eligible') : t('gap.not_eligible')}</p>
      <${ExplanationBars} explanation=${m.explanation} caption=${`${t('gap.caption')} ${offer.value.title}`} />
      ${sent
        ? html`<p role="status" class="ok">${t('apply.sent')}</p>`
        : m.eligible && html`
          <form class="apply" onSubmit=${apply}>
            <label>${t('apply.letter')}
              <textarea rows="3" maxlength="5000" value=${letter}
                onInput=${(/** @type {any} */ e) => setLetter(e.currentTarget.value)}></textarea>
            </label>
            <button type="submit">${t('apply.submit')}</button>
          </form>`}
      <${ErrorNote} error=${error} />
    </div>`;
}

/** @param {{account: Account}} props */
export function StudentApplications({ account }) {
  const list = useLoad(() => api.applications());
  const titles = useLoad(async () => {
    /** @type {Record<number, string>} */
    const byId = {};
    for (const a of await api.applications()) byId[a.offer_id] = (await api.offer(a.offer_id)).title;
    return byId;
  });
  return html`
    <section aria-labelledby="applications-heading">
      <h1 id="applications-heading">${t('applications.heading')}</h1>
      <p class="muted">${account.display_name}</p>
      <${Loading} ...${list} />
      ${list.value && list.value.length === 0 && html`<p>${t('applications.none')}</p>`}
      <ul class="cards">${(list.value ?? []).map((a) => html`
        <li class="card">
          <h2 class="card-title">${titles.value?.[a.offer_id] ?? `#${a.offer_id}`}</h2>
          <p>${t('applications.status')} <strong class=${`status ${a.status}`}>${t(`status.${a.status}`)}</strong></p>
          <${Timeline} applicationId=${a.id} version=${a.updated_at} />
          <${Answer} application=${a} title=${titles.value?.[a.offer_id] ?? ''} onMoved=${list.reload} />
        </li>`)}
      </ul>
    </section>`;
}

/** @param {{applicationId: number, version: string}} props */
function Timeline({ applicationId, version }) {
  const events = useLoad(() => api.events(applicationId), [version]);
  return html`
    <ol class="timeline" aria-label=${t('applications.timeline')}>${(events.value ?? []).map((e) => html`
      <li><time datetime=${e.at}>${when(e.at)}</time> · ${t(`status.${e.to}`)}${e.note ? html` – <span>${e.note}</span>` : ''}</li>`)}
    </ol>`;
}

/**
 * The student's own moves: answer an offer, or withdraw.
 * @param {{application: import('../api.js').Application, title: string, onMoved: () => void}} props
 */
function Answer({ application, title, onMoved }) {
  const [error, setError] = useState(/** @type {string | null} */ (null));
  /** @param {import('../api.js').ApplicationStatus} to */
  async function move(to) {
    try {
      await api.move(application.id, to);
      setError(null);
      onMoved();
    } catch (e) {
      setError(problemText(e));
    }
  }
  return html`
    <p class="actions">${application.allowed_moves.map((to) => html`
      <button type="button" class=${to === 'accepted' ? '' : 'secondary'} aria-label=${`${t(`move.${to}`)} – ${title}`}
        onClick=${() => move(to)}>${t(`move.${to}`)}</button>`)}
    </p>
    <${ErrorNote} error=${error} />`;
}
