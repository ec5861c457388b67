// Small inline-SVG drawings: a match explanation as bars (met, partial,
// missing) and a horizontal bar chart. SVG attributes, not style attributes,
// carry the sizes, so the strict CSP (no inline style) holds. Every drawing
// has a text equivalent next to it; colour is never the only cue.
import { html } from '../html.js';
import { t } from '../i18n.js';

/** @typedef {import('../api.js').Explanation} Explanation */

/**
 * One row per requirement of the offer: how much of its weight the student
 * earns, drawn against the full weight.
 * @param {Explanation} explanation
 */
export function requirementRows(explanation) {
  return [
    ...explanation.met.map((c) => ({ skill: c.skill, state: 'met', held: c.student_level, level: c.required_level, share: 1, required: c.required })),
    ...explanation.partially_met.map((c) => ({
      skill: c.skill, state: 'partial', held: c.student_level, level: c.required_level,
      share: c.weight > 0 ? c.credit / c.weight : 0, required: c.required,
    })),
    ...explanation.missing_required.map((m) => ({ skill: m.skill, state: 'missing', held: 0, level: m.required_level, share: 0, required: true })),
    ...explanation.missing_preferred.map((m) => ({ skill: m.skill, state: 'missing', held: 0, level: m.required_level, share: 0, required: false })),
  ];
}

/** @param {{explanation: Explanation, caption: string}} props */
export function ExplanationBars({ explanation, caption }) {
  const rows = requirementRows(explanation);
  return html`
    <figure class="explanation">
      <figcaption>${caption}</figcaption>
      <ul class="bars">${rows.map((row) => html`
        <li class=${`bar-row ${row.state}`}>
          <span class="bar-skill">${row.skill}${row.required ? '' : html` <span class="muted">(${t('match.preferred')})</span>`}</span>
          <svg class="bar" viewBox="0 0 100 12" width="160" height="14" aria-hidden="true" focusable="false">
            <rect class="bar-track" x="0" y="1" width="100" height="10" rx="2" />
            <rect class="bar-fill" x="0" y="1" width=${Math.round(row.share * 100)} height="10" rx="2" />
          </svg>
          <span class="bar-state">${t(`match.${row.state}`)} · ${t('match.level')} ${row.held}/${row.level}</span>
        </li>`)}
      </ul>
      ${explanation.failed_filters.length > 0 && html`
        <p class="error">${t('match.failed_filters')}: ${explanation.failed_filters.map((f) => t(`filter.${f}`)).join(', ')}</p>`}
    </figure>`;
}

/**
 * A horizontal bar chart of values from 0 to `max`; a null value is a
 * withheld cell, drawn as such.
 * @param {{title: string, rows: {label: string, value: number | null, text: string}[], max?: number}} props
 */
export function BarChart({ title, rows, max = 1 }) {
  const rowHeight = 28;
  const labelWidth = 330;
  const width = 760;
  const scale = (/** @type {number} */ v) => (max > 0 ? Math.round(((width - labelWidth - 90) * v) / max) : 0);
  const summary = `${title}: ${rows.map((r) => `${r.label} ${r.text}`).join('; ')}`;
  return html`
    <figure class="chart">
      <figcaption>${title}</figcaption>
      <svg viewBox=${`0 0 ${width} ${rows.length * rowHeight + 4}`} width=${width} height=${rows.length * rowHeight + 4}
        role="img" aria-label=${summary}>
        ${rows.map((row, i) => html`
          <g transform=${`translate(0 ${i * rowHeight + 2})`}>
            <text class="chart-label" x="0" y="16">${row.label.length > 36 ? `${row.label.slice(0, 35)}…` : row.label}</text>
            ${row.value === null
              ? html`<rect class="chart-withheld" x=${labelWidth} y="3" width="60" height="18" />`
              : html`<rect class="chart-bar" x=${labelWidth} y="3" width=${scale(row.value)} height="18" />`}
            <text class="chart-value" x=${labelWidth + (row.value === null ? 66 : scale(row.value) + 6)} y="16">${row.text}</text>
          </g>`)}
      </svg>
    </figure>`;
}

/** @param {number | null | undefined} rate a share from 0 to 1 */
export function percent(rate) {
  return rate === null || rate === undefined ? '–' : `${Math.round(rate * 1000) / 10} %`;
}
