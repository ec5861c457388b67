//! Placement statistics of a school, placement rates across the network and
//! the skills gap, in JSON or, with `Accept: text/csv`, CSV.
//!
//! The figures are defined once, on [`Figures`]; how they are computed lives
//! in `domain::reports`.

use crate::domain::ViolationCode;
use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::policy::{self, ReportAudience};
use crate::auth::Caller;
use crate::domain::reports::{
    buckets, by_school, effective_levels, gap_ratio, is_suppressed, Disclosure, Figures, GroupBy, Part, Period, Window,
};
use crate::domain::{OfferKind, Violation};
use crate::error::ApiError;
use crate::export::{Cell, ChartOf, CsvDialect};
use crate::store::reports::{self as store, Population};

/// Longest span a period report covers, in months: ten years of monthly buckets.
const MAX_SPAN_MONTHS: u32 = 120;

/// The form a report is asked in by `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// `application/json`.
    Json,
    /// `text/csv`.
    Csv,
    /// An Excel workbook: one formatted sheet, rates as percentages, and a
    /// placement-rate chart on the placement reports.
    Xlsx,
}

/// The layout of a CSV report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CsvDialectParam {
    /// UTF-8, `,`, LF, `.` decimals.
    Standard,
    /// UTF-8 with a byte order mark, `;`, CRLF, `,` decimals.
    Excel,
}

impl CsvDialectParam {
    /// The writer's dialect.
    pub fn dialect(self) -> CsvDialect {
        match self {
            CsvDialectParam::Standard => CsvDialect::Standard,
            CsvDialectParam::Excel => CsvDialect::Excel,
        }
    }
}

/// A report as a table, ready for a CSV file or a workbook.
#[derive(Debug)]
pub struct ReportTable {
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    /// The file name without extension, e.g. `placement-stats-ECC-2027`.
    pub stem: String,
    /// The sheet's name in a workbook, to be put in the caller's language
    /// (message `sheet-NAME`).
    pub sheet: &'static str,
    /// The chart beside the table in a workbook; its title is the name of
    /// its message (`chart-NAME`).
    pub chart: Option<ChartOf>,
}

/// The placement-rate chart of a table whose rows start with `labels` text columns.
fn placement_chart(labels: u16) -> Option<ChartOf> {
    Some(ChartOf { title: "placement-rate".into(), label_columns: 0..labels, value_column: labels + 2 })
}

/// How to split the students of a school.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupByParam {
    /// By the student's programme (from the roster).
    Programme,
    /// By offer kind: a student belongs to each kind they want or applied to.
    Kind,
    /// By offer domain: a student belongs to each domain they applied to.
    Domain,
}

impl GroupByParam {
    fn domain(self) -> GroupBy {
        match self {
            GroupByParam::Programme => GroupBy::Programme,
            GroupByParam::Kind => GroupBy::Kind,
            GroupByParam::Domain => GroupBy::Domain,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            GroupByParam::Programme => "programme",
            GroupByParam::Kind => "kind",
            GroupByParam::Domain => "domain",
        }
    }
}

/// The figures of one group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupFigures {
    /// The programme, offer kind (`internship`, `work_study`) or domain.
    #[schema(example = "internship")]
    pub group: String,
    pub figures: Figures,
}

fn suppress(audience: ReportAudience) -> bool {
    audience == ReportAudience::Anonymised
}

fn invalid(field: &str, message: &'static str) -> ApiError {
    ApiError::InvalidParameters(vec![Violation::new(
        field,
        ViolationCode::Invalid,
        crate::domain::Message::new(message),
    )])
}

fn check_order(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(), ApiError> {
    match (from, to) {
        (Some(from), Some(to)) if to < from => Err(invalid("to", "report-to-before-from")),
        _ => Ok(()),
    }
}

/// The asked span, or the twelve calendar months up to today; at most ten years.
pub(crate) fn span(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(NaiveDate, NaiveDate), ApiError> {
    check_order(from, to)?;
    let to = to.unwrap_or_else(|| Utc::now().date_naive());
    let from = match from {
        Some(from) => from,
        None => to.checked_sub_months(Months::new(11)).and_then(|d| d.with_day0(0)).unwrap_or(to),
    };
    if from.checked_add_months(Months::new(MAX_SPAN_MONTHS)).is_some_and(|limit| to >= limit) {
        return Err(invalid("from", "report-at-most-ten-years"));
    }
    Ok((from, to))
}

const FIGURE_COLUMNS: [&str; 8] = [
    "students_seeking",
    "students_placed",
    "placement_rate",
    "students_with_applications",
    "applications",
    "offers_received",
    "median_days_to_first_acceptance",
    "suppressed",
];

fn figure_cells(f: &Figures) -> Vec<Cell> {
    vec![
        Cell::figure(f.students_seeking),
        Cell::figure(f.students_placed),
        Cell::share(f.placement_rate),
        Cell::figure(f.students_with_applications),
        Cell::figure(f.applications),
        Cell::figure(f.offers_received),
        Cell::figure(f.median_days_to_first_acceptance),
        Cell::text(f.suppressed.to_string()),
    ]
}

/// Parameters of a school's placement statistics: a cohort, a period, or both.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SchoolStatsQuery {
    /// Graduation year: only the students of this cohort.
    #[param(example = 2027)]
    pub cohort: Option<i32>,
    /// First day of the period (inclusive): only activity from then.
    #[param(example = "2026-01-01")]
    pub from: Option<NaiveDate>,
    /// Last day of the period (inclusive): only activity until then.
    #[param(example = "2026-11-30")]
    pub to: Option<NaiveDate>,
    /// Also split the figures into groups.
    #[param(example = "kind", inline)]
    pub group_by: Option<GroupByParam>,
    /// The form of the answer, over `Accept`: `json`, `csv` or `xlsx` (an
    /// Excel workbook). CSV and workbooks come as an attachment with a file name.
    #[param(example = "xlsx", inline)]
    pub format: Option<ReportFormat>,
    /// The CSV layout: `standard` (the default: UTF-8, `,`, LF, `.` decimals)
    /// or `excel`, as a French Excel opens it (UTF-8 with a byte order mark,
    /// `;`, CRLF, `,` decimals). Ignored for other forms.
    #[param(example = "excel", inline)]
    pub csv_dialect: Option<CsvDialectParam>,
}

/// A school's placement statistics.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchoolPlacementStats {
    /// The school's code, for the file name of the CSV and workbook forms.
    #[serde(skip)]
    pub school_code: String,
    #[schema(example = 3)]
    pub school_id: i64,
    #[schema(example = 2027)]
    pub cohort: Option<i32>,
    #[schema(example = "2026-01-01")]
    pub from: Option<NaiveDate>,
    #[schema(example = "2026-11-30")]
    pub to: Option<NaiveDate>,
    /// `programme`, `kind` or `domain` when asked.
    #[schema(example = "kind")]
    pub group_by: Option<String>,
    /// The whole school (or cohort).
    pub overall: Figures,
    /// One entry per group, by name; kind and domain groups overlap (a student
    /// applying to both kinds is in both), so they need not add up to `overall`.
    pub groups: Vec<GroupFigures>,
}

/// Parameters of the network's placement rates.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlacementRatesQuery {
    /// First day (inclusive); by default the first day of the month eleven months before `to`.
    #[param(example = "2026-01-01")]
    pub from: Option<NaiveDate>,
    /// Last day (inclusive); by default today. At most ten years after `from`.
    #[param(example = "2026-11-30")]
    pub to: Option<NaiveDate>,
    /// Length of the buckets of `periods`: `month` (default), `quarter` or `year`.
    #[param(example = "quarter")]
    pub period: Option<Period>,
    /// Graduation year: only the students of this cohort.
    #[param(example = 2027)]
    pub cohort: Option<i32>,
    /// The form of the answer, over `Accept`: `json`, `csv` or `xlsx` (an
    /// Excel workbook). CSV and workbooks come as an attachment with a file name.
    #[param(example = "xlsx", inline)]
    pub format: Option<ReportFormat>,
    /// The CSV layout: `standard` (the default: UTF-8, `,`, LF, `.` decimals)
    /// or `excel`, as a French Excel opens it (UTF-8 with a byte order mark,
    /// `;`, CRLF, `,` decimals). Ignored for other forms.
    #[param(example = "excel", inline)]
    pub csv_dialect: Option<CsvDialectParam>,
}

/// One school's figures over the whole span.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchoolRates {
    #[schema(example = 3)]
    pub school_id: i64,
    #[schema(example = "ECC")]
    pub code: String,
    #[schema(example = "École Centrale Casablanca")]
    pub name: String,
    pub figures: Figures,
    /// By offer kind, every kind listed.
    pub by_kind: Vec<GroupFigures>,
}

/// The network's figures in one calendar bucket.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodFigures {
    /// `2026-03`, `2026-Q1` or `2026`.
    #[schema(example = "2026-03")]
    pub period: String,
    /// First day counted (the bucket's, or the span's when it starts later).
    #[schema(example = "2026-01-01")]
    pub from: NaiveDate,
    /// Last day counted (the bucket's, or the span's when it ends sooner).
    #[schema(example = "2026-11-30")]
    pub to: NaiveDate,
    pub figures: Figures,
    pub by_kind: Vec<GroupFigures>,
}

/// Placement rates of every school and of the network.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlacementRatesReport {
    #[schema(example = "2026-01-01")]
    pub from: NaiveDate,
    #[schema(example = "2026-11-30")]
    pub to: NaiveDate,
    pub period: Period,
    #[schema(example = 2027)]
    pub cohort: Option<i32>,
    /// Every school together, over the whole span.
    pub overall: Figures,
    /// Every school together, by offer kind.
    pub by_kind: Vec<GroupFigures>,
    /// Each participating school, by code.
    pub schools: Vec<SchoolRates>,
    /// Every school together, bucket by bucket, oldest first.
    pub periods: Vec<PeriodFigures>,
}

fn kinds() -> Vec<&'static str> {
    OfferKind::ALL.iter().map(|k| k.as_str()).collect()
}

fn by_kind(disclosure: &Disclosure, at: usize, school: Option<i64>) -> Vec<GroupFigures> {
    kinds()
        .into_iter()
        .filter_map(|kind| {
            let part = match school {
                Some(school) => Part::Group(school, GroupBy::Kind, kind.to_owned()),
                None => Part::NetworkKind(kind.to_owned()),
            };
            Some(GroupFigures { group: kind.to_owned(), figures: disclosure.figures(at, &part)? })
        })
        .collect()
}

/// Parameters of the skills gap.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SkillsGapQuery {
    /// Only skills of this domain (e.g. `data`).
    #[param(example = "data")]
    pub domain: Option<String>,
    /// First day (inclusive) offers were published; by default the first day of the month eleven months before `to`.
    #[param(example = "2026-01-01")]
    pub from: Option<NaiveDate>,
    /// Last day (inclusive) offers were published; by default today.
    #[param(example = "2026-11-30")]
    pub to: Option<NaiveDate>,
    /// The form of the answer, over `Accept`: `json`, `csv` or `xlsx` (an
    /// Excel workbook). CSV and workbooks come as an attachment with a file name.
    #[param(example = "xlsx", inline)]
    pub format: Option<ReportFormat>,
    /// The CSV layout: `standard` (the default: UTF-8, `,`, LF, `.` decimals)
    /// or `excel`, as a French Excel opens it (UTF-8 with a byte order mark,
    /// `;`, CRLF, `,` decimals). Ignored for other forms.
    #[param(example = "excel", inline)]
    pub csv_dialect: Option<CsvDialectParam>,
}

/// Demand for and supply of one skill.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkillGap {
    #[schema(example = "python")]
    pub skill: String,
    /// The skill's name in French.
    #[schema(example = "Apprentissage automatique")]
    pub label_fr: String,
    /// The skill's name in English.
    #[schema(example = "Machine learning")]
    pub label_en: String,
    #[schema(value_type = crate::domain::SkillDomain, example = "data")]
    pub domain: String,
    /// The lowest level any offer of the span asks for this skill: supply
    /// counts the students at this level or above.
    #[schema(example = 3)]
    pub level: i32,
    /// Σ positions × weight over the requirements marking the skill required,
    /// on offers published in the span (whatever their status since).
    #[schema(example = 24)]
    pub demand_required: u32,
    /// The same over the requirements marking it preferred.
    #[schema(example = 6)]
    pub demand_preferred: u32,
    /// `demand_required + demand_preferred`.
    #[schema(example = 30)]
    pub demand: u32,
    /// Seeking students (as in the placement figures) holding the skill at
    /// `level` or above, a narrower skill counting for its broader ones at its
    /// own level, as in matching; for school staff, their school's students
    /// only. Null when withheld.
    #[schema(example = 12)]
    pub supply: Option<u32>,
    /// `demand / supply`; null without supply or when withheld.
    #[schema(example = 2.5)]
    pub ratio: Option<f64>,
    /// True when the caller is the committee and fewer than 5 students hold
    /// the skill: `supply` and `ratio` are then null.
    #[schema(example = false)]
    pub suppressed: bool,
}

/// The gap in one calendar month of the span.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthGap {
    /// `2026-03`.
    #[schema(example = "2026-03")]
    pub month: String,
    /// Every skill of the report, in the report's order: the demand of the
    /// offers published that month, and the supply of the students already
    /// on a roster by the month's end.
    pub skills: Vec<SkillGap>,
}

/// Demand for skills against the students who hold them.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillsGapReport {
    #[schema(example = "2026-01-01")]
    pub from: NaiveDate,
    #[schema(example = "2026-11-30")]
    pub to: NaiveDate,
    #[schema(example = "data")]
    pub domain: Option<String>,
    /// The school whose students make the supply (school staff); null for every school.
    #[schema(example = 3)]
    pub supply_school_id: Option<i64>,
    /// Skills asked by offers published in the span, largest gaps first.
    pub skills: Vec<SkillGap>,
    /// Month by month, oldest first.
    pub trend: Vec<MonthGap>,
}

/// One skill's demand, accumulated.
#[derive(Debug, Clone)]
struct Demand {
    label_fr: String,
    label_en: String,
    domain: String,
    level: i32,
    required: u32,
    preferred: u32,
}

fn demand_of(rows: &[&store::DemandRow]) -> BTreeMap<String, (i64, Demand)> {
    let mut out: BTreeMap<String, (i64, Demand)> = BTreeMap::new();
    for row in rows {
        let amount = u32::try_from(row.positions.max(0) * row.weight.max(0)).unwrap_or(0);
        let entry = out.entry(row.slug.clone()).or_insert_with(|| {
            (
                row.skill_id,
                Demand {
                    label_fr: row.label_fr.clone(),
                    label_en: row.label_en.clone(),
                    domain: row.domain.clone(),
                    level: row.min_level,
                    required: 0,
                    preferred: 0,
                },
            )
        });
        entry.1.level = entry.1.level.min(row.min_level);
        if row.required {
            entry.1.required += amount;
        } else {
            entry.1.preferred += amount;
        }
    }
    out
}

fn gap(slug: &str, demand: &Demand, level: i32, supply: u32, hide: bool) -> SkillGap {
    let withheld = hide && is_suppressed(supply);
    let total = demand.required + demand.preferred;
    SkillGap {
        skill: slug.to_owned(),
        label_fr: demand.label_fr.clone(),
        label_en: demand.label_en.clone(),
        domain: demand.domain.clone(),
        level,
        demand_required: demand.required,
        demand_preferred: demand.preferred,
        demand: total,
        supply: (!withheld).then_some(supply),
        ratio: if withheld { None } else { gap_ratio(total, supply) },
        suppressed: withheld,
    }
}

/// Largest gaps first: skills without (or with withheld) supply first, by
/// demand; then by ratio, highest first; ties by slug.
fn gap_order(a: &SkillGap, b: &SkillGap) -> std::cmp::Ordering {
    match (a.ratio, b.ratio) {
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (None, None) => b.demand.cmp(&a.demand),
        (Some(x), Some(y)) => y.total_cmp(&x),
    }
    .then_with(|| a.skill.cmp(&b.skill))
}

impl SchoolPlacementStats {
    /// The table of the CSV and workbook forms, named after the school, the
    /// cohort, the period and the split asked.
    pub fn table(&self) -> ReportTable {
        let (header, rows) = self.csv_table();
        let mut stem = format!("placement-stats-{}", self.school_code);
        let parts = [
            self.cohort.map(|c| c.to_string()),
            self.from.map(|d| format!("from-{d}")),
            self.to.map(|d| format!("to-{d}")),
        ];
        for part in parts.into_iter().flatten() {
            stem.push('-');
            stem.push_str(&part);
        }
        if let Some(by) = &self.group_by {
            stem.push_str(&format!("-by-{by}"));
        }
        ReportTable { header, rows, stem, sheet: "placement-stats", chart: placement_chart(2) }
    }

    /// The CSV form: the header row, then one row per figure line; withheld figures are empty cells.
    pub fn csv_table(&self) -> (Vec<&'static str>, Vec<Vec<Cell>>) {
        let mut header = vec!["scope", "group"];
        header.extend(FIGURE_COLUMNS);
        let scope = self.group_by.clone().unwrap_or_default();
        let mut rows = vec![[vec![Cell::text("overall"), Cell::Empty], figure_cells(&self.overall)].concat()];
        rows.extend(self.groups.iter().map(|g| {
            [vec![Cell::text(scope.as_str()), Cell::text(g.group.as_str())], figure_cells(&g.figures)].concat()
        }));
        (header, rows)
    }
}

impl PlacementRatesReport {
    /// The table of the CSV and workbook forms, named after the span and the cohort.
    pub fn table(&self) -> ReportTable {
        let (header, rows) = self.csv_table();
        let mut stem = format!("placement-rates-{}-{}", self.from, self.to);
        if let Some(cohort) = self.cohort {
            stem.push_str(&format!("-cohort-{cohort}"));
        }
        ReportTable { header, rows, stem, sheet: "placement-rates", chart: placement_chart(3) }
    }

    /// The CSV form: the header row, then one row per figure line; withheld figures are empty cells.
    pub fn csv_table(&self) -> (Vec<&'static str>, Vec<Vec<Cell>>) {
        let mut header = vec!["school", "period", "kind"];
        header.extend(FIGURE_COLUMNS);
        let row = |school: &str, period: &str, kind: &str, f: &Figures| {
            [vec![Cell::text(school), Cell::text(period), Cell::text(kind)], figure_cells(f)].concat()
        };
        let mut rows = vec![row("all", "all", "all", &self.overall)];
        rows.extend(self.by_kind.iter().map(|g| row("all", "all", &g.group, &g.figures)));
        for school in &self.schools {
            rows.push(row(&school.code, "all", "all", &school.figures));
            rows.extend(school.by_kind.iter().map(|g| row(&school.code, "all", &g.group, &g.figures)));
        }
        for bucket in &self.periods {
            rows.push(row("all", &bucket.period, "all", &bucket.figures));
            rows.extend(bucket.by_kind.iter().map(|g| row("all", &bucket.period, &g.group, &g.figures)));
        }
        (header, rows)
    }
}

impl SkillsGapReport {
    /// The table of the CSV and workbook forms, named after the span and the domain.
    pub fn table(&self) -> ReportTable {
        let (header, rows) = self.csv_table();
        let mut stem = format!("skills-gap-{}-{}", self.from, self.to);
        if let Some(domain) = &self.domain {
            stem.push_str(&format!("-{domain}"));
        }
        ReportTable { header, rows, stem, sheet: "skills-gap", chart: None }
    }

    /// The CSV form: the header row, then one row per figure line; withheld figures are empty cells.
    pub fn csv_table(&self) -> (Vec<&'static str>, Vec<Vec<Cell>>) {
        let header = [
            "month",
            "skill",
            "label_fr",
            "label_en",
            "domain",
            "level",
            "demand_required",
            "demand_preferred",
            "demand",
            "supply",
            "ratio",
            "suppressed",
        ];
        let row = |month: &str, g: &SkillGap| {
            vec![
                Cell::text(month),
                Cell::text(g.skill.as_str()),
                Cell::text(g.label_fr.as_str()),
                Cell::text(g.label_en.as_str()),
                Cell::text(g.domain.as_str()),
                Cell::number(g.level),
                Cell::number(g.demand_required),
                Cell::number(g.demand_preferred),
                Cell::number(g.demand),
                Cell::figure(g.supply),
                Cell::ratio(g.ratio),
                Cell::text(g.suppressed.to_string()),
            ]
        };
        let mut rows: Vec<Vec<Cell>> = self.skills.iter().map(|g| row("all", g)).collect();
        for month in &self.trend {
            rows.extend(month.skills.iter().map(|g| row(&month.month, g)));
        }
        (header.to_vec(), rows)
    }
}

/// A school's placement figures for a cohort, a period or both, optionally by group.
pub async fn school_placement_stats(
    state: &AppState,
    caller: Caller,
    school_id: i64,
    query: SchoolStatsQuery,
) -> Result<SchoolPlacementStats, ApiError> {
    let audience = policy::school_report_audience(&caller, school_id)?;
    if query.cohort.is_none() && query.from.is_none() && query.to.is_none() {
        return Err(invalid("cohort", "report-cohort-or-period"));
    }
    check_order(query.from, query.to)?;
    let hide = suppress(audience);
    // The committee's view withholds what the network's report withholds: both are settled over every school.
    let (facts, schools, school_code) = crate::db::run(&state.pool, move |conn| {
        let school =
            crate::store::reference::find_school(conn, school_id)?.ok_or_else(|| ApiError::not_found("school"))?;
        let population = Population { school_id: (!hide).then_some(school_id), cohort: query.cohort };
        let schools: Vec<i64> =
            if hide { store::schools(conn)?.into_iter().map(|s| s.0).collect() } else { vec![school_id] };
        Ok((store::student_facts(conn, population)?, schools, school.code))
    })
    .await?;
    let window = Window::of_dates(query.from, query.to);
    let mut disclosure = Disclosure::default();
    disclosure.add_window(0, &facts, &by_school(&facts, &schools), &kinds(), window);
    let disclosure = disclosure.settle(hide);
    let overall = disclosure
        .figures(0, &Part::School(school_id))
        .unwrap_or_else(|| Figures::from_counts(&Default::default(), hide));
    let groups = match query.group_by {
        Some(by) => disclosure
            .groups(0, school_id, by.domain())
            .into_iter()
            .map(|(group, figures)| GroupFigures { group, figures })
            .collect(),
        None => Vec::new(),
    };
    let stats = SchoolPlacementStats {
        school_id,
        school_code,
        cohort: query.cohort,
        from: query.from,
        to: query.to,
        group_by: query.group_by.map(|g| g.as_str().to_owned()),
        overall,
        groups,
    };
    Ok(stats)
}

/// Placement rates of every school and of the network, overall, by kind and by period.
pub async fn placement_rates(
    state: &AppState,
    caller: Caller,
    query: PlacementRatesQuery,
) -> Result<PlacementRatesReport, ApiError> {
    let hide = suppress(policy::network_report_audience(&caller)?);
    let (from, to) = span(query.from, query.to)?;
    let period = query.period.unwrap_or(Period::Month);
    let cohort = query.cohort;
    let (facts, schools) = crate::db::run(&state.pool, move |conn| {
        Ok((store::student_facts(conn, Population { school_id: None, cohort })?, store::schools(conn)?))
    })
    .await?;
    let window = Window::of_dates(Some(from), Some(to));
    let ids: Vec<i64> = schools.iter().map(|s| s.0).collect();
    let own = by_school(&facts, &ids);
    let bucketed = buckets(from, to, period);
    // Window 0 is the span, window i the i-th bucket: settled together, so that
    // the buckets do not give away what the span withholds, nor the reverse.
    let mut disclosure = Disclosure::default();
    disclosure.add_window(0, &facts, &own, &kinds(), window);
    for (i, (_, first, last)) in bucketed.iter().enumerate() {
        disclosure.add_window(i + 1, &facts, &own, &kinds(), Window::of_dates(Some(*first), Some(*last)));
    }
    disclosure.add_buckets(0, &(1..=bucketed.len()).collect::<Vec<_>>(), &kinds());
    let disclosure = disclosure.settle(hide);
    let figures_of = |at: usize, part: &Part| {
        disclosure.figures(at, part).unwrap_or_else(|| Figures::from_counts(&Default::default(), hide))
    };
    let schools = schools
        .into_iter()
        .map(|(school_id, code, name)| SchoolRates {
            school_id,
            code,
            name,
            figures: figures_of(0, &Part::School(school_id)),
            by_kind: by_kind(&disclosure, 0, Some(school_id)),
        })
        .collect();
    let periods = bucketed
        .into_iter()
        .enumerate()
        .map(|(i, (label, first, last))| PeriodFigures {
            period: label,
            from: first,
            to: last,
            figures: figures_of(i + 1, &Part::Network),
            by_kind: by_kind(&disclosure, i + 1, None),
        })
        .collect();
    let report = PlacementRatesReport {
        from,
        to,
        period,
        cohort,
        overall: figures_of(0, &Part::Network),
        by_kind: by_kind(&disclosure, 0, None),
        schools,
        periods,
    };
    Ok(report)
}

/// The skills gap: demand of offers against supply of seeking students, overall and by month.
pub async fn skills_gap(state: &AppState, caller: Caller, query: SkillsGapQuery) -> Result<SkillsGapReport, ApiError> {
    let (audience, school) = policy::skills_gap_scope(&caller)?;
    let hide = suppress(audience);
    let (from, to) = span(query.from, query.to)?;
    let window = Window::of_dates(Some(from), Some(to));
    let (start, end) = (window.from.unwrap_or_default(), window.to.unwrap_or_default());
    let domain = query.domain.clone();
    let (demand_rows, supply, parents) = crate::db::run(&state.pool, move |conn| {
        Ok((
            store::demand(conn, start, end, domain.as_deref())?,
            store::supply(conn, school)?,
            store::skill_parents(conn)?,
        ))
    })
    .await?;
    let levels: Vec<(NaiveDateTime, BTreeMap<i64, i32>)> =
        supply.iter().map(|s| (s.created_at, effective_levels(&s.skills, &parents))).collect();
    let supply_of = |skill: i64, level: i32, by: Option<NaiveDateTime>| -> u32 {
        let count = levels
            .iter()
            .filter(|(created, _)| by.is_none_or(|by| *created < by))
            .filter(|(_, held)| held.get(&skill).is_some_and(|l| *l >= level))
            .count();
        u32::try_from(count).unwrap_or(u32::MAX)
    };
    let all: Vec<&store::DemandRow> = demand_rows.iter().collect();
    let whole = demand_of(&all);
    let mut skills: Vec<SkillGap> = whole
        .iter()
        .map(|(slug, (id, demand))| gap(slug, demand, demand.level, supply_of(*id, demand.level, None), hide))
        .collect();
    skills.sort_by(gap_order);
    let order: Vec<String> = skills.iter().map(|s| s.skill.clone()).collect();
    let trend = buckets(from, to, Period::Month)
        .into_iter()
        .map(|(month, first, last)| {
            let bucket = Window::of_dates(Some(first), Some(last));
            let rows: Vec<&store::DemandRow> = demand_rows.iter().filter(|r| bucket.contains(r.published_at)).collect();
            let monthly = demand_of(&rows);
            let skills = order
                .iter()
                .filter_map(|slug| {
                    let (id, overall) = whole.get(slug)?;
                    let demand = monthly.get(slug).map_or_else(
                        || Demand { required: 0, preferred: 0, ..overall.clone() },
                        |(_, d)| Demand { level: overall.level, ..d.clone() },
                    );
                    Some(gap(slug, &demand, overall.level, supply_of(*id, overall.level, bucket.to), hide))
                })
                .collect();
            MonthGap { month, skills }
        })
        .collect();
    let report = SkillsGapReport { from, to, domain: query.domain, supply_school_id: school, skills, trend };
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn skill(slug: &str, demand: u32, supply: Option<u32>) -> SkillGap {
        SkillGap {
            skill: slug.into(),
            label_fr: slug.into(),
            label_en: slug.into(),
            domain: "data".into(),
            level: 1,
            demand_required: demand,
            demand_preferred: 0,
            demand,
            supply,
            ratio: supply.and_then(|s| gap_ratio(demand, s)),
            suppressed: false,
        }
    }

    #[test]
    fn the_largest_gaps_come_first() {
        let mut skills =
            [skill("a", 10, Some(10)), skill("b", 4, Some(0)), skill("c", 9, Some(0)), skill("d", 30, Some(10))];
        skills.sort_by(gap_order);
        let order: Vec<&str> = skills.iter().map(|s| s.skill.as_str()).collect();
        assert_eq!(order, ["c", "b", "d", "a"]);
        let unique: HashSet<&str> = order.iter().copied().collect();
        assert_eq!(unique.len(), 4);
    }
}
