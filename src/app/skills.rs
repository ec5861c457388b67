//! Skill names as users give them (slugs or aliases), resolved to the taxonomy.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
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
                let message = if close.is_empty() {
                    crate::domain::Message::new("unknown-skill").arg("name", &name)
                } else {
                    crate::domain::Message::new("unknown-skill-did-you-mean")
                        .arg("name", &name)
                        .arg("close", close.join(", "))
                };
                violations.push(Violation::new(
                    format!("{field}[{index}].skill"),
                    ViolationCode::UnknownSkill,
                    message,
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

/// A text to find skills in: an offer's title and description, or a CV summary.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestionRequest {
    /// At most 300 characters; may be empty when the description is not.
    #[serde(default)]
    #[schema(example = "Stage PFE : MLOps sur Kubernetes", max_length = 300)]
    pub title: String,
    /// French or English, at most 20,000 characters; may be empty when the title is not.
    #[serde(default)]
    #[schema(
        example = "Vous industrialiserez des modèles d'apprentissage automatique (Python, k8s) avec l'équipe data.",
        max_length = 20000
    )]
    pub description: String,
}

/// Longest title scanned, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// Longest description scanned, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;

/// Which text of the request a phrase was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionField {
    Title,
    Description,
}

/// One place a skill is named.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillMention {
    pub field: SuggestionField,
    /// The phrase as written in the text.
    #[schema(example = "apprentissage automatique")]
    pub phrase: String,
    /// Offset of its first character, counted in Unicode characters (code points) from 0.
    #[schema(example = 23)]
    pub start: usize,
    /// Offset just after its last character.
    #[schema(example = 48)]
    pub end: usize,
}

/// A taxonomy skill named in the text.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillSuggestion {
    #[schema(example = "machine-learning")]
    pub slug: String,
    #[schema(example = "Apprentissage automatique")]
    pub label_fr: String,
    #[schema(example = "Machine learning")]
    pub label_en: String,
    /// Every place it is named, the title's first, then in the order of the text.
    pub mentions: Vec<SkillMention>,
}

/// The skills found, in the order they are first named (title, then description).
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillSuggestions {
    pub skills: Vec<SkillSuggestion>,
}

/// Finds the taxonomy skills a text names, by label (French or English), slug
/// or alias. Reads the phrase book of the matching index; saves nothing.
pub fn suggest_skills(state: &AppState, request: &SuggestionRequest) -> Result<SkillSuggestions, ApiError> {
    let mut violations = Vec::new();
    if request.title.chars().count() > MAX_TITLE_CHARS {
        violations.push(Violation::new(
            "title",
            ViolationCode::TooLong,
            crate::domain::Message::new("too-long").arg("max", MAX_TITLE_CHARS),
        ));
    }
    if request.description.chars().count() > MAX_DESCRIPTION_CHARS {
        violations.push(Violation::new(
            "description",
            ViolationCode::TooLong,
            crate::domain::Message::new("too-long").arg("max", MAX_DESCRIPTION_CHARS),
        ));
    }
    if request.title.trim().is_empty() && request.description.trim().is_empty() {
        violations.push(Violation::new(
            "description",
            ViolationCode::Required,
            crate::domain::Message::new("give-a-title-or-a-description"),
        ));
    }
    ApiError::check(violations)?;
    let book = state
        .index
        .phrases()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the skill phrase book lock is poisoned")))?;
    let mut skills: Vec<SkillSuggestion> = Vec::new();
    for (field, text) in
        [(SuggestionField::Title, &request.title), (SuggestionField::Description, &request.description)]
    {
        for found in book.find(text) {
            let mentions = found.occurrences.into_iter().map(|o| SkillMention {
                field,
                phrase: o.phrase,
                start: o.start,
                end: o.end,
            });
            match skills.iter_mut().find(|s| s.slug == found.skill.slug) {
                Some(known) => known.mentions.extend(mentions),
                None => skills.push(SkillSuggestion {
                    slug: found.skill.slug.clone(),
                    label_fr: found.skill.label_fr.clone(),
                    label_en: found.skill.label_en.clone(),
                    mentions: mentions.collect(),
                }),
            }
        }
    }
    Ok(SkillSuggestions { skills })
}
