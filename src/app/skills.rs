//! Skill names as users give them (slugs or aliases), resolved to the taxonomy.

use crate::db::DbConnection;
use crate::domain::Violation;
use crate::domain::ViolationCode;
use crate::error::ApiError;
use crate::store::{reference, taxonomy};

/// Resolves slugs and aliases to skill ids; unknown ones are violations at
/// `{field}[i].skill` with close matches suggested.
pub fn resolve_skills(
    conn: &mut DbConnection,
    field: &str,
    names: impl Iterator<Item = String>,
) -> Result<Vec<(i64, String)>, ApiError> {
    let mut resolved = Vec::new();
    let mut violations = Vec::new();
    for (index, name) in names.enumerate() {
        // Only the id and slug are needed: no aliases or parent to load per name.
        match reference::canonical_skill(conn, &name)? {
            Some(skill) => resolved.push(skill),
            None => {
                let close = taxonomy::suggestions(conn, &name)?;
                let hint =
                    if close.is_empty() { String::new() } else { format!("; did you mean {}?", close.join(", ")) };
                violations.push(Violation::new(
                    format!("{field}[{index}].skill"),
                    ViolationCode::UnknownSkill,
                    format!("unknown skill {name:?}{hint}"),
                ));
            }
        }
    }
    ApiError::check(violations)?;
    Ok(resolved)
}

/// Resolves the `skill` filter of a list. An unknown skill there is a bad
/// query parameter, answered 400 like any other, naming the parameter.
pub fn resolve_skill_filter(conn: &mut DbConnection, name: &str) -> Result<i64, ApiError> {
    match resolve_skills(conn, "skill", std::iter::once(name.to_owned())) {
        Ok(mut resolved) => Ok(resolved.remove(0).0),
        Err(ApiError::Validation(violations)) => Err(ApiError::InvalidParameters(
            violations.into_iter().map(|v| Violation::new("skill", v.code, v.message)).collect(),
        )),
        Err(other) => Err(other),
    }
}
