//! Placement statistics of a school, placement rates across the network and
//! the skills gap, in JSON, CSV or as an Excel workbook, by `Accept` or `format`.
//!
//! The figures are defined once, on [`Figures`]; how they are computed lives
//! in `domain::reports`.

use crate::routes::body;
use crate::routes::extract::Query;
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};

use crate::app::reports::{
    self as app, CsvDialectParam, PlacementRatesQuery, PlacementRatesReport, ReportFormat, ReportTable,
    SchoolPlacementStats, SchoolStatsQuery, SkillsGapQuery, SkillsGapReport,
};
use crate::app::training_needs::{self as needs, TrainingNeedsQuery, TrainingNeedsReport};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::export;
use crate::i18n::Lang;
use crate::routes::responses::SchoolNotFound;

/// The form asked: `format` first, else the weights of `Accept`.
fn form(request: &HttpRequest, format: Option<ReportFormat>) -> ReportFormat {
    let accept = request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok());
    format.unwrap_or(match export::negotiate(accept, &export::REPORT_FORMS) {
        Some(export::TEXT_CSV) => ReportFormat::Csv,
        Some(export::XLSX) => ReportFormat::Xlsx,
        _ => ReportFormat::Json,
    })
}

/// The report in the form asked; CSV and workbooks as a named attachment.
fn answer(
    request: &HttpRequest,
    form: ReportFormat,
    dialect: Option<CsvDialectParam>,
    report: &impl serde::Serialize,
    table: impl FnOnce() -> ReportTable,
) -> Result<HttpResponse, ApiError> {
    let internal = |e: &dyn std::fmt::Display| ApiError::Internal(anyhow::anyhow!("report export: {e}"));
    if form == ReportFormat::Json {
        return Ok(body::json(HttpResponse::Ok(), &report));
    }
    let table = table();
    // The header row is for people: it follows the answer's language; the
    // JSON form keeps its field names.
    let lang = Lang::of_request(request);
    let labels: Vec<String> = table.header.iter().map(|column| crate::i18n::column_label(lang, column)).collect();
    let header: Vec<&str> = labels.iter().map(String::as_str).collect();
    let (body, content_type, extension) = if form == ReportFormat::Csv {
        let dialect = dialect.map(CsvDialectParam::dialect).unwrap_or_default();
        (export::csv_in(dialect, &header, &table.rows).map_err(|e| internal(&e))?, export::TEXT_CSV_UTF8, "csv")
    } else {
        let sheet = crate::i18n::sheet_label(lang, table.sheet);
        let chart =
            table.chart.map(|chart| export::ChartOf { title: crate::i18n::chart_label(lang, &chart.title), ..chart });
        let file = export::xlsx(&sheet, &header, &table.rows, chart.as_ref());
        (file.map_err(|e| internal(&e))?, export::XLSX, "xlsx")
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_DISPOSITION, export::attachment(&table.stem, extension)))
        .body(body))
}

/// A school's placement statistics.
///
/// Staff of that school and admins see exact figures; the committee sees
/// them withheld as below.
/// Students, recruiters and other schools' staff get 403: schools are public,
/// so a 404 would hide nothing. An unknown school is a 404.
///
/// Give `cohort` (graduation year), or `from`/`to` (dates, inclusive), or both.
/// With a cohort alone, everything that ever happened counts; with a period,
/// only the activity in it: applications created, offers made, acceptances
/// and signatures completed in the period (see each figure). `group_by`
/// splits by `programme`, `kind` (every offer kind listed) or `domain`; an
/// offer's domain is the domain of its requirement with the highest weight, a
/// required skill before a preferred one at equal weight, then the smallest
/// skill slug.
///
/// **Withholding (committee only).** A group (school, programme, kind,
/// domain, bucket) with fewer than 5 seeking students is withheld: every
/// figure null, `suppressed: true`. So that it cannot be recovered by
/// subtracting the groups shown from their total, more groups of the same
/// split are then withheld, the fewest seeking students first, until the
/// withheld groups are at least two, hold more seeking students than one per
/// group (for programmes and domains, which are listed because someone is in
/// them), include some but not all of their students placed and some but not
/// all with applications, and some offers received. When even every group of
/// a split that adds up to its total (programmes, schools) cannot meet that,
/// the total is withheld too, and then, the same way, groups of every other
/// split of the same students. Every split (`programme`, `kind`, `domain`) of
/// every school and the network's schools, kinds and buckets are settled
/// together for the same cohort and period, whichever is asked, so that a
/// total is withheld in all views or in none. Reports of different periods
/// are not compared with one another.
///
/// With `Accept: text/csv` (weights of `Accept` decide; JSON on a tie or
/// without one), the same figures as CSV: one header row
/// (`scope,group,` then the figures), a first row `overall` then one row per
/// group; withheld figures are empty cells. Text cells starting with `=`,
/// `+`, `-`, `@`, tab or carriage return get a leading `'` so that a
/// spreadsheet does not run them; figures are written as numbers.
/// Rates and ratios are rounded to 4 decimals in CSV (exact in JSON).
///
/// `format=csv|xlsx|json` asks for a form from a link, over `Accept`. As a
/// workbook (`format=xlsx`, or `Accept:
/// application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`), the
/// same table on one formatted sheet: a bold frozen header with filters,
/// rates as percentages, text neutralised as in CSV, and a placement-rate chart beside it.
/// `csv_dialect=excel` writes the CSV as a French Excel opens it: UTF-8 with
/// a byte order mark, `;`, CRLF, decimal comma. CSV and workbooks come as an
/// attachment (`Content-Disposition`) named
/// `placement-stats-{school code}[-{cohort}][-from-{from}][-to-{to}][-by-{group_by}].csv` (or `.xlsx`).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "School id"), SchoolStatsQuery),
    responses(
        (status = 200, description = "The statistics", headers(("Content-Disposition" = String, description = "CSV and workbook forms: `attachment; filename=\"placement-stats-ECC-2027.csv\"`")), content(
            (SchoolPlacementStats = "application/json"),
            (String = "text/csv", example = "scope,group,students_seeking,students_placed,placement_rate,students_with_applications,applications,offers_received,median_days_to_first_acceptance,suppressed\noverall,,12,3,0.25,9,20,4,21,false\n"),
            (export::Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "Neither cohort nor period, or a period ending before it starts", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of this school, the committee or an admin", body = Problem, content_type = "application/problem+json"),
        SchoolNotFound,
    )
)]
#[get("/placement-stats")]
pub async fn school_placement_stats(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<i64>,
    query: Query<SchoolStatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (format, dialect) = (form(&request, query.format), query.csv_dialect);
    let stats = app::school_placement_stats(&state, caller, path.into_inner(), query).await?;
    answer(&request, format, dialect, &stats, || stats.table())
}

/// Placement rates of every school and of the network.
///
/// The committee and admins; others get 403. The committee sees the figures
/// withheld as below. The figures are those of
/// `GET /schools/{id}/placement-stats` over the period `from`–`to`:
/// for the whole network, for each school, by offer kind, and cut into
/// calendar buckets (`period=month|quarter|year`, clamped to the span). A
/// student counts in a bucket as in a period of its own: seeking when the
/// flag is set or they applied before the bucket's end, placed when the
/// signatures were completed in it.
///
/// **Withholding (committee only).** A group (school, programme, kind,
/// domain, bucket) with fewer than 5 seeking students is withheld: every
/// figure null, `suppressed: true`. So that it cannot be recovered by
/// subtracting the groups shown from their total, more groups of the same
/// split are then withheld, the fewest seeking students first, until the
/// withheld groups are at least two, hold more seeking students than one per
/// group (for programmes and domains, which are listed because someone is in
/// them), include some but not all of their students placed and some but not
/// all with applications, and some offers received. When even every group of
/// a split that adds up to its total (programmes, schools) cannot meet that,
/// the total is withheld too, and then, the same way, groups of every other
/// split of the same students. Every split (`programme`, `kind`, `domain`) of
/// every school and the network's schools, kinds and buckets are settled
/// together for the same cohort and period, whichever is asked, so that a
/// total is withheld in all views or in none. Reports of different periods
/// are not compared with one another.
/// Here the buckets count as a split of the span (applications and offers
/// add up over them), and each kind of each school as a split of the
/// network's kind.
///
/// With `Accept: text/csv` (weights of `Accept` decide; JSON on a tie or
/// without one): one header row (`school,period,kind,` then the
/// figures), `all` naming the whole network, the whole span or every kind;
/// withheld figures are empty cells. Text cells starting with `=`, `+`, `-`,
/// `@`, tab or carriage return get a leading `'` so that a spreadsheet does
/// not run them; figures are written as numbers.
/// Rates and ratios are rounded to 4 decimals in CSV (exact in JSON).
///
/// `format=csv|xlsx|json` asks for a form from a link, over `Accept`. As a
/// workbook (`format=xlsx`, or `Accept:
/// application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`), the
/// same table on one formatted sheet: a bold frozen header with filters,
/// rates as percentages, text neutralised as in CSV, and a placement-rate chart beside it.
/// `csv_dialect=excel` writes the CSV as a French Excel opens it: UTF-8 with
/// a byte order mark, `;`, CRLF, decimal comma. CSV and workbooks come as an
/// attachment (`Content-Disposition`) named
/// `placement-rates-{from}-{to}[-cohort-{cohort}].csv` (or `.xlsx`).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(PlacementRatesQuery),
    responses(
        (status = 200, description = "The placement rates", headers(("Content-Disposition" = String, description = "CSV and workbook forms: `attachment; filename=\"placement-rates-2026-01-01-2026-11-30.csv\"`")), content(
            (PlacementRatesReport = "application/json"),
            (String = "text/csv", example = "school,period,kind,students_seeking,students_placed,placement_rate,students_with_applications,applications,offers_received,median_days_to_first_acceptance,suppressed\nall,all,all,40,10,0.25,30,52,14,18,false\n"),
            (export::Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "Invalid period or span", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the committee or an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/placement-rates")]
pub async fn placement_rates(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    query: Query<PlacementRatesQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (format, dialect) = (form(&request, query.format), query.csv_dialect);
    let report = app::placement_rates(&state, caller, query).await?;
    answer(&request, format, dialect, &report, || report.table())
}

/// The skills gap: what offers ask against what seeking students hold.
///
/// The committee, admins and school staff; others get 403. Demand is the
/// same for everyone: per skill, Σ positions × weight over the requirements
/// of offers published between `from` and `to` (whatever their status
/// since), required and preferred apart. Supply counts seeking students (as
/// in the placement figures; erased students keep counting as anonymous
/// records) holding the skill at the lowest level any of those offers asks,
/// or above; holding a narrower skill counts for its broader ones at the same
/// level, as in matching. School staff see the supply of their own school's
/// students only; admins and the committee every school's, the committee
/// with supply under 5 students withheld. `trend` repeats the figures month
/// by month. No complementary withholding is needed here: skills overlap
/// (a student holds several) and a month's supply counts everyone on a
/// roster by its end, so no figure is a sum of others.
///
/// With `Accept: text/csv` (weights of `Accept` decide; JSON on a tie or
/// without one): one header row (`month,` then the skill
/// columns), `all` for the whole span then one row per month and skill;
/// withheld figures are empty cells. Text cells starting with `=`, `+`, `-`,
/// `@`, tab or carriage return get a leading `'` so that a spreadsheet does
/// not run them; figures are written as numbers.
/// Rates and ratios are rounded to 4 decimals in CSV (exact in JSON).
///
/// `format=csv|xlsx|json` asks for a form from a link, over `Accept`. As a
/// workbook (`format=xlsx`, or `Accept:
/// application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`), the
/// same table on one formatted sheet: a bold frozen header with filters,
/// rates as percentages, text neutralised as in CSV.
/// `csv_dialect=excel` writes the CSV as a French Excel opens it: UTF-8 with
/// a byte order mark, `;`, CRLF, decimal comma. CSV and workbooks come as an
/// attachment (`Content-Disposition`) named
/// `skills-gap-{from}-{to}[-{domain}].csv` (or `.xlsx`).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(SkillsGapQuery),
    responses(
        (status = 200, description = "The skills gap", headers(("Content-Disposition" = String, description = "CSV and workbook forms: `attachment; filename=\"skills-gap-2026-01-01-2026-11-30.csv\"`")), content(
            (SkillsGapReport = "application/json"),
            (String = "text/csv", example = "month,skill,label_en,domain,level,demand_required,demand_preferred,demand,supply,ratio,suppressed\nall,python,Python,data,3,12,4,16,5,3.2,false\n"),
            (export::Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "Invalid span", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not school staff, the committee or an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/skills-gap")]
pub async fn skills_gap(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    query: Query<SkillsGapQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (format, dialect) = (form(&request, query.format), query.csv_dialect);
    let report = app::skills_gap(&state, caller, query).await?;
    answer(&request, format, dialect, &report, || report.table())
}

/// Training needs: which skills to teach next. Per skill, and per domain,
/// the seeking students it stands in the way of, the positions they would
/// reach, against the seats of the catalogue's trainings that teach it.
///
/// A near miss is an open offer a student would be eligible for with at most
/// two required skills more, or one level more on a held one, every other
/// rule being met (as in `GET /students/{id}/matches?include=near_misses`,
/// as of today). `students` counts the seeking students (as in the
/// placement figures) with a near miss, to an offer published between
/// `from` and `to`, whose gaps include the skill; `positions` sums the
/// positions of those near misses. `seats` sums the seats of the trainings
/// teaching the skill, or a narrower one, up to the lowest level the gaps ask
/// (`level`) or above. A domain counts each student and each near miss once.
/// `trend` repeats the figures month by month: near misses to offers
/// published that month, of students on a roster by its end.
///
/// The committee, admins and school staff; others get 403. School staff
/// count their own school's students only (`school_id` may name it; another
/// school is refused with 403); admins and the committee every school's, or
/// the one `school_id` names (404 when unknown).
///
/// **Withholding (committee only).** A skill or domain with fewer than 5
/// students is withheld: `students` and `positions` null, `suppressed:
/// true`. So that it cannot be recovered by subtraction, more skills of the
/// same domain (and more months of the same skill or domain) are then
/// withheld, the fewest students first, until at least two are and they hold
/// more students than one per skill; when even all of them cannot, and they
/// add up to their total, the total is withheld too. Seats are never withheld.
///
/// With `Accept: text/csv` (weights of `Accept` decide; JSON on a tie or
/// without one): one header row (`month,skill,` then the figures), `all`
/// for the whole period (and, as `skill`, for a domain's row), one row per
/// skill then per domain for the period, then for each month; withheld
/// figures are empty cells. Text cells starting with `=`, `+`, `-`, `@`, tab
/// or carriage return get a leading `'` so that a spreadsheet does not run
/// them; figures are written as numbers.
///
/// `format=csv|xlsx|json` asks for a form from a link, over `Accept`. As a
/// workbook (`format=xlsx`, or `Accept:
/// application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`), the
/// same table on one formatted sheet: a bold frozen header with filters,
/// text neutralised as in CSV. `csv_dialect=excel` writes the CSV as a
/// French Excel opens it: UTF-8 with a byte order mark, `;`, CRLF, decimal
/// comma. CSV and workbooks come as an attachment (`Content-Disposition`)
/// named `training-needs-{from}-{to}[-{domain}][-school-{school_id}].csv` (or `.xlsx`).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(TrainingNeedsQuery),
    responses(
        (status = 200, description = "The training needs", headers(("Content-Disposition" = String, description = "CSV and workbook forms: `attachment; filename=\"training-needs-2026-01-01-2026-11-30.csv\"`")), content(
            (TrainingNeedsReport = "application/json"),
            (String = "text/csv", example = "month,skill,label_en,domain,level,students,positions,seats,trainings,suppressed\nall,kubernetes,Kubernetes,cloud,3,7,9,25,1,false\n"),
            (export::Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "Invalid span", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not school staff (of the school named), the committee or an admin", body = Problem, content_type = "application/problem+json"),
        SchoolNotFound,
    )
)]
#[get("/training-needs")]
pub async fn training_needs(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    query: Query<TrainingNeedsQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (format, dialect) = (form(&request, query.format), query.csv_dialect);
    let report = needs::training_needs(&state, caller, query).await?;
    answer(&request, format, dialect, &report, || report.table())
}
