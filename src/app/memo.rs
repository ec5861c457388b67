//! Answers worked out once and kept for the requests that follow: what a
//! request would otherwise read from the database and serialise again.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::error::ApiError;

/// A bounded map of values by a key that names them exactly (an offer and its
/// version, say), so an entry is never stale and needs no invalidation.
/// Emptied when full: the next requests fill it again with what they use.
/// With a maximum age, an entry is also dropped once older: for values that
/// hold personal data, which no process should keep long after it changed.
pub struct Memo<K, V> {
    entries: Mutex<HashMap<K, (V, Instant)>>,
    capacity: usize,
    max_age: Option<Duration>,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    /// A memo holding at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Memo { entries: Mutex::new(HashMap::new()), capacity, max_age: None }
    }

    /// A memo holding at most `capacity` entries, each for at most `max_age`.
    pub fn with_max_age(capacity: usize, max_age: Duration) -> Self {
        Memo { max_age: Some(max_age), ..Self::new(capacity) }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<K, (V, Instant)>> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The value kept for `key`, if any.
    pub fn get(&self, key: &K) -> Option<V> {
        let mut entries = self.entries();
        let (value, kept_at) = entries.get(key)?;
        if self.max_age.is_some_and(|max_age| kept_at.elapsed() >= max_age) {
            entries.remove(key);
            return None;
        }
        Some(value.clone())
    }

    /// Keeps `value` for `key`.
    pub fn insert(&self, key: K, value: V) {
        let mut entries = self.entries();
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(key, (value, Instant::now()));
    }

    /// Drops every entry whose key `concerns` names.
    pub fn forget(&self, concerns: impl Fn(&K) -> bool) {
        self.entries().retain(|key, _| !concerns(key));
    }
}

impl<K: Eq + Hash> Memo<K, Serialised> {
    /// Writes the JSON of `view` and keeps it for `key`.
    pub fn write<T: Serialize>(&self, key: K, view: &T) -> Result<Serialised, ApiError> {
        let json = Serialised::of(view).map_err(|e| ApiError::Internal(e.into()))?;
        self.insert(key, json.clone());
        Ok(json)
    }

    /// The JSON kept for `key`, or else that of the view `make` gives, written
    /// and kept: `make` runs only when nothing is kept.
    pub fn get_or_write<T: Serialize>(
        &self,
        key: K,
        make: impl FnOnce() -> Result<T, ApiError>,
    ) -> Result<Serialised, ApiError> {
        match self.get(&key) {
            Some(kept) => Ok(kept),
            None => self.write(key, &make()?),
        }
    }
}

/// A view serialised once: sent as it is inside every answer that holds it.
#[derive(Debug, Clone)]
pub struct Serialised(Arc<RawValue>);

impl Serialised {
    /// The JSON of `view`.
    pub fn of<T: Serialize>(view: &T) -> Result<Self, serde_json::Error> {
        Ok(Serialised(Arc::from(serde_json::value::to_raw_value(view)?)))
    }
}

impl Serialize for Serialised {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// One value of the day that every process reads again at most every
/// `max_age`, and this process at once after it changed it itself: for data
/// that changes rarely and is dear to read, such as the training catalogue.
pub struct DailyCopy<V> {
    kept: Mutex<Kept<V>>,
    max_age: Duration,
}

/// The copy, if any, and how many times it was forgotten.
struct Kept<V> {
    copy: Option<(NaiveDate, Instant, Arc<V>)>,
    forgotten: u64,
}

impl<V> DailyCopy<V> {
    /// A copy read again when older than `max_age`.
    pub fn new(max_age: Duration) -> Self {
        DailyCopy { kept: Mutex::new(Kept { copy: None, forgotten: 0 }), max_age }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept<V>> {
        self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The copy of `today`, read by `load` when there is none, it is of
    /// another day, or older than the maximum age.
    pub fn get_or_load<E>(&self, today: NaiveDate, load: impl FnOnce() -> Result<V, E>) -> Result<Arc<V>, E> {
        let forgotten = {
            let kept = self.kept();
            if let Some((day, read_at, value)) = &kept.copy {
                if *day == today && read_at.elapsed() < self.max_age {
                    return Ok(value.clone());
                }
            }
            kept.forgotten
        };
        // Read outside the lock: a slow read never holds up a request that
        // has a fresh copy; two concurrent reads both keep a correct one.
        let read_at = Instant::now();
        let value = Arc::new(load()?);
        let mut kept = self.kept();
        // Forgotten while it was read: it may predate the change, so it
        // answers this request only.
        if kept.forgotten == forgotten {
            kept.copy = Some((today, read_at, value.clone()));
        }
        Ok(value)
    }

    /// Forgets the copy, and any read under way: the next request reads the data again.
    pub fn forget(&self) {
        let mut kept = self.kept();
        kept.copy = None;
        kept.forgotten += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, d).expect("a day")
    }

    #[test]
    fn a_full_memo_is_emptied_before_it_takes_more() {
        let memo = Memo::new(2);
        memo.insert(1, "one");
        memo.insert(2, "two");
        assert_eq!(memo.get(&1), Some("one"));
        memo.insert(3, "three");
        assert_eq!((memo.get(&1), memo.get(&2), memo.get(&3)), (None, None, Some("three")));
    }

    #[test]
    fn an_entry_older_than_the_maximum_age_or_forgotten_is_not_given() {
        let aging = Memo::with_max_age(10, Duration::ZERO);
        aging.insert(1, "one");
        assert_eq!(aging.get(&1), None, "aged out at once");
        let memo = Memo::with_max_age(10, Duration::from_secs(3600));
        for (student, version) in [(1, 1), (1, 2), (2, 1)] {
            memo.insert((student, version), "profile");
        }
        assert_eq!(memo.get(&(1, 2)), Some("profile"));
        memo.forget(|(student, _)| *student == 1);
        assert_eq!((memo.get(&(1, 1)), memo.get(&(1, 2)), memo.get(&(2, 1))), (None, None, Some("profile")));
    }

    #[test]
    fn a_serialised_view_is_sent_as_it_was_written() {
        let kept = Serialised::of(&serde_json::json!({"id": 7, "title": "Data"})).expect("json");
        let page = serde_json::json!({ "items": [kept.clone()] });
        assert_eq!(serde_json::to_string(&kept).expect("json"), r#"{"id":7,"title":"Data"}"#);
        assert_eq!(page["items"][0]["title"], "Data");
    }

    #[test]
    fn a_daily_copy_is_read_again_on_another_day_when_old_or_forgotten() {
        let reads = std::cell::Cell::new(0);
        let load = || -> Result<u32, ()> {
            reads.set(reads.get() + 1);
            Ok(reads.get())
        };
        let copy = DailyCopy::new(Duration::from_secs(3600));
        let cases: [(&str, NaiveDate, bool, u32); 5] = [
            ("first read", day(4), false, 1),
            ("same day, fresh", day(4), false, 1),
            ("another day", day(5), false, 2),
            ("forgotten", day(5), true, 3),
            ("kept again", day(5), false, 3),
        ];
        for (case, today, forget, expected) in cases {
            if forget {
                copy.forget();
            }
            assert_eq!(*copy.get_or_load(today, load).expect("loaded"), expected, "{case}");
        }
        let during = DailyCopy::new(Duration::from_secs(3600));
        let read = *during
            .get_or_load(day(4), || {
                during.forget();
                load()
            })
            .expect("loaded");
        assert_eq!(*during.get_or_load(day(4), load).expect("loaded"), read + 1, "forgotten while it was read");
        let stale = DailyCopy::new(Duration::ZERO);
        let first = *stale.get_or_load(day(4), load).expect("loaded");
        assert_eq!(*stale.get_or_load(day(4), load).expect("loaded"), first + 1, "older than the maximum age");
    }
}
