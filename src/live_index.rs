//! The matching index of this process, and the revoked tokens, kept fresh:
//! built from the database at start, then brought up to date from the change
//! feed after every committed write of this process and, every half second,
//! for the writes of the others.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::auth::revocation::{AccountTokens, Revocations};
use crate::db::DbConnection;
use crate::domain::OfferKind;
use crate::matching::near_miss::NearMiss;
use crate::matching::suggestions::PhraseBook;
use crate::matching::{MatchIndex, MatchResult, Taxonomy};
use crate::store::{accounts, change_feed, matching as rows, offers, QueryError};

/// Feed rows read per catch-up round.
const FEED_BATCH: i64 = 5_000;
/// How long a gap in feed ids is waited for: a PostgreSQL sequence hands out
/// ids before commit, so a lower id can appear after a higher one.
const GAP_PATIENCE: Duration = Duration::from_secs(30);

/// Where this process stands in the change feed.
#[derive(Debug, Default)]
struct FeedPosition {
    /// Highest feed id applied.
    applied: i64,
    /// Ids below `applied` not seen yet, with when the gap was noticed.
    gaps: BTreeMap<i64, Instant>,
}

/// The shared index and the skill slugs its answers name, and the revoked
/// tokens: one feed position serves both.
pub struct LiveIndex {
    index: RwLock<MatchIndex>,
    slugs: RwLock<HashMap<u32, String>>,
    /// Every offer's title, so that rankings name their offers from memory.
    titles: RwLock<HashMap<i64, String>>,
    /// Every name of every skill, for suggestions from text; replaced whole
    /// when the taxonomy changes, so a scan keeps the version it started with.
    phrases: RwLock<Arc<PhraseBook>>,
    revocations: Revocations,
    position: Mutex<FeedPosition>,
}

/// The index could not be built or brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("database: {0}")]
    Database(#[from] QueryError),
    #[error("taxonomy: {0}")]
    Taxonomy(#[from] crate::matching::TaxonomyError),
    #[error("skill names: {0}")]
    Phrases(#[from] aho_corasick::BuildError),
    #[error("the index lock is poisoned")]
    Poisoned,
}

impl LiveIndex {
    /// Builds the index from the tables. The feed position is read first, so
    /// changes committed during the load are applied again afterwards (a
    /// reload is idempotent) and nothing is missed. `reader`, a second
    /// connection to the same database, shares the students' load.
    pub fn build(conn: &mut DbConnection, reader: Option<&mut DbConnection>) -> Result<Self, IndexError> {
        let start = change_feed::latest_id(conn)?;
        let taxonomy = rows::load_taxonomy(conn)?;
        let mut index = MatchIndex::new(Taxonomy::new(taxonomy.parents)?);
        let expected = usize::try_from(rows::count_students(conn)?).unwrap_or(0);
        {
            let mut students = index.bulk_students(expected);
            rows::for_each_student(conn, reader, |student| students.upsert(student))?;
        }
        for offer in rows::load_offers(conn, None)? {
            index.upsert_offer(&offer);
        }
        for (student, offer) in rows::load_applications(conn, None)? {
            index.add_application(student, offer);
        }
        index.shrink_to_fit();
        let phrases = PhraseBook::new(rows::load_skill_names(conn)?)?;
        let titles = offers::titles(conn, None)?.into_iter().collect();
        let revocations = Revocations::new(accounts::token_states(conn, None)?);
        let live = Self {
            index: RwLock::new(index),
            slugs: RwLock::new(taxonomy.slugs),
            titles: RwLock::new(titles),
            phrases: RwLock::new(Arc::new(phrases)),
            revocations,
            position: Mutex::new(FeedPosition { applied: start, gaps: BTreeMap::new() }),
        };
        live.catch_up(conn)?;
        Ok(live)
    }

    /// Applies every change committed to the feed since the last call. Safe to
    /// call from any number of requests: catch-ups run one at a time.
    pub fn catch_up(&self, conn: &mut DbConnection) -> Result<usize, IndexError> {
        let mut position = self.position.lock().map_err(|_| IndexError::Poisoned)?;
        self.catch_up_from(conn, &mut position)
    }

    /// An application this process has just committed, held at once, so that
    /// the applicant's next ranking knows of it without waiting for the feed.
    /// The catch-up that reads its feed row later adds it again, which
    /// changes nothing: an application is never taken out of the index.
    pub fn hold_application(&self, student_id: i64, offer_id: i64) -> Result<(), IndexError> {
        self.index.write().map_err(|_| IndexError::Poisoned)?.add_application(student_id, offer_id);
        Ok(())
    }

    /// [`Self::catch_up`] for a writer whose change has feed id `feed_id`.
    /// Writers that committed while another one was catching up wait for it,
    /// then find their changes applied by it and return without reading the
    /// feed: one catch-up serves a whole queue of them.
    pub fn catch_up_past(&self, conn: &mut DbConnection, feed_id: i64) -> Result<usize, IndexError> {
        let mut position = self.position.lock().map_err(|_| IndexError::Poisoned)?;
        if feed_id <= position.applied && !position.gaps.contains_key(&feed_id) {
            return Ok(0);
        }
        self.catch_up_from(conn, &mut position)
    }

    fn catch_up_from(&self, conn: &mut DbConnection, position: &mut FeedPosition) -> Result<usize, IndexError> {
        let now = Instant::now();
        position.gaps.retain(|_, noticed| now.duration_since(*noticed) < GAP_PATIENCE);
        let from = position.gaps.keys().next().map_or(position.applied, |gap| (gap - 1).min(position.applied));
        let mut applied = 0;
        let mut after = from;
        loop {
            let changes = change_feed::since(conn, after, FEED_BATCH)?;
            let Some(&(last, _, _)) = changes.last() else { break };
            let mut expected = after + 1;
            for (id, _, _) in &changes {
                if *id > position.applied {
                    for missing in expected.max(position.applied + 1)..*id {
                        position.gaps.entry(missing).or_insert(now);
                    }
                }
                position.gaps.remove(id);
                expected = id + 1;
            }
            self.apply(conn, &changes)?;
            applied += changes.len();
            position.applied = position.applied.max(last);
            after = last;
            if changes.len() < usize::try_from(FEED_BATCH).unwrap_or(usize::MAX) {
                break;
            }
        }
        Ok(applied)
    }

    fn apply(&self, conn: &mut DbConnection, changes: &[(i64, String, i64)]) -> Result<(), IndexError> {
        let mut ids: HashMap<&str, HashSet<i64>> = HashMap::new();
        for (_, entity, id) in changes {
            ids.entry(entity.as_str()).or_default().insert(*id);
        }
        let wanted =
            |entity: &str| -> Vec<i64> { ids.get(entity).map(|s| s.iter().copied().collect()).unwrap_or_default() };
        let (student_ids, offer_ids, application_ids) =
            (wanted(change_feed::STUDENT), wanted(change_feed::OFFER), wanted(change_feed::APPLICATION));
        // Read everything before taking the write lock, so queries wait only for the swap.
        let students = if student_ids.is_empty() { Vec::new() } else { rows::load_students(conn, Some(&student_ids))? };
        let (offers, titles) = if offer_ids.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (rows::load_offers(conn, Some(&offer_ids))?, offers::titles(conn, Some(&offer_ids))?)
        };
        let applications = if application_ids.is_empty() {
            Vec::new()
        } else {
            rows::load_applications(conn, Some(&application_ids))?
        };
        let taxonomy = if ids.contains_key(change_feed::SKILL) { Some(rows::load_taxonomy(conn)?) } else { None };
        let phrases = if ids.contains_key(change_feed::SKILL) {
            Some(PhraseBook::new(rows::load_skill_names(conn)?)?)
        } else {
            None
        };
        let account_ids = wanted(change_feed::ACCOUNT);
        if !account_ids.is_empty() {
            let states = accounts::token_states(conn, Some(&account_ids))?;
            // An account gone from the table has no valid token either.
            let gone = account_ids
                .iter()
                .filter(|id| !states.iter().any(|(found, _)| found == *id))
                .map(|id| (*id, AccountTokens { token_version: 0, disabled: true }))
                .collect::<Vec<_>>();
            self.revocations.update(states.into_iter().chain(gone));
        }
        if !offer_ids.is_empty() {
            let mut held = self.titles.write().map_err(|_| IndexError::Poisoned)?;
            for id in &offer_ids {
                held.remove(id);
            }
            held.extend(titles);
        }
        if let Some(phrases) = phrases {
            *self.phrases.write().map_err(|_| IndexError::Poisoned)? = Arc::new(phrases);
        }
        let mut index = self.index.write().map_err(|_| IndexError::Poisoned)?;
        if let Some(taxonomy) = taxonomy {
            index.replace_taxonomy(Taxonomy::new(taxonomy.parents)?);
            *self.slugs.write().map_err(|_| IndexError::Poisoned)? = taxonomy.slugs;
        }
        let present: HashSet<i64> = students.iter().map(|s| s.id).collect();
        for id in student_ids.iter().filter(|id| !present.contains(id)) {
            index.remove_student(*id);
        }
        for student in &students {
            index.upsert_student(student);
        }
        let present: HashSet<i64> = offers.iter().map(|o| o.id).collect();
        for id in offer_ids.iter().filter(|id| !present.contains(id)) {
            index.remove_offer(*id);
        }
        for offer in &offers {
            index.upsert_offer(offer);
        }
        for (student, offer) in applications {
            index.add_application(student, offer);
        }
        Ok(())
    }

    /// Open offers ranked for a student (eligible ones only).
    pub fn offers_for_student(
        &self,
        student_id: i64,
        kind: Option<OfferKind>,
        limit: usize,
        today: NaiveDate,
    ) -> Vec<MatchResult> {
        self.index.read().map(|index| index.top_offers_for_student(student_id, kind, limit, today)).unwrap_or_default()
    }

    /// Eligible candidates ranked for an offer, in the recruiter's view.
    pub fn candidates_for_offer(&self, offer_id: i64, limit: usize, today: NaiveDate) -> Vec<MatchResult> {
        self.index.read().map(|index| index.top_candidates_for_offer(offer_id, limit, today)).unwrap_or_default()
    }

    /// The students of `among` eligible for an open offer, best first, from
    /// one pass of the candidate ranking (the offer alerts' question).
    pub fn eligible_among(&self, offer_id: i64, among: &HashSet<i64>, today: NaiveDate) -> Vec<MatchResult> {
        self.index.read().map(|index| index.eligible_among(offer_id, among, today)).unwrap_or_default()
    }

    /// The student's near misses among the open offers (optionally of one kind), best first.
    pub fn near_misses(
        &self,
        student_id: i64,
        kind: Option<OfferKind>,
        limit: usize,
        today: NaiveDate,
    ) -> Vec<NearMiss> {
        self.index.read().map(|index| index.near_misses_of_kind(student_id, kind, limit, today)).unwrap_or_default()
    }

    /// Every near miss of each of `students`, under one read of the index.
    pub fn near_misses_of(&self, students: &[i64], today: NaiveDate) -> Vec<(i64, Vec<NearMiss>)> {
        self.index
            .read()
            .map(|index| {
                students
                    .iter()
                    .map(|&id| (id, index.near_misses_for_student(id, usize::MAX, today)))
                    .filter(|(_, found)| !found.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Score and explanation of one pair, eligible or not (the gap view).
    pub fn explain(
        &self,
        student_id: i64,
        offer_id: i64,
        today: NaiveDate,
        recruiter_view: bool,
    ) -> Option<MatchResult> {
        self.index.read().ok().and_then(|index| index.explain(student_id, offer_id, today, recruiter_view))
    }

    /// The slug of a skill of the index.
    pub fn slug(&self, skill: u32) -> String {
        self.slugs.read().ok().and_then(|slugs| slugs.get(&skill).cloned()).unwrap_or_default()
    }

    /// The title of an offer, as of the last feed read.
    pub fn offer_title(&self, offer_id: i64) -> Option<String> {
        self.titles.read().ok().and_then(|titles| titles.get(&offer_id).cloned())
    }

    /// The phrase book of the current taxonomy, for suggestions from text.
    pub fn phrases(&self) -> Option<Arc<PhraseBook>> {
        self.phrases.read().ok().map(|book| Arc::clone(&book))
    }

    /// Which access tokens are revoked, as of the last feed read.
    pub fn revocations(&self) -> &Revocations {
        &self.revocations
    }

    /// Students and offers held.
    pub fn size(&self) -> (usize, usize) {
        self.index.read().map(|index| (index.students_len(), index.offers_len())).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{run_migrations, DatabaseTarget};

    #[test]
    fn a_writer_whose_change_another_catch_up_applied_reads_nothing() {
        let dir = tempfile::tempdir().expect("a scratch directory");
        let target = DatabaseTarget::Sqlite(dir.path().join("feed.db").display().to_string());
        let mut conn = target.connect().expect("a connection");
        run_migrations(&mut conn).expect("migrations");
        let live = LiveIndex::build(&mut conn, None).expect("an index");
        let first = change_feed::recorded(&mut conn, change_feed::APPLICATION, 1).expect("a change");
        assert_eq!(live.catch_up_past(&mut conn, first).expect("caught up"), 1);
        assert_eq!(live.catch_up_past(&mut conn, first).expect("caught up"), 0, "applied already");
        // Two writers commit; the first to catch up applies both changes.
        let second = change_feed::recorded(&mut conn, change_feed::APPLICATION, 2).expect("a change");
        let third = change_feed::recorded(&mut conn, change_feed::APPLICATION, 3).expect("a change");
        assert_eq!(live.catch_up_past(&mut conn, second).expect("caught up"), 2);
        assert_eq!(live.catch_up_past(&mut conn, third).expect("caught up"), 0);
        // A change the index has not seen is read, as by a plain catch-up.
        let fourth = change_feed::recorded(&mut conn, change_feed::APPLICATION, 4).expect("a change");
        assert_eq!(live.catch_up_past(&mut conn, fourth).expect("caught up"), 1);
        assert_eq!(live.catch_up(&mut conn).expect("caught up"), 0);
    }
}
