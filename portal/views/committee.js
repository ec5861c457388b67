// The committee's network dashboard: placement rates by school, kind and
// month, and the skills gap (demand against supply). The API withholds small
// groups from the committee; a withheld cell says so instead of showing a
// number or a zero.
import { html } from '../html.js';
import { t, language } from '../i18n.js';
import * as api from '../api.js';
import { BarChart, percent } from './charts.js';
import { useLoad, Loading, Downloads, lastYear } from './common.js';
import { FiguresTable, rateRows } from './school.js';

/**
 * A skill's name in the portal's language.
 * @param {{label_fr: string, label_en: string}} skill
 */
const skillLabel = (skill) => (language() === 'en' ? skill.label_en : skill.label_fr);

/** @typedef {import('../api.js').Account} Account */

/** @param {{account: Account}} props */
export function NetworkDashboard({ account }) {
  const span = { ...lastYear(), period: /** @type {const} */ ('month') };
  const rates = useLoad(() => api.placementRates(span));
  const gap = useLoad(() => api.skillsGap({ from: span.from, to: span.to }));
  const kind = (/** @type {string} */ g) => t(`kind.${g}`);
  const same = (/** @type {string} */ g) => g;
  const r = rates.value;
  const skills = (gap.value?.skills ?? []).slice(0, 12);
  const most = Math.max(1, ...skills.map((s) => s.demand));
  return html`
    <section aria-labelledby="network-heading">
      <h1 id="network-heading">${t('network.heading')}</h1>
      <p class="muted">${account.display_name} · ${span.from} → ${span.to}</p>
      <p class="note">${t('network.withheld_note')}</p>
      <${Loading} ...${rates} />
      ${r && html`
        <${FiguresTable} caption=${t('network.overall')} groups=${[{ group: t('network.all_schools'), figures: r.overall }]} label=${same} />
        <${BarChart} title=${t('network.rate_by_school')} rows=${rateRows(r.schools.map((s) => ({ group: s.code, figures: s.figures })), same)} />
        <${FiguresTable} caption=${t('network.by_school')} groups=${r.schools.map((s) => ({ group: s.name, figures: s.figures }))} label=${same} />
        <${FiguresTable} caption=${t('network.by_kind')} groups=${r.by_kind} label=${kind} />
        <${BarChart} title=${t('network.rate_by_month')} rows=${rateRows(r.periods.map((p) => ({ group: p.period, figures: p.figures })), same)} />
        <${FiguresTable} caption=${t('network.by_period')} groups=${r.periods.map((p) => ({ group: p.period, figures: p.figures }))} label=${same} />
        <${Downloads} path=${api.placementRatesPath(span)} name=${`placement-rates-${span.from}-${span.to}`} />`}
      <h2>${t('gap_report.heading')}</h2>
      <${Loading} ...${gap} />
      ${gap.value && html`
        <${BarChart} title=${t('gap_report.demand')} max=${most}
          rows=${skills.map((s) => ({ label: skillLabel(s), value: s.demand, text: String(s.demand) }))} />
        <${BarChart} title=${t('gap_report.supply')} max=${most}
          rows=${skills.map((s) => ({ label: skillLabel(s), value: s.suppressed ? null : s.supply ?? 0, text: s.suppressed ? t('figures.withheld') : String(s.supply ?? 0) }))} />
        <table>
          <caption>${t('gap_report.caption')}</caption>
          <thead><tr><th scope="col">${t('gap_report.skill')}</th><th scope="col">${t('gap_report.level')}</th>
            <th scope="col">${t('gap_report.demand_col')}</th><th scope="col">${t('gap_report.supply_col')}</th></tr></thead>
          <tbody>${skills.map((s) => html`
            <tr><th scope="row">${skillLabel(s)}</th><td>${s.level}</td><td>${s.demand}</td>
              ${s.suppressed ? html`<td class="withheld">${t('figures.withheld')}</td>` : html`<td>${s.supply ?? '–'}</td>`}</tr>`)}
          </tbody>
        </table>
        <${Downloads} path=${api.skillsGapPath({ from: span.from, to: span.to })} name=${`skills-gap-${span.from}-${span.to}`} />`}
    </section>`;
}
