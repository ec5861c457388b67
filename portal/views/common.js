// What every view shares: loading from the API, and showing its refusals.
import { html } from '../html.js';
import { useState, useEffect } from '../vendor/hooks.module.js';
import { t } from '../i18n.js';
import * as api from '../api.js';

/**
 * Loads `load()` when the view appears and whenever `reload` is called; the
 * value is null until the first answer.
 * @template T
 * @param {() => Promise<T>} load
 * @param {unknown[]} [deps]
 * @returns {{value: T | null, error: string | null, reload: () => void}}
 */
export function useLoad(load, deps = []) {
  const [value, setValue] = useState(/** @type {T | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (v) => { if (live) { setValue(v); setError(null); } },
      (e) => { if (live) setError(problemText(e)); },
    );
    return () => { live = false; };
  }, [round, ...deps]);
  return { value, error, reload: () => setRound((r) => r + 1) };
}

/** @param {unknown} e what a call threw, as a sentence for the reader */
export function problemText(e) {
  return e instanceof api.ApiProblem ? e.message : t('error.network');
}

/** @param {{error: string | null}} props */
export function ErrorNote({ error }) {
  return error ? html`<p class="error" role="alert">${error}</p>` : null;
}

/** @param {{value: unknown, error: string | null}} props */
export function Loading({ value, error }) {
  if (error) return html`<${ErrorNote} error=${error} />`;
  return value === null ? html`<p class="muted" role="status">${t('loading')}</p>` : null;
}

/** @param {string} iso a date-time @returns {string} the date and time in the portal's language */
export function when(iso) {
  return new Date(iso).toLocaleString(document.documentElement.lang === 'en' ? 'en-GB' : 'fr-FR', { dateStyle: 'medium', timeStyle: 'short' });
}

/** The span of the dashboards: the last twelve months, today included. */
export function lastYear() {
  const to = new Date();
  const from = new Date(to);
  from.setFullYear(to.getFullYear() - 1);
  const day = (/** @type {Date} */ d) => d.toISOString().slice(0, 10);
  return { from: day(from), to: day(to) };
}

/** @param {{path: string, name: string}} props download buttons for a report in CSV and XLSX */
export function Downloads({ path, name }) {
  const [error, setError] = useState(/** @type {string | null} */ (null));
  /** @param {'csv' | 'xlsx'} format */
  const get = (format) => api.download(path, format, `${name}.${format}`).then(() => setError(null), (e) => setError(problemText(e)));
  return html`
    <p class="downloads">
      <button type="button" class="secondary" onClick=${() => get('csv')}>${t('download.csv')}</button>
      <button type="button" class="secondary" onClick=${() => get('xlsx')}>${t('download.xlsx')}</button>
    </p>
    <${ErrorNote} error=${error} />`;
}

/**
 * The field-by-field violations of a refused change, as a map from the
 * field's JSON path to its message; empty for other problems.
 * @param {unknown} e
 * @returns {Record<string, string>}
 */
export function violations(e) {
  /** @type {Record<string, string>} */
  const byField = {};
  if (e instanceof api.ApiProblem) for (const v of e.problem?.errors ?? []) byField[v.field] = v.message;
  return byField;
}

/**
 * The calendar months of the last year, oldest first, the current one cut at
 * today: `{month: '2026-03', from, to}`.
 */
export function lastMonths(count = 12) {
  const today = new Date();
  const day = (/** @type {Date} */ d) => d.toISOString().slice(0, 10);
  const months = [];
  for (let back = count - 1; back >= 0; back -= 1) {
    const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - back, 1));
    const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0));
    months.push({ month: day(first).slice(0, 7), from: day(first), to: day(last > today ? today : last) });
  }
  return months;
}
