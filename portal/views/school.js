// The career office's views: its students, and the placement dashboard
// (rate by programme and by kind, drawn and tabled, with downloads).
import { html } from '../html.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { BarChart, percent } from './charts.js';
import { useLoad, Loading, Downloads, lastYear, lastMonths } from './common.js';

/** @typedef {import('../api.js').Account} Account */
/** @typedef {import('../api.js').Figures} Figures */

/** @param {{account: Account}} props */
export function SchoolStudents({ account }) {
  const list = useLoad(() => api.students());
  return html`
    <section aria-labelledby="students-heading">
      <h1 id="students-heading">${t('students.heading')}</h1>
      <p class="muted">${account.display_name}</p>
      <${Loading} ...${list} />
      <table>
        <thead><tr><th scope="col">${t('students.name')}</th><th scope="col">${t('students.programme')}</th>
          <th scope="col">${t('students.year')}</th><th scope="col">${t('students.seeking')}</th><th scope="col">${t('students.skills')}</th></tr></thead>
        <tbody>${(list.value ?? []).map((s) => html`
          <tr><td>${s.first_name} ${s.last_name}</td><td>${s.programme}</td><td>${s.graduation_year}</td>
            <td>${s.seeking ? t('yes') : t('no')}</td><td>${s.skills.length}</td></tr>`)}
        </tbody>
      </table>
    </section>`;
}

/** @param {{groups: {group: string, figures: Figures}[], label: (group: string) => string, caption: string}} props */
export function FiguresTable({ groups, label, caption }) {
  const cell = (/** @type {Figures} */ f, /** @type {string} */ text) => (f.suppressed ? html`<td class="withheld">${t('figures.withheld')}</td>` : html`<td>${text}</td>`);
  return html`
    <table>
      <caption>${caption}</caption>
      <thead><tr><th scope="col">${t('figures.group')}</th><th scope="col">${t('figures.seeking')}</th>
        <th scope="col">${t('figures.placed')}</th><th scope="col">${t('figures.rate')}</th><th scope="col">${t('figures.offers_received')}</th></tr></thead>
      <tbody>${groups.map(({ group, figures: f }) => html`
        <tr><th scope="row">${label(group)}</th>${cell(f, String(f.students_seeking ?? '–'))}${cell(f, String(f.students_placed ?? '–'))}
          ${cell(f, percent(f.placement_rate))}${cell(f, String(f.offers_received ?? '–'))}</tr>`)}
      </tbody>
    </table>`;
}

/** @param {{group: string, figures: Figures}[]} groups @param {(group: string) => string} label */
export function rateRows(groups, label) {
  return groups.map(({ group, figures: f }) => ({
    label: label(group),
    value: f.suppressed ? null : f.placement_rate ?? 0,
    text: f.suppressed ? t('figures.withheld') : percent(f.placement_rate),
  }));
}

/** @param {{account: Account}} props */
export function SchoolDashboard({ account }) {
  const schoolId = account.school_id ?? 0;
  const span = lastYear();
  const byProgramme = useLoad(() => api.schoolStats(schoolId, { ...span, group_by: 'programme' }));
  const byKind = useLoad(() => api.schoolStats(schoolId, { ...span, group_by: 'kind' }));
  // The statistics have no monthly split for a school: one request per month,
  // each counting the signatures completed in it.
  const trend = useLoad(() => Promise.all(lastMonths().map(async (m) => ({ month: m.month, figures: (await api.schoolStats(schoolId, { from: m.from, to: m.to })).overall }))));
  const kind = (/** @type {string} */ g) => t(`kind.${g}`);
  const same = (/** @type {string} */ g) => g;
  const overall = byProgramme.value?.overall;
  const mostPlaced = Math.max(1, ...(trend.value ?? []).map((m) => m.figures.students_placed ?? 0));
  return html`
    <section aria-labelledby="dashboard-heading">
      <h1 id="dashboard-heading">${t('dashboard.heading')}</h1>
      <p class="muted">${account.display_name} · ${span.from} → ${span.to}</p>
      <${Loading} ...${byProgramme} />
      ${overall && html`
        <dl class="kpis">
          <div><dt>${t('figures.seeking')}</dt><dd>${overall.students_seeking ?? '–'}</dd></div>
          <div><dt>${t('figures.placed')}</dt><dd data-figure="placed">${overall.students_placed ?? '–'}</dd></div>
          <div><dt>${t('figures.rate')}</dt><dd>${percent(overall.placement_rate)}</dd></div>
          <div><dt>${t('figures.offers_received')}</dt><dd>${overall.offers_received ?? '–'}</dd></div>
        </dl>`}
      ${byProgramme.value && html`
        <${BarChart} title=${t('dashboard.rate_by_programme')} rows=${rateRows(byProgramme.value.groups, same)} />
        <${FiguresTable} caption=${t('dashboard.by_programme')} groups=${byProgramme.value.groups} label=${same} />
        <${Downloads} path=${api.schoolStatsPath(schoolId, { ...span, group_by: 'programme' })} name=${`placement-stats-${span.from}-${span.to}`} />`}
      ${byKind.value && html`
        <${BarChart} title=${t('dashboard.rate_by_kind')} rows=${rateRows(byKind.value.groups, kind)} />
        <${FiguresTable} caption=${t('dashboard.by_kind')} groups=${byKind.value.groups} label=${kind} />`}
      ${trend.value && html`
        <${BarChart} title=${t('dashboard.trend')} max=${mostPlaced}
          rows=${trend.value.map((m) => ({ label: m.month, value: m.figures.students_placed ?? 0, text: String(m.figures.students_placed ?? 0) }))} />`}
    </section>`;
}
