// A recruiter writes an offer: a new draft, or changes to a draft or an open
// offer. The API's refusals are shown next to the fields they name.
import { html } from '../html.js';
import { useState } from '../vendor/hooks.module.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { ErrorNote, problemText, violations } from './common.js';

/** @typedef {import('../api.js').Offer} Offer */
/** @typedef {import('../api.js').OfferDraft} OfferDraft */
/** @typedef {OfferDraft['requirements'][number]} Requirement */

/** @param {Offer | null} offer @returns {OfferDraft} */
function draftOf(offer) {
  return {
    kind: offer?.kind ?? 'internship',
    title: offer?.title ?? '',
    description: offer?.description ?? '',
    city: offer?.city ?? '',
    work_mode: offer?.work_mode ?? 'on_site',
    start_date: offer?.start_date ?? null,
    deadline: offer?.deadline ?? null,
    duration_months: offer?.duration_months ?? 6,
    positions: offer?.positions ?? 1,
    requirements: (offer?.requirements ?? []).map((r) => ({ skill: r.skill, min_level: r.min_level, weight: r.weight, required: r.required })),
  };
}

/** @param {{offer: Offer | null, onSaved: () => void, onCancel: () => void}} props */
export function OfferForm({ offer, onSaved, onCancel }) {
  const [draft, setDraft] = useState(draftOf(offer));
  const [fieldErrors, setFieldErrors] = useState(/** @type {Record<string, string>} */ ({}));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  /** @param {Partial<OfferDraft>} change */
  const set = (change) => setDraft({ ...draft, ...change });
  /** @param {number} i @param {Partial<Requirement>} change */
  const setRequirement = (i, change) => set({ requirements: draft.requirements.map((r, j) => (j === i ? { ...r, ...change } : r)) });
  const note = (/** @type {string} */ field) => fieldErrors[field] && html`<span class="error">${fieldErrors[field]}</span>`;
  const value = (/** @type {any} */ e) => e.currentTarget.value;

  /** @param {Event} event */
  async function save(event) {
    event.preventDefault();
    const sent = { ...draft, start_date: draft.start_date || null, deadline: draft.deadline || null };
    try {
      if (offer) await api.changeOffer(offer.id, sent);
      else await api.createOffer(sent);
      onSaved();
    } catch (e) {
      setFieldErrors(violations(e));
      setError(problemText(e));
    }
  }

  return html`
    <form class="offer-form" onSubmit=${save} aria-labelledby="offer-form-heading">
      <h2 id="offer-form-heading">${offer ? `${t('offer_form.edit')} – ${offer.title}` : t('offer_form.new')}</h2>
      <label>${t('offer.title')} <input required value=${draft.title} onInput=${(/** @type {any} */ e) => set({ title: value(e) })} />${note('title')}</label>
      <label>${t('offer_form.description')}
        <textarea rows="4" value=${draft.description} onInput=${(/** @type {any} */ e) => set({ description: value(e) })}></textarea>${note('description')}</label>
      <div class="row">
        <label>${t('offer_form.kind')}
          <select value=${draft.kind} onChange=${(/** @type {any} */ e) => set({ kind: value(e) })}>
            <option value="internship">${t('kind.internship')}</option><option value="work_study">${t('kind.work_study')}</option>
          </select></label>
        <label>${t('offer_form.city')} <input required value=${draft.city} onInput=${(/** @type {any} */ e) => set({ city: value(e) })} />${note('city')}</label>
        <label>${t('offer_form.work_mode')}
          <select value=${draft.work_mode} onChange=${(/** @type {any} */ e) => set({ work_mode: value(e) })}>
            ${/** @type {const} */ (['on_site', 'hybrid', 'remote']).map((m) => html`<option value=${m}>${t(`work_mode.${m}`)}</option>`)}
          </select></label>
      </div>
      <div class="row">
        <label>${t('offer_form.start_date')} <input type="date" value=${draft.start_date ?? ''} onInput=${(/** @type {any} */ e) => set({ start_date: value(e) })} />${note('start_date')}</label>
        <label>${t('offer_form.deadline')} <input type="date" value=${draft.deadline ?? ''} onInput=${(/** @type {any} */ e) => set({ deadline: value(e) })} />${note('deadline')}</label>
        <label>${t('offer_form.duration')} <input type="number" min="1" max="36" value=${draft.duration_months ?? ''} onInput=${(/** @type {any} */ e) => set({ duration_months: Number(value(e)) || null })} />${note('duration_months')}</label>
        <label>${t('offer_form.positions')} <input type="number" min="1" max="500" value=${draft.positions} onInput=${(/** @type {any} */ e) => set({ positions: Number(value(e)) })} />${note('positions')}</label>
      </div>
      <fieldset>
        <legend>${t('offer_form.requirements')}</legend>
        ${note('requirements')}
        ${draft.requirements.map((r, i) => html`
          <div class="row">
            <label>${t('profile.skill')} ${i + 1} <input value=${r.skill} onInput=${(/** @type {any} */ e) => setRequirement(i, { skill: value(e) })} />${note(`requirements[${i}].skill`)}</label>
            <label>${t('profile.level')} <input type="number" min="1" max="5" value=${r.min_level} onInput=${(/** @type {any} */ e) => setRequirement(i, { min_level: Number(value(e)) })} /></label>
            <label>${t('offer_form.weight')} <input type="number" min="1" max="5" value=${r.weight} onInput=${(/** @type {any} */ e) => setRequirement(i, { weight: Number(value(e)) })} /></label>
            <label class="check"><input type="checkbox" checked=${r.required} onChange=${(/** @type {any} */ e) => setRequirement(i, { required: e.currentTarget.checked })} /> ${t('offer_form.required')}</label>
            <button type="button" class="secondary" onClick=${() => set({ requirements: draft.requirements.filter((_, j) => j !== i) })}>${t('profile.remove')}<span class="visually-hidden"> ${r.skill}</span></button>
          </div>`)}
        <button type="button" class="secondary" onClick=${() => set({ requirements: [...draft.requirements, { skill: '', min_level: 3, weight: 3, required: false }] })}>${t('offer_form.add_requirement')}</button>
      </fieldset>
      <p class="actions">
        <button type="submit">${offer ? t('offer_form.save') : t('offer_form.create')}</button>
        <button type="button" class="secondary" onClick=${onCancel}>${t('offer_form.cancel')}</button>
      </p>
      <${ErrorNote} error=${error} />
    </form>`;
}
