//! Placements, every version of their agreement, and the signatures each
//! version gathered. Versions and signatures are only ever added, so the
//! record of who signed what survives amendments.
//!
//! As in the applications store, every write transaction starts with its write
//! (see there why SQLite needs it).

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::auth::policy::PipelineScope;
use crate::db::calendar::Instant;
use crate::db::schema::{
    accounts, agreement_documents, agreement_signatures, agreement_versions, offers, organisations, placements,
    schools, students,
};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = placements)]
pub struct PlacementRow {
    pub id: i64,
    pub application_id: i64,
    pub offer_id: i64,
    pub student_id: i64,
    pub school_id: i64,
    pub organisation_id: i64,
    pub kind: String,
    pub status: String,
    pub current_version: i32,
    pub terminated_reason: Option<String>,
    pub version: i64,
    #[diesel(deserialize_as = Instant)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Instant)]
    pub updated_at: NaiveDateTime,
}

/// A placement and the account of its student, whom it concerns.
pub type PlacementRecord = (PlacementRow, Option<i64>);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agreement_versions)]
pub struct VersionRow {
    pub version: i32,
    pub terms: String,
    #[diesel(deserialize_as = Instant)]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agreement_signatures)]
pub struct SignatureRow {
    pub version: i32,
    pub party: String,
    pub account_id: i64,
    #[diesel(deserialize_as = Instant)]
    pub signed_at: NaiveDateTime,
    pub document_sha256: Option<String>,
}

/// A new placement for an accepted application.
pub struct NewPlacement<'a> {
    pub application_id: i64,
    pub offer_id: i64,
    pub student_id: i64,
    pub school_id: i64,
    pub organisation_id: i64,
    pub kind: &'a str,
    pub status: &'a str,
}

/// Creates the placement with version 1 of its agreement, in the caller's
/// transaction.
pub fn insert(conn: &mut DbConnection, new: &NewPlacement, terms: &str) -> QueryResult<i64> {
    let now = Utc::now().naive_utc();
    let id = diesel::insert_into(placements::table)
        .values((
            placements::application_id.eq(new.application_id),
            placements::offer_id.eq(new.offer_id),
            placements::student_id.eq(new.student_id),
            placements::school_id.eq(new.school_id),
            placements::organisation_id.eq(new.organisation_id),
            placements::kind.eq(new.kind),
            placements::status.eq(new.status),
            placements::current_version.eq(1),
            placements::version.eq(1_i64),
            placements::created_at.eq(now),
            placements::updated_at.eq(now),
        ))
        .returning(placements::id)
        .get_result(conn)?;
    insert_version(conn, id, 1, terms)?;
    Ok(id)
}

pub fn insert_version(conn: &mut DbConnection, placement_id: i64, version: i32, terms: &str) -> QueryResult<()> {
    diesel::insert_into(agreement_versions::table)
        .values((
            agreement_versions::placement_id.eq(placement_id),
            agreement_versions::version.eq(version),
            agreement_versions::terms.eq(terms),
            agreement_versions::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Rewrites the terms of an unsigned version.
pub fn replace_terms(conn: &mut DbConnection, placement_id: i64, version: i32, terms: &str) -> QueryResult<()> {
    diesel::update(agreement_versions::table.find((placement_id, version)))
        .set(agreement_versions::terms.eq(terms))
        .execute(conn)?;
    Ok(())
}

pub fn insert_signature(
    conn: &mut DbConnection,
    placement_id: i64,
    version: i32,
    party: &str,
    account_id: i64,
    at: NaiveDateTime,
    document_sha256: &str,
) -> QueryResult<()> {
    diesel::insert_into(agreement_signatures::table)
        .values((
            agreement_signatures::placement_id.eq(placement_id),
            agreement_signatures::version.eq(version),
            agreement_signatures::party.eq(party),
            agreement_signatures::account_id.eq(account_id),
            agreement_signatures::signed_at.eq(at),
            agreement_signatures::document_sha256.eq(document_sha256),
        ))
        .execute(conn)?;
    Ok(())
}

/// What changes on the placement row along with its version.
pub struct PlacementChange<'a> {
    pub status: &'a str,
    pub current_version: i32,
    pub terminated_reason: Option<&'a str>,
}

/// Applies `change` if the placement is still at `expected_version`, bumping
/// it; false when someone else changed it first. Meant as the first statement
/// of its transaction.
pub fn update_if_version(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i64,
    change: &PlacementChange,
) -> QueryResult<bool> {
    let updated = diesel::update(placements::table.find(id).filter(placements::version.eq(expected_version)))
        .set((
            placements::status.eq(change.status),
            placements::current_version.eq(change.current_version),
            placements::terminated_reason.eq(change.terminated_reason),
            placements::version.eq(expected_version + 1),
            placements::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<PlacementRecord>> {
    placements::table
        .inner_join(students::table)
        .filter(placements::id.eq(id))
        .select((PlacementRow::as_select(), students::account_id))
        .first(conn)
        .optional()
}

/// A page of placements in `scope`, by id, after `after`, with one extra row.
pub fn list(
    conn: &mut DbConnection,
    scope: PipelineScope,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<PlacementRecord>> {
    let mut query = placements::table
        .inner_join(students::table)
        .select((PlacementRow::as_select(), students::account_id))
        .order(placements::id.asc())
        .limit(limit + 1)
        .into_boxed();
    query = match scope {
        PipelineScope::All => query,
        PipelineScope::StudentAccount(account) => query.filter(students::account_id.eq(account)),
        PipelineScope::Organisation(organisation) => query.filter(placements::organisation_id.eq(organisation)),
        PipelineScope::School(school) => query.filter(placements::school_id.eq(school)),
    };
    if let Some(after) = after {
        query = query.filter(placements::id.gt(after));
    }
    query.load(conn)
}

/// Every version of the agreements of these placements, oldest first.
pub fn versions_of(conn: &mut DbConnection, placement_ids: &[i64]) -> QueryResult<Vec<(i64, VersionRow)>> {
    agreement_versions::table
        .filter(agreement_versions::placement_id.eq_any(placement_ids))
        .order((agreement_versions::placement_id.asc(), agreement_versions::version.asc()))
        .select((agreement_versions::placement_id, VersionRow::as_select()))
        .load(conn)
}

/// Every signature of these placements, in signing order.
pub fn signatures_of(conn: &mut DbConnection, placement_ids: &[i64]) -> QueryResult<Vec<(i64, SignatureRow)>> {
    agreement_signatures::table
        .filter(agreement_signatures::placement_id.eq_any(placement_ids))
        .order((agreement_signatures::placement_id.asc(), agreement_signatures::signed_at.asc()))
        .select((agreement_signatures::placement_id, SignatureRow::as_select()))
        .load(conn)
}

/// The placements opened by these applications, as (application, placement).
pub fn ids_for_applications(conn: &mut DbConnection, application_ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    placements::table
        .filter(placements::application_id.eq_any(application_ids))
        .select((placements::application_id, placements::id))
        .load(conn)
}

/// The fixed document of one version in one language, without its bytes.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agreement_documents)]
pub struct DocumentRow {
    pub version: i32,
    pub language: String,
    pub sha256: String,
    #[diesel(deserialize_as = Instant)]
    pub created_at: NaiveDateTime,
}

/// The fixed documents of a placement's versions, by version then language.
pub fn documents_of(conn: &mut DbConnection, placement_id: i64) -> QueryResult<Vec<DocumentRow>> {
    agreement_documents::table
        .filter(agreement_documents::placement_id.eq(placement_id))
        .order((agreement_documents::version.asc(), agreement_documents::language.asc()))
        .select(DocumentRow::as_select())
        .load(conn)
}

/// The hash and the bytes (`None` once erased) of one fixed document.
pub fn document(
    conn: &mut DbConnection,
    placement_id: i64,
    version: i32,
    language: &str,
) -> QueryResult<Option<(String, Option<Vec<u8>>)>> {
    agreement_documents::table
        .find((placement_id, version, language))
        .select((agreement_documents::sha256, agreement_documents::pdf))
        .first(conn)
        .optional()
}

/// The (version, language) of the documents whose bytes are still kept.
pub fn stored_documents(conn: &mut DbConnection, placement_id: i64) -> QueryResult<Vec<(i32, String)>> {
    agreement_documents::table
        .filter(agreement_documents::placement_id.eq(placement_id))
        .filter(agreement_documents::pdf.is_not_null())
        .select((agreement_documents::version, agreement_documents::language))
        .load(conn)
}

/// Keeps the document of a version as signed, in the caller's transaction.
pub fn insert_document(
    conn: &mut DbConnection,
    placement_id: i64,
    version: i32,
    language: &str,
    sha256: &str,
    pdf: &[u8],
) -> QueryResult<()> {
    diesel::insert_into(agreement_documents::table)
        .values((
            agreement_documents::placement_id.eq(placement_id),
            agreement_documents::version.eq(version),
            agreement_documents::language.eq(language),
            agreement_documents::sha256.eq(sha256),
            agreement_documents::pdf.eq(Some(pdf)),
            agreement_documents::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Drops the bytes of the documents of these placements, keeping their hashes.
pub fn erase_documents(conn: &mut DbConnection, placement_ids: &[i64]) -> QueryResult<()> {
    diesel::update(agreement_documents::table.filter(agreement_documents::placement_id.eq_any(placement_ids)))
        .set(agreement_documents::pdf.eq(None::<Vec<u8>>))
        .execute(conn)?;
    Ok(())
}

/// What the agreement document says about its parties, besides the terms.
#[derive(Debug, Clone, Queryable)]
pub struct PartiesRow {
    pub school_name: String,
    pub school_city: String,
    pub school_postal_address: Option<String>,
    pub organisation_name: String,
    pub organisation_city: String,
    pub first_name: String,
    pub last_name: String,
    pub student_number: String,
    pub programme: String,
    pub degree_level: String,
    pub offer_title: String,
    pub offer_kind: String,
    pub offer_city: String,
}

/// The parties of a placement as its document names them.
pub fn parties_of(conn: &mut DbConnection, placement_id: i64) -> QueryResult<PartiesRow> {
    placements::table
        .find(placement_id)
        .inner_join(schools::table.on(schools::id.eq(placements::school_id)))
        .inner_join(organisations::table.on(organisations::id.eq(placements::organisation_id)))
        .inner_join(students::table.on(students::id.eq(placements::student_id)))
        .inner_join(offers::table.on(offers::id.eq(placements::offer_id)))
        .select((
            schools::name,
            schools::city,
            schools::postal_address,
            organisations::name,
            organisations::city,
            students::first_name,
            students::last_name,
            students::student_number,
            students::programme,
            students::degree_level,
            offers::title,
            offers::kind,
            offers::city,
        ))
        .first(conn)
}

/// The display names of these accounts, as (id, name).
pub fn account_names(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    accounts::table.filter(accounts::id.eq_any(ids)).select((accounts::id, accounts::display_name)).load(conn)
}
