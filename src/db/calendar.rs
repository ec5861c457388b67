//! Days and instants read from the database without chrono's format parser.
//!
//! SQLite keeps `DATE` and `TIMESTAMP` values as ISO text, and diesel reads
//! each with `parse_from_str`, which interprets its format string again for
//! every value: about 900 instructions for a day, and several thousand for
//! an instant, whose formats are tried one after the other. The text the
//! service writes always has one shape (`2026-12-01`, `2026-12-01 09:30:00`
//! with an optional fraction), so these types read that shape directly and
//! leave anything else to diesel's own parsing. PostgreSQL sends binary
//! values, read as diesel reads them.
//!
//! Rows keep chrono's types: a field names one of these as
//! `#[diesel(deserialize_as = ...)]`.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::sql_types::{Date, Nullable, Timestamp};
use diesel::sqlite::{Sqlite, SqliteType};

use super::DbConnection;

type Multi = <DbConnection as diesel::Connection>::Backend;

/// A `DATE` column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct Day(pub NaiveDate);

/// A nullable `DATE` column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct MaybeDay(pub Option<NaiveDate>);

/// A `TIMESTAMP` column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct Instant(pub NaiveDateTime);

/// A nullable `TIMESTAMP` column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct MaybeInstant(pub Option<NaiveDateTime>);

/// `digits` as a number, when they are all ASCII digits.
fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |n, &d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
}

/// `YYYY-MM-DD`, exactly.
fn iso_day(text: &[u8]) -> Option<NaiveDate> {
    match text {
        [y @ .., b'-', m1, m2, b'-', d1, d2] if y.len() == 4 => {
            let year = i32::try_from(number(y)?).ok()?;
            NaiveDate::from_ymd_opt(year, number(&[*m1, *m2])?, number(&[*d1, *d2])?)
        }
        _ => None,
    }
}

/// `YYYY-MM-DD HH:MM:SS`, then optionally `.` and one to nine digits.
fn iso_instant(text: &[u8]) -> Option<NaiveDateTime> {
    if text.len() < 19 || text[10] != b' ' || text[13] != b':' || text[16] != b':' {
        return None;
    }
    let day = iso_day(&text[..10])?;
    let (h, m, s) = (number(&text[11..13])?, number(&text[14..16])?, number(&text[17..19])?);
    let nanos = match &text[19..] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            number(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    Some(day.and_time(NaiveTime::from_hms_nano_opt(h, m, s, nanos)?))
}

/// The value's text, when SQLite holds it as text (reading another type as
/// text would convert it in place, under diesel's own parsing).
fn read_text<'a>(value: &'a mut <Sqlite as Backend>::RawValue<'_>) -> Option<&'a [u8]> {
    (value.value_type() == Some(SqliteType::Text)).then(|| value.read_text().as_bytes())
}

impl FromSql<Date, Sqlite> for Day {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        match read_text(&mut value).and_then(iso_day) {
            Some(day) => Ok(Self(day)),
            None => Ok(Self(<NaiveDate as FromSql<Date, Sqlite>>::from_sql(value)?)),
        }
    }
}

impl FromSql<Date, Pg> for Day {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        Ok(Self(<NaiveDate as FromSql<Date, Pg>>::from_sql(value)?))
    }
}

impl FromSql<Date, Multi> for Day {
    fn from_sql(value: <Multi as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Date>()
    }
}

impl FromSql<Timestamp, Sqlite> for Instant {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        match read_text(&mut value).and_then(iso_instant) {
            Some(instant) => Ok(Self(instant)),
            None => Ok(Self(<NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value)?)),
        }
    }
}

impl FromSql<Timestamp, Pg> for Instant {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        Ok(Self(<NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value)?))
    }
}

impl FromSql<Timestamp, Multi> for Instant {
    fn from_sql(value: <Multi as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Timestamp>()
    }
}

/// The nullable forms read NULL as `None` and anything else as their
/// non-null form does.
macro_rules! nullable {
    ($maybe:ident, $one:ident, $sql:ty) => {
        impl<DB: Backend> FromSql<Nullable<$sql>, DB> for $maybe
        where
            $one: FromSql<$sql, DB>,
        {
            fn from_sql(value: DB::RawValue<'_>) -> deserialize::Result<Self> {
                Ok(Self(Some(<$one as FromSql<$sql, DB>>::from_sql(value)?.0)))
            }

            fn from_nullable_sql(value: Option<DB::RawValue<'_>>) -> deserialize::Result<Self> {
                value.map_or(Ok(Self(None)), <Self as FromSql<Nullable<$sql>, DB>>::from_sql)
            }
        }
    };
}

nullable!(MaybeDay, Day, Date);
nullable!(MaybeInstant, Instant, Timestamp);

impl From<Day> for NaiveDate {
    fn from(day: Day) -> Self {
        day.0
    }
}

impl From<MaybeDay> for Option<NaiveDate> {
    fn from(day: MaybeDay) -> Self {
        day.0
    }
}

impl From<Instant> for NaiveDateTime {
    fn from(instant: Instant) -> Self {
        instant.0
    }
}

impl From<MaybeInstant> for Option<NaiveDateTime> {
    fn from(instant: MaybeInstant) -> Self {
        instant.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Year, month, day.
    type Ymd = (i32, u32, u32);

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d).and_then(|day| day.and_hms_nano_opt(h, mi, s, nanos)).expect("a real instant")
    }

    #[test]
    fn the_shape_the_service_writes_is_read_directly_and_nothing_else_is() {
        let days: &[(&str, Option<Ymd>)] = &[
            ("2026-12-01", Some((2026, 12, 1))),
            ("2024-02-29", Some((2024, 2, 29))),
            ("0999-01-31", Some((999, 1, 31))),
            // Not a day: left to chrono, which refuses them too.
            ("2026-02-30", None),
            ("2026-13-01", None),
            // Another shape: left to chrono, which may read it.
            ("2026-1-05", None),
            ("+2026-12-01", None),
            ("2026-12-01 ", None),
            ("2026/12/01", None),
            ("", None),
        ];
        for (text, expected) in days {
            let read = iso_day(text.as_bytes());
            let expected = expected.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d));
            assert_eq!(read, expected, "{text}");
            if let Some(day) = read {
                assert_eq!(Some(day), NaiveDate::parse_from_str(text, "%F").ok(), "{text} read as chrono reads it");
            }
        }
        let instants: &[(&str, Option<NaiveDateTime>)] = &[
            ("2026-12-01 09:30:00", Some(at(2026, 12, 1, 9, 30, 0, 0))),
            ("2026-12-01 09:30:00.5", Some(at(2026, 12, 1, 9, 30, 0, 500_000_000))),
            ("2026-12-01 09:30:00.123456", Some(at(2026, 12, 1, 9, 30, 0, 123_456_000))),
            ("2026-12-01 23:59:59.999999999", Some(at(2026, 12, 1, 23, 59, 59, 999_999_999))),
            ("2026-12-01 24:00:00", None),
            ("2026-12-01 09:30:00.", None),
            ("2026-12-01 09:30:00.1234567890", None),
            ("2026-12-01T09:30:00", None),
            ("2026-12-01 09:30", None),
            ("2026-12-01 09:30:00Z", None),
        ];
        for (text, expected) in instants {
            let read = iso_instant(text.as_bytes());
            assert_eq!(read, *expected, "{text}");
            if let Some(instant) = read {
                let chrono = NaiveDateTime::parse_from_str(text, "%F %T%.f").ok();
                assert_eq!(Some(instant), chrono, "{text} read as chrono reads it");
            }
        }
    }
}
