// The recruiter's views: the organisation's offers with their ranked
// candidates, and the pipeline board, where a card moves only to the
// statuses the API allows the caller.
import { html } from '../html.js';
import { useState } from '../vendor/hooks.module.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { ExplanationBars, percent } from './charts.js';
import { useLoad, Loading, ErrorNote, problemText } from './common.js';
import { OfferForm } from './offer-form.js';

/** @typedef {import('../api.js').Account} Account */
/** @typedef {import('../api.js').ApplicationStatus} ApplicationStatus */

/** @param {{account: Account}} props */
export function RecruiterOffers({ account }) {
  const list = useLoad(() => api.offers({ organisation_id: account.organisation_id ?? undefined }));
  const [chosen, setChosen] = useState(/** @type {number | null} */ (null));
  /** @type {[import('../api.js').Offer | 'new' | null, (v: import('../api.js').Offer | 'new' | null) => void]} */
  const [editing, setEditing] = useState(/** @type {import('../api.js').Offer | 'new' | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  /** @param {number} id @param {'publish' | 'close'} step */
  const advance = (id, step) => api.offerStep(id, step).then(() => { setError(null); list.reload(); }, (e) => setError(problemText(e)));
  return html`
    <section aria-labelledby="org-offers-heading">
      <h1 id="org-offers-heading">${t('org_offers.heading')}</h1>
      <${Loading} ...${list} />
      <p><button type="button" onClick=${() => setEditing('new')}>${t('offer_form.new')}</button></p>
      ${editing && html`<${OfferForm} key=${editing === 'new' ? 'new' : editing.id} offer=${editing === 'new' ? null : editing}
        onSaved=${() => { setEditing(null); list.reload(); }} onCancel=${() => setEditing(null)} />`}
      <${ErrorNote} error=${error} />
      <table>
        <caption class="muted">${t('org_offers.caption')}</caption>
        <thead><tr><th scope="col">${t('offer.title')}</th><th scope="col">${t('offer.status')}</th>
          <th scope="col">${t('offer.positions')}</th><th scope="col"><span class="visually-hidden">${t('org_offers.candidates')}</span></th></tr></thead>
        <tbody>${(list.value ?? []).map((o) => html`
          <tr>
            <td>${o.title}</td><td>${t(`offer_status.${o.status}`)}</td><td>${o.positions_taken}/${o.positions}</td>
            <td><div class="actions">${o.status === 'open' && html`<button type="button" class="secondary" aria-expanded=${chosen === o.id}
              onClick=${() => setChosen(chosen === o.id ? null : o.id)}>${t('org_offers.candidates')}<span class="visually-hidden"> – ${o.title}</span></button>`}
              ${(o.status === 'draft' || o.status === 'open') && html`
                <button type="button" class="secondary" onClick=${() => setEditing(o)}>${t('offer_form.edit')}<span class="visually-hidden"> – ${o.title}</span></button>`}
              ${o.status === 'draft' && html`
                <button type="button" class="secondary" onClick=${() => advance(o.id, 'publish')}>${t('offer_form.publish')}<span class="visually-hidden"> – ${o.title}</span></button>`}
              ${(o.status === 'draft' || o.status === 'open') && html`
                <button type="button" class="secondary" onClick=${() => advance(o.id, 'close')}>${t('offer_form.close')}<span class="visually-hidden"> – ${o.title}</span></button>`}</div></td>
          </tr>`)}
        </tbody>
      </table>
      ${chosen !== null && html`<${Candidates} offerId=${chosen} />`}
    </section>`;
}

/** @param {{offerId: number}} props */
function Candidates({ offerId }) {
  const ranked = useLoad(() => api.rankedCandidates(offerId), [offerId]);
  return html`
    <div>
      <h2>${t('candidates.heading')}</h2>
      <${Loading} ...${ranked} />
      ${ranked.value && ranked.value.length === 0 && html`<p>${t('candidates.none')}</p>`}
      <ol class="cards">${(ranked.value ?? []).map((m) => html`
        <li class="card">
          <h3 class="card-title">${m.student_name}</h3>
          <p>${t('match.score')} <strong>${percent(m.score)}</strong></p>
          <${ExplanationBars} explanation=${m.explanation} caption=${`${t('candidates.why')} ${m.student_name ?? ''}`} />
        </li>`)}
      </ol>
    </div>`;
}

/** The board's columns, in the order an application travels. */
const COLUMNS = /** @type {const} */ ([
  ['submitted'], ['in_review'], ['shortlisted'], ['interview'], ['offered'], ['accepted'], ['declined', 'rejected', 'withdrawn'],
]);

/** @param {{account: Account}} props */
export function Pipeline({ account }) {
  const board = useLoad(async () => {
    const applications = await api.applications();
    /** @type {Record<number, string>} */
    const titles = {};
    /** @type {Record<number, string>} */
    const names = {};
    for (const a of applications) {
      titles[a.offer_id] ??= (await api.offer(a.offer_id)).title;
      names[a.student_id] ??= await api.studentName(a.student_id);
    }
    return { applications, titles, names };
  });
  return html`
    <section aria-labelledby="pipeline-heading">
      <h1 id="pipeline-heading">${t('pipeline.heading')}</h1>
      <p class="muted">${account.display_name}</p>
      <${Loading} ...${board} />
      ${board.value && html`
        <div class="board">${COLUMNS.map((statuses) => html`
          <section class="column" aria-labelledby=${`column-${statuses[0]}`}>
            <h2 id=${`column-${statuses[0]}`}>${statuses.map((s) => t(`status.${s}`)).join(' / ')}</h2>
            <ul>${(board.value?.applications ?? []).filter((a) => /** @type {readonly string[]} */ (statuses).includes(a.status)).map((a) => html`
              <li class="card">
                <${PipelineCard} application=${a} name=${board.value?.names[a.student_id] ?? ''}
                  title=${board.value?.titles[a.offer_id] ?? ''} onMoved=${board.reload} />
              </li>`)}
            </ul>
          </section>`)}
        </div>`}
    </section>`;
}

/** @param {{application: import('../api.js').Application, name: string, title: string, onMoved: () => void}} props */
function PipelineCard({ application: a, name, title, onMoved }) {
  const [to, setTo] = useState(/** @type {ApplicationStatus | ''} */ (''));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  /** @param {Event} event */
  async function move(event) {
    event.preventDefault();
    if (!to) return;
    try {
      await api.move(a.id, to);
      setError(null);
      onMoved();
    } catch (e) {
      setError(problemText(e));
    }
  }
  return html`
    <p class="card-title">${name}</p>
    <p class="muted">${title} · ${percent(a.score)}</p>
    ${a.allowed_moves.length > 0 && html`
      <form class="inline" onSubmit=${move}>
        <label>${t('pipeline.move_to')} <span class="visually-hidden">(${name})</span>
          <select value=${to} onChange=${(/** @type {any} */ e) => setTo(e.currentTarget.value)}>
            <option value="">–</option>
            ${a.allowed_moves.map((s) => html`<option value=${s}>${t(`status.${s}`)}</option>`)}
          </select>
        </label>
        <button type="submit">${t('pipeline.move')}<span class="visually-hidden"> (${name})</span></button>
      </form>`}
    <${ErrorNote} error=${error} />`;
}
