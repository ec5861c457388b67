// The career office imports its roster as CSV. The API checks every row
// first and imports nothing when one is bad; the portal shows the file's
// lines with each refusal next to the line it names.
import { html } from '../html.js';
import { useState } from '../vendor/hooks.module.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { ErrorNote, problemText } from './common.js';

/** The header the importer reads, for a file started from scratch. */
const HEADER = 'student_number,first_name,last_name,email,programme,degree_level,graduation_year';

/**
 * The violations of a refused import by line number: the API names each
 * bad cell `line N.column` (the header being line 1).
 * @param {unknown} e
 * @returns {Record<number, string[]>}
 */
export function errorsByLine(e) {
  /** @type {Record<number, string[]>} */
  const byLine = {};
  if (!(e instanceof api.ApiProblem)) return byLine;
  for (const v of e.problem?.errors ?? []) {
    const found = /^line (\d+)(?:\.(.+))?$/.exec(v.field);
    if (!found) continue;
    const line = Number(found[1]);
    (byLine[line] ??= []).push(found[2] ? `${found[2]}: ${v.message}` : v.message);
  }
  return byLine;
}

/** @param {{account: import('../api.js').Account}} props */
export function RosterImport({ account }) {
  const [text, setText] = useState(`${HEADER}\n`);
  const [byLine, setByLine] = useState(/** @type {Record<number, string[]>} */ ({}));
  const [result, setResult] = useState(/** @type {import('../api.js').RosterImport | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));

  /** @param {any} event */
  async function readFile(event) {
    const file = event.currentTarget.files?.[0];
    if (file) setText(await file.text());
  }

  /** @param {Event} event */
  async function submit(event) {
    event.preventDefault();
    try {
      setResult(await api.importRoster(account.school_id ?? 0, text));
      setByLine({});
      setError(null);
    } catch (e) {
      setResult(null);
      setByLine(errorsByLine(e));
      setError(problemText(e));
    }
  }

  const lines = text.split(/\r?\n/);
  const refused = Object.keys(byLine).length > 0;
  return html`
    <section aria-labelledby="roster-heading">
      <h1 id="roster-heading">${t('roster.heading')}</h1>
      <p class="muted">${t('roster.intro')}</p>
      <form onSubmit=${submit}>
        <label>${t('roster.file')} <input type="file" accept=".csv,text/csv" onChange=${readFile} /></label>
        <label>${t('roster.text')}
          <textarea rows="8" class="mono" value=${text} onInput=${(/** @type {any} */ e) => setText(e.currentTarget.value)}></textarea>
        </label>
        <button type="submit">${t('roster.import')}</button>
      </form>
      ${result && html`<p role="status" class="ok">${t('roster.done')} ${result.rows} · ${t('roster.created')} ${result.created} · ${t('roster.updated')} ${result.updated}</p>`}
      <${ErrorNote} error=${error} />
      ${refused && html`
        <table>
          <caption>${t('roster.lines')}</caption>
          <thead><tr><th scope="col">${t('roster.line')}</th><th scope="col">${t('roster.content')}</th><th scope="col">${t('roster.problems')}</th></tr></thead>
          <tbody>${lines.map((content, i) => ({ content, line: i + 1 })).filter(({ content, line }) => content || byLine[line]).map(({ content, line }) => html`
            <tr class=${byLine[line] ? 'bad' : ''}>
              <th scope="row">${line}</th><td class="mono">${content}</td>
              <td>${(byLine[line] ?? []).map((m) => html`<span class="error">${m}</span> `)}</td>
            </tr>`)}
          </tbody>
        </table>`}
    </section>`;
}
