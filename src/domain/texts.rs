//! Document-side names for the short texts that lists in request bodies hold
//! (cities, languages, aliases, links): the same rules as the single fields
//! of the same kind, so that generated clients and the document's readers
//! see the bounds the server checks. The values travel as plain strings.

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

/// A string schema: `min` to `max` characters, matching `pattern`.
fn text(description: &str, min: usize, max: usize, pattern: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .min_length(Some(min))
        .max_length(Some(max))
        .pattern(Some(pattern))
        .into()
}

macro_rules! text_schema {
    ($(#[$meta:meta])* $name:ident, $description:expr, $min:expr, $max:expr, $pattern:expr) => {
        $(#[$meta])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                text($description, $min, $max, $pattern)
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

// Not blank: the server trims surrounding spaces before counting.
const NOT_BLANK: &str = "\\S";

text_schema!(
    /// A city name in a list.
    CityName,
    "1 to 100 characters, not counting surrounding spaces; each city once (case ignored).",
    1,
    super::offer::MAX_CITY_CHARS,
    NOT_BLANK
);

text_schema!(
    /// A working language in a list.
    LanguageName,
    "1 to 50 characters, not counting surrounding spaces; each language once (case ignored).",
    1,
    super::offer::MAX_LANGUAGE_CHARS,
    NOT_BLANK
);

text_schema!(
    /// Another name of a skill.
    SkillAlias,
    "1 to 100 characters, not counting surrounding spaces; stored in lower case.",
    1,
    100,
    NOT_BLANK
);

text_schema!(
    /// A link on a profile.
    WebLink,
    "An http or https link, at most 300 characters.",
    8,
    super::student::MAX_LINK_CHARS,
    "^https?://[^\\s/?#\\x00-\\x1f\\x7f-\\x9f]+[^\\s\\x00-\\x1f\\x7f-\\x9f]*$"
);
