//! The reference data files under `data/`: participating schools, AXA
//! organisations and the skill taxonomy, parsed and checked before loading.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

/// The business domains of the taxonomy, after the convention's axes.
pub const DOMAINS: &[&str] =
    &["cybersecurity", "data", "ai", "cloud", "devops", "testing", "software_engineering", "transversal", "languages"];

/// A participating school, as listed in `data/schools.csv`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct SchoolRecord {
    pub code: String,
    pub name: String,
    pub city: String,
    pub kind: String,
}

/// An AXA organisation, as listed in `data/organisations.csv`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct OrganisationRecord {
    pub code: String,
    pub name: String,
    pub city: String,
}

/// A skill of the taxonomy, as listed in `data/skills.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillRecord {
    pub slug: String,
    pub label_fr: String,
    pub label_en: String,
    pub domain: String,
    pub parent: Option<String>,
    pub aliases: Vec<String>,
}

#[derive(Deserialize)]
struct SkillLine {
    slug: String,
    label_fr: String,
    label_en: String,
    domain: String,
    parent: String,
    aliases: String,
}

/// Everything under `data/` that is loaded at start.
#[derive(Debug, Clone)]
pub struct ReferenceData {
    pub schools: Vec<SchoolRecord>,
    pub organisations: Vec<OrganisationRecord>,
    pub skills: Vec<SkillRecord>,
}

/// A reference file that cannot be read or breaks a rule.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: csv::Error },
    #[error("{0}")]
    Invalid(String),
}

impl ReferenceData {
    /// Reads and checks the three files in `dir`.
    pub fn load(dir: &Path) -> Result<Self, ReferenceError> {
        let data = Self {
            schools: read_csv(&dir.join("schools.csv"))?,
            organisations: read_csv(&dir.join("organisations.csv"))?,
            skills: read_csv::<SkillLine>(&dir.join("skills.csv"))?
                .into_iter()
                .map(|line| SkillRecord {
                    slug: line.slug.trim().to_owned(),
                    label_fr: line.label_fr.trim().to_owned(),
                    label_en: line.label_en.trim().to_owned(),
                    domain: line.domain.trim().to_owned(),
                    parent: Some(line.parent.trim().to_owned()).filter(|p| !p.is_empty()),
                    aliases: split_list(&line.aliases),
                })
                .collect(),
        };
        check_taxonomy(&data.skills).map_err(ReferenceError::Invalid)?;
        Ok(data)
    }
}

fn read_csv<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, ReferenceError> {
    let wrap = |source| ReferenceError::Read { path: path.display().to_string(), source };
    csv::Reader::from_path(path).map_err(wrap)?.deserialize().collect::<Result<Vec<T>, _>>().map_err(wrap)
}

/// Splits a `|`-separated list, trimming and lowercasing each entry.
pub fn split_list(text: &str) -> Vec<String> {
    text.split('|').map(|part| part.trim().to_lowercase()).filter(|part| !part.is_empty()).collect()
}

/// Checks the taxonomy: unique slugs and aliases, known domains, parents that
/// exist and no parent loop.
pub fn check_taxonomy(skills: &[SkillRecord]) -> Result<(), String> {
    let mut slugs = HashSet::new();
    for skill in skills {
        if !slugs.insert(skill.slug.as_str()) {
            return Err(format!("skill {} is listed twice", skill.slug));
        }
        if !DOMAINS.contains(&skill.domain.as_str()) {
            return Err(format!("skill {} has unknown domain {}", skill.slug, skill.domain));
        }
    }
    let mut aliases = HashSet::new();
    for skill in skills {
        for alias in &skill.aliases {
            if slugs.contains(alias.as_str()) || !aliases.insert(alias.as_str()) {
                return Err(format!("alias {alias} of {} is not unique", skill.slug));
            }
        }
    }
    let parents: HashMap<&str, &str> =
        skills.iter().filter_map(|s| s.parent.as_deref().map(|p| (s.slug.as_str(), p))).collect();
    for (child, parent) in &parents {
        if !slugs.contains(parent) {
            return Err(format!("skill {child} has unknown parent {parent}"));
        }
    }
    for start in parents.keys() {
        let mut seen = HashSet::new();
        let mut current = *start;
        while let Some(parent) = parents.get(current) {
            if !seen.insert(current) {
                return Err(format!("skill {start} is in a parent loop"));
            }
            current = parent;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(slug: &str, parent: Option<&str>, aliases: &[&str]) -> SkillRecord {
        SkillRecord {
            slug: slug.into(),
            label_fr: slug.into(),
            label_en: slug.into(),
            domain: "data".into(),
            parent: parent.map(Into::into),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn taxonomy_rules() {
        let cases: Vec<(Vec<SkillRecord>, bool)> = vec![
            (vec![skill("a", None, &["x"]), skill("b", Some("a"), &[])], true),
            (vec![skill("a", None, &[]), skill("a", None, &[])], false),
            (vec![skill("a", None, &["b"]), skill("b", None, &[])], false),
            (vec![skill("a", None, &["x"]), skill("b", None, &["x"])], false),
            (vec![skill("a", Some("zz"), &[])], false),
            (vec![skill("a", Some("b"), &[]), skill("b", Some("a"), &[])], false),
        ];
        for (skills, ok) in cases {
            assert_eq!(check_taxonomy(&skills).is_ok(), ok, "{skills:?}");
        }
    }

    #[test]
    fn the_shipped_reference_data_is_valid() {
        let data = ReferenceData::load(Path::new("data"));
        let data = match data {
            Ok(data) => data,
            Err(e) => panic!("{e}"),
        };
        assert!(data.skills.len() >= 150, "{} skills", data.skills.len());
        assert!(data.schools.iter().any(|s| s.code == "ECC"));
        assert!(!data.organisations.is_empty());
        let kubernetes = data.skills.iter().find(|s| s.slug == "kubernetes");
        assert!(kubernetes.is_some_and(|k| k.aliases.contains(&"k8s".to_owned())));
    }
}
