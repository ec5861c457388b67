//! The skill tree as the queries need it: narrower skills of a skill, and
//! close matches for a misspelt one.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::schema::{skill_aliases, skills};
use crate::db::DbConnection;

/// The skill and every skill below it in the tree.
pub fn descendants_of(conn: &mut DbConnection, skill_id: i64) -> QueryResult<Vec<i64>> {
    let edges: Vec<(i64, Option<i64>)> = skills::table.select((skills::id, skills::parent_id)).load(conn)?;
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for (id, parent) in edges {
        if let Some(parent) = parent {
            children.entry(parent).or_default().push(id);
        }
    }
    let mut found = vec![skill_id];
    let mut next = 0;
    while next < found.len() {
        if let Some(kids) = children.get(&found[next]) {
            for kid in kids {
                // The tree has no loop (refused on write); the check keeps a corrupted row from hanging us.
                if !found.contains(kid) {
                    found.push(*kid);
                }
            }
        }
        next += 1;
    }
    Ok(found)
}

/// Up to three known slugs closest to an unknown name.
pub fn suggestions(conn: &mut DbConnection, unknown: &str) -> QueryResult<Vec<String>> {
    let unknown = unknown.trim().to_lowercase();
    let mut names: Vec<(String, String)> =
        skills::table.select((skills::slug, skills::slug)).load::<(String, String)>(conn)?;
    names.extend(skill_aliases::table.inner_join(skills::table).select((skill_aliases::alias, skills::slug)).load::<(
        String,
        String,
    )>(
        conn
    )?);
    let mut scored: Vec<(f64, String)> = names
        .into_iter()
        .map(|(name, slug)| (strsim::jaro_winkler(&unknown, &name), slug))
        .filter(|(score, _)| *score >= 0.85)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut slugs: Vec<String> = Vec::new();
    for (_, slug) in scored {
        if !slugs.contains(&slug) {
            slugs.push(slug);
        }
        if slugs.len() == 3 {
            break;
        }
    }
    Ok(slugs)
}
