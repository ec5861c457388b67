//! Whole numbers in JSON bodies, read as JSON Schema reads them.
//!
//! The document declares counts, levels and amounts as `integer`, and JSON
//! Schema counts `2.0` as an integer; serde's own integer types refuse it.
//! Fields declared `integer` deserialize through these functions so that the
//! server accepts what the document allows: any number without a fractional
//! part that fits the field.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Unexpected, Visitor};

struct Whole<T>(PhantomData<T>);

impl<'de, T: TryFrom<i64> + TryFrom<u64>> Visitor<'de> for Whole<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number in range")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        // i64's bounds as f64 are exact powers of two, so the comparison is exact.
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        if v.fract() == 0.0 && v >= i64::MIN as f64 && v < i64::MAX as f64 {
            self.visit_i64(v as i64)
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }
}

/// A required whole number.
pub fn deserialize<'de, D: Deserializer<'de>, T: TryFrom<i64> + TryFrom<u64>>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(Whole(PhantomData))
}

struct MaybeWhole<T>(PhantomData<T>);

impl<'de, T: TryFrom<i64> + TryFrom<u64>> Visitor<'de> for MaybeWhole<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number in range, or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        deserialize(d).map(Some)
    }
}

/// An optional whole number: `null` or absent is `None` (use with
/// `#[serde(default)]`).
pub fn deserialize_option<'de, D: Deserializer<'de>, T: TryFrom<i64> + TryFrom<u64>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    d.deserialize_option(MaybeWhole(PhantomData))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Fields {
        #[serde(deserialize_with = "super::deserialize")]
        level: u8,
        #[serde(default, deserialize_with = "super::deserialize_option")]
        stipend: Option<u32>,
    }

    #[test]
    fn whole_numbers_are_read_whatever_their_notation() {
        for (text, expected) in [
            (r#"{"level": 3}"#, Some((3, None))),
            (r#"{"level": 3.0, "stipend": 4000.0}"#, Some((3, Some(4000)))),
            (r#"{"level": 3, "stipend": null}"#, Some((3, None))),
            (r#"{"level": 3, "stipend": 0}"#, Some((3, Some(0)))),
            (r#"{"level": 3.5}"#, None),
            (r#"{"level": 256}"#, None),
            (r#"{"level": -1}"#, None),
            (r#"{"level": 1e300}"#, None),
            (r#"{"level": "3"}"#, None),
            (r#"{"level": 3, "stipend": -1}"#, None),
            (r#"{"stipend": 1}"#, None),
        ] {
            let read = serde_json::from_str::<Fields>(text).ok().map(|f| (f.level, f.stipend));
            assert_eq!(read, expected, "{text}");
        }
    }
}
