// The student's own profile: what they look for, their skills with levels,
// the consent to be found by recruiters (with its history), and the rights
// of law 09-08: export everything held, erase it.
import { html } from '../html.js';
import { useState } from '../vendor/hooks.module.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { useLoad, Loading, ErrorNote, problemText, violations, when } from './common.js';

/** @typedef {import('../api.js').StudentProfile} StudentProfile */
/** @typedef {import('../api.js').SkillLevel} SkillLevel */

/** @param {{account: import('../api.js').Account, onErased: () => void}} props */
export function StudentProfileView({ account, onErased }) {
  const profile = useLoad(() => api.myProfile());
  return html`
    <section aria-labelledby="profile-heading">
      <h1 id="profile-heading">${t('profile.heading')}</h1>
      <${Loading} ...${profile} />
      ${profile.value && html`
        <p>${profile.value.programme} · ${profile.value.degree_level} · ${profile.value.graduation_year}</p>
        <${Preferences} profile=${profile.value} onSaved=${profile.reload} key=${`p-${profile.value.id}`} />
        <${Skills} profile=${profile.value} onSaved=${profile.reload} key=${profile.value.skills.map((s) => `${s.skill}:${s.level}`).join()} />
        <${Consents} profile=${profile.value} />
        <${OwnData} studentId=${account.student_id ?? 0} onErased=${onErased} />`}
    </section>`;
}

/** @param {{profile: StudentProfile, onSaved: () => void}} props */
function Preferences({ profile, onSaved }) {
  const [kinds, setKinds] = useState(profile.wanted_kinds);
  const [cities, setCities] = useState(profile.cities.join(', '));
  const [remote, setRemote] = useState(profile.remote_ok);
  const [seeking, setSeeking] = useState(profile.seeking);
  const [discoverable, setDiscoverable] = useState(profile.discoverable);
  const [bio, setBio] = useState(profile.bio);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [saved, setSaved] = useState(false);

  /** @param {'internship' | 'work_study'} kind @param {boolean} on */
  const toggle = (kind, on) => setKinds(on ? [...kinds.filter((k) => k !== kind), kind] : kinds.filter((k) => k !== kind));

  /** @param {Event} event */
  async function save(event) {
    event.preventDefault();
    try {
      const list = cities.split(',').map((c) => c.trim()).filter((c) => c);
      await api.changeProfile(profile.id, { wanted_kinds: kinds, cities: list, remote_ok: remote, seeking, discoverable, bio });
      setError(null);
      setSaved(true);
      onSaved();
    } catch (e) {
      setSaved(false);
      const byField = violations(e);
      setError(Object.keys(byField).length ? Object.entries(byField).map(([f, m]) => `${f}: ${m}`).join(' · ') : problemText(e));
    }
  }

  return html`
    <form class="profile" onSubmit=${save}>
      <h2>${t('profile.preferences')}</h2>
      <fieldset>
        <legend>${t('profile.kinds')}</legend>
        ${/** @type {const} */ (['internship', 'work_study']).map((kind) => html`
          <label class="check"><input type="checkbox" checked=${kinds.includes(kind)}
            onChange=${(/** @type {any} */ e) => toggle(kind, e.currentTarget.checked)} /> ${t(`kind.${kind}`)}</label>`)}
      </fieldset>
      <label>${t('profile.cities')}
        <input value=${cities} onInput=${(/** @type {any} */ e) => setCities(e.currentTarget.value)} />
      </label>
      <label class="check"><input type="checkbox" checked=${remote} onChange=${(/** @type {any} */ e) => setRemote(e.currentTarget.checked)} /> ${t('profile.remote')}</label>
      <label class="check"><input type="checkbox" checked=${seeking} onChange=${(/** @type {any} */ e) => setSeeking(e.currentTarget.checked)} /> ${t('profile.seeking')}</label>
      <label class="check"><input type="checkbox" checked=${discoverable} onChange=${(/** @type {any} */ e) => setDiscoverable(e.currentTarget.checked)} /> ${t('profile.discoverable')}</label>
      <label>${t('profile.bio')}
        <textarea rows="3" maxlength="2000" value=${bio} onInput=${(/** @type {any} */ e) => setBio(e.currentTarget.value)}></textarea>
      </label>
      <button type="submit">${t('profile.save')}</button>
      ${saved && html`<p role="status" class="ok">${t('profile.saved')}</p>`}
      <${ErrorNote} error=${error} />
    </form>`;
}

/** @param {{profile: StudentProfile, onSaved: () => void}} props */
function Skills({ profile, onSaved }) {
  const [rows, setRows] = useState(/** @type {SkillLevel[]} */ (profile.skills.map((s) => ({ skill: s.skill, level: s.level }))));
  const [fieldErrors, setFieldErrors] = useState(/** @type {Record<string, string>} */ ({}));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [saved, setSaved] = useState(false);
  const [pasted, setPasted] = useState('');
  const [found, setFound] = useState(/** @type {{slug: string, label_fr: string, label_en: string}[] | null} */ (null));
  /** @param {number} i @param {Partial<SkillLevel>} change */
  const edit = (i, change) => setRows(rows.map((r, j) => (j === i ? { ...r, ...change } : r)));
  const suggest = () => api.suggestSkills(pasted).then((skills) => { setFound(skills); setError(null); }, (e) => setError(problemText(e)));
  const held = (/** @type {string} */ slug) => rows.some((r) => r.skill === slug);

  /** @param {Event} event */
  async function save(event) {
    event.preventDefault();
    try {
      await api.replaceSkills(profile.id, rows.filter((r) => r.skill.trim()));
      setFieldErrors({});
      setError(null);
      setSaved(true);
      onSaved();
    } catch (e) {
      setSaved(false);
      setFieldErrors(violations(e));
      setError(problemText(e));
    }
  }

  return html`
    <form onSubmit=${save}>
      <h2>${t('profile.skills')}</h2>
      <table>
        <thead><tr><th scope="col">${t('profile.skill')}</th><th scope="col">${t('profile.level')}</th><th scope="col"><span class="visually-hidden">${t('profile.remove')}</span></th></tr></thead>
        <tbody>${rows.map((row, i) => html`
          <tr>
            <td><input aria-label=${`${t('profile.skill')} ${i + 1}`} value=${row.skill}
              onInput=${(/** @type {any} */ e) => edit(i, { skill: e.currentTarget.value })} />
              ${fieldErrors[`skills[${i}].skill`] && html`<span class="error"> ${fieldErrors[`skills[${i}].skill`]}</span>`}</td>
            <td><select aria-label=${`${t('profile.level')} ${row.skill || i + 1}`} value=${row.level}
              onChange=${(/** @type {any} */ e) => edit(i, { level: Number(e.currentTarget.value) })}>
              ${[1, 2, 3, 4, 5].map((l) => html`<option value=${l}>${l} – ${t(`level.${l}`)}</option>`)}
            </select></td>
            <td><button type="button" class="secondary" onClick=${() => setRows(rows.filter((_, j) => j !== i))}>${t('profile.remove')}<span class="visually-hidden"> ${row.skill}</span></button></td>
          </tr>`)}
        </tbody>
      </table>
      <p class="actions">
        <button type="button" class="secondary" onClick=${() => setRows([...rows, { skill: '', level: 3 }])}>${t('profile.add_skill')}</button>
        <button type="submit">${t('profile.save_skills')}</button>
      </p>
      <label>${t('profile.paste')}
        <textarea rows="3" maxlength="20000" value=${pasted} onInput=${(/** @type {any} */ e) => setPasted(e.currentTarget.value)}></textarea>
      </label>
      <p><button type="button" class="secondary" onClick=${suggest}>${t('profile.suggest')}</button></p>
      ${found && html`
        <ul class="suggestions" aria-label=${t('profile.suggestions')}>${found.map((f) => html`
          <li>${document.documentElement.lang === 'en' ? f.label_en : f.label_fr}
            ${held(f.slug)
              ? html` <span class="muted">(${t('profile.held')})</span>`
              : html` <button type="button" class="secondary" onClick=${() => setRows([...rows, { skill: f.slug, level: 3 }])}>${t('profile.add')}<span class="visually-hidden"> ${f.slug}</span></button>`}
          </li>`)}
        </ul>`}
      ${saved && html`<p role="status" class="ok">${t('profile.saved')}</p>`}
      <${ErrorNote} error=${error} />
    </form>`;
}

/** @param {{profile: StudentProfile}} props */
function Consents({ profile }) {
  return html`
    <h2>${t('profile.consents')}</h2>
    <ul>${(profile.consents ?? []).map((c) => html`
      <li><time datetime=${c.at}>${when(c.at)}</time> · ${t(`consent.${c.consent}`)} – ${c.granted ? t('consent.granted') : t('consent.withdrawn')}</li>`)}
    </ul>`;
}

/** @param {{studentId: number, onErased: () => void}} props */
function OwnData({ studentId, onErased }) {
  const [sure, setSure] = useState(false);
  const [error, setError] = useState(/** @type {string | null} */ (null));
  /** @param {() => Promise<void>} action */
  const run = (action) => action().then(() => setError(null), (e) => setError(problemText(e)));
  return html`
    <h2>${t('profile.own_data')}</h2>
    <p><button type="button" class="secondary" onClick=${() => run(() => api.exportData(studentId))}>${t('profile.export')}</button></p>
    <p class="muted">${t('profile.erase_warning')}</p>
    <label class="check"><input type="checkbox" checked=${sure} onChange=${(/** @type {any} */ e) => setSure(e.currentTarget.checked)} /> ${t('profile.erase_confirm')}</label>
    <p><button type="button" class="danger" disabled=${!sure} onClick=${() => run(async () => { await api.erase(studentId); onErased(); })}>${t('profile.erase')}</button></p>
    <${ErrorNote} error=${error} />`;
}
