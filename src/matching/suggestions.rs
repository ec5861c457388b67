//! Skills named in free text (an offer's description, a CV summary): every
//! label, slug and alias of the taxonomy goes into one Aho–Corasick automaton,
//! and a text is scanned once, accent- and case-blind, on word boundaries.
//!
//! Both the names and the text are folded the same way: lower case, accents
//! dropped (é → e, œ → oe), and every run of spaces, hyphens, underscores and
//! apostrophes made one space, so that the alias `apprentissage-automatique`
//! finds "Apprentissage automatique" and `test-d-intrusion` finds "test
//! d'intrusion". Other punctuation is kept: `c++`, `c#` and `.net` are names.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

/// A skill of the taxonomy with every name it may be written under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSkill {
    /// The skill's id in the store.
    pub id: i64,
    pub slug: String,
    pub label_fr: String,
    pub label_en: String,
    /// Other accepted names (`k8s`).
    pub aliases: Vec<String>,
}

/// Where a skill was found: character offsets into the text scanned, `end`
/// exclusive, and the phrase as written there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub start: usize,
    pub end: usize,
    pub phrase: String,
}

/// A skill found in a text and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundSkill<'a> {
    pub skill: &'a NamedSkill,
    /// In the order of the text.
    pub occurrences: Vec<Occurrence>,
}

/// The automaton over every name of the taxonomy. Built once per version of
/// the taxonomy; scanning takes `&self` so readers share it.
pub struct PhraseBook {
    automaton: AhoCorasick,
    /// The skills (indexes into `skills`) each pattern names: a folded name
    /// may be shared by two skills, and then it suggests both.
    owners: Vec<Vec<usize>>,
    /// Whether each pattern starts and ends with a letter or digit: only
    /// those edges need a word boundary (`.net` may follow `asp`).
    word_edges: Vec<(bool, bool)>,
    skills: Vec<NamedSkill>,
}

/// Text folded for matching, with the original character each byte came from.
struct Folded {
    text: String,
    /// For every byte of `text`: the index of the original character.
    origin: Vec<u32>,
    /// Byte offset of every original character, and the length at the end.
    char_starts: Vec<usize>,
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '_' | '\'' | '’' | '‘' | '‐' | '–')
}

fn fold(original: &str) -> Folded {
    let mut text = String::with_capacity(original.len());
    let mut origin = Vec::with_capacity(original.len());
    let mut char_starts = Vec::with_capacity(original.len() + 1);
    for (index, (offset, c)) in original.char_indices().enumerate() {
        char_starts.push(offset);
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        if is_separator(c) {
            if !text.ends_with(' ') {
                text.push(' ');
            }
        } else if c.is_ascii() {
            text.push(c.to_ascii_lowercase());
        } else {
            crate::domain::search::push_folded(c, &mut text);
        }
        origin.resize(text.len(), index);
    }
    char_starts.push(original.len());
    Folded { text, origin, char_starts }
}

/// A text as the automaton sees it: lower case, accents dropped, separators
/// made single spaces.
pub fn folded(text: &str) -> String {
    fold(text).text
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

impl PhraseBook {
    /// The automaton over the slugs, both labels and the aliases of every
    /// skill. Names of one character are left out: "R" or "C" alone is a
    /// letter far more often than a language ("R language" still counts).
    pub fn new(skills: Vec<NamedSkill>) -> Result<Self, aho_corasick::BuildError> {
        let mut owners_of: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, skill) in skills.iter().enumerate() {
            let names = [&skill.slug, &skill.label_fr, &skill.label_en].into_iter().chain(skill.aliases.iter());
            for name in names {
                let folded = fold(name).text.trim().to_owned();
                if folded.chars().count() < 2 {
                    continue;
                }
                let owners = owners_of.entry(folded).or_default();
                if !owners.contains(&index) {
                    owners.push(index);
                }
            }
        }
        let mut patterns: Vec<(String, Vec<usize>)> = owners_of.into_iter().collect();
        // A stable pattern order keeps the answers the same from one build to the next.
        patterns.sort();
        let word_edges = patterns
            .iter()
            .map(|(p, _)| (p.chars().next().is_some_and(is_word), p.chars().next_back().is_some_and(is_word)))
            .collect();
        let automaton =
            AhoCorasick::builder().match_kind(MatchKind::Standard).build(patterns.iter().map(|(p, _)| p.as_str()))?;
        Ok(Self { automaton, owners: patterns.into_iter().map(|(_, o)| o).collect(), word_edges, skills })
    }

    /// Number of skills known.
    pub fn len(&self) -> usize {
        self.skills.len()
    }

    /// Whether no skill is known.
    pub fn is_empty(&self) -> bool {
        self.skills.is_empty()
    }

    /// The skills named in `text`, in the order of their first occurrence.
    /// Where names overlap ("deep learning" and "learning"), the one starting
    /// first wins, then the longest.
    pub fn find(&self, text: &str) -> Vec<FoundSkill<'_>> {
        let folded = fold(text);
        let haystack = folded.text.as_str();
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for found in self.automaton.find_overlapping_iter(haystack) {
            let (start, end, pattern) = (found.start(), found.end(), found.pattern().as_usize());
            let (word_start, word_end) = self.word_edges[pattern];
            if word_start && haystack[..start].chars().next_back().is_some_and(is_word) {
                continue;
            }
            if word_end && haystack[end..].chars().next().is_some_and(is_word) {
                continue;
            }
            spans.push((start, end, pattern));
        }
        spans.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut found: Vec<FoundSkill<'_>> = Vec::new();
        let mut slot_of: HashMap<usize, usize> = HashMap::new();
        let mut taken_until = 0;
        for (start, end, pattern) in spans {
            if start < taken_until {
                continue;
            }
            taken_until = end;
            let first = folded.origin[start] as usize;
            let last = folded.origin[end - 1] as usize + 1;
            let occurrence = Occurrence {
                start: first,
                end: last,
                phrase: text[folded.char_starts[first]..folded.char_starts[last]].to_owned(),
            };
            for &owner in &self.owners[pattern] {
                let slot = *slot_of.entry(owner).or_insert_with(|| {
                    found.push(FoundSkill { skill: &self.skills[owner], occurrences: Vec::new() });
                    found.len() - 1
                });
                found[slot].occurrences.push(occurrence.clone());
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(id: i64, slug: &str, fr: &str, en: &str, aliases: &[&str]) -> NamedSkill {
        NamedSkill {
            id,
            slug: slug.into(),
            label_fr: fr.into(),
            label_en: en.into(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    /// A slice of the reference taxonomy (data/skills.csv), names as given there.
    fn book() -> PhraseBook {
        PhraseBook::new(vec![
            skill(
                1,
                "machine-learning",
                "Apprentissage automatique",
                "Machine learning",
                &["ml", "apprentissage-automatique"],
            ),
            skill(2, "deep-learning", "Apprentissage profond", "Deep learning", &["dl", "reseaux-de-neurones"]),
            skill(3, "kubernetes", "Kubernetes", "Kubernetes", &["k8s", "kube", "kubectl"]),
            skill(4, "go", "Go", "Go", &["golang"]),
            skill(5, "r-language", "Langage R", "R language", &["r", "rstudio"]),
            skill(6, "cybersecurity", "Cybersécurité", "Cybersecurity", &["cyber", "securite-informatique", "infosec"]),
            skill(
                7,
                "penetration-testing",
                "Tests d'intrusion",
                "Penetration testing",
                &["pentest", "test-d-intrusion"],
            ),
            skill(8, "cpp", "C++", "C++", &["c++", "cplusplus"]),
            skill(9, "c-sharp", "C#", "C#", &["c#", "csharp"]),
            skill(10, "dotnet", ".NET", ".NET", &[".net", "asp.net"]),
            skill(11, "python", "Python", "Python", &["py"]),
            skill(12, "firewalls", "Pare-feu", "Firewalls", &["firewall", "pare-feu"]),
        ])
        .unwrap()
    }

    fn slugs_and_phrases(text: &str) -> Vec<(String, Vec<String>)> {
        book()
            .find(text)
            .into_iter()
            .map(|f| (f.skill.slug.clone(), f.occurrences.into_iter().map(|o| o.phrase).collect()))
            .collect()
    }

    #[test]
    fn french_and_english_texts_name_the_expected_skills() {
        type Expected<'a> = &'a [(&'a str, &'a [&'a str])];
        let cases: &[(&str, Expected)] = &[
            // French labels, accents and case ignored.
            (
                "Stage en APPRENTISSAGE AUTOMATIQUE et cybersecurite",
                &[("machine-learning", &["APPRENTISSAGE AUTOMATIQUE"]), ("cybersecurity", &["cybersecurite"])],
            ),
            (
                "Notions de Sécurité Informatique, réseaux de neurones",
                &[("cybersecurity", &["Sécurité Informatique"]), ("deep-learning", &["réseaux de neurones"])],
            ),
            // Aliases, and the hyphen and apostrophe folded into a space.
            (
                "Deploy on k8s; run a pentest and tests d’intrusion",
                &[("kubernetes", &["k8s"]), ("penetration-testing", &["pentest", "tests d’intrusion"])],
            ),
            ("Configurer le pare feu puis le pare-feu", &[("firewalls", &["pare feu", "pare-feu"])]),
            // The longer name wins where two overlap.
            (
                "Deep learning and machine-learning",
                &[("deep-learning", &["Deep learning"]), ("machine-learning", &["machine-learning"])],
            ),
            // Words that must not match: "go" inside "google", "r" alone, "py" inside "happy".
            ("We use Google Cloud and R&D budgets, happy teams", &[]),
            (
                "Go and Golang, then R language with RStudio",
                &[("go", &["Go", "Golang"]), ("r-language", &["R language", "RStudio"])],
            ),
            // Punctuation inside names.
            (
                "C++, C# and ASP.NET; also .NET",
                &[("cpp", &["C++"]), ("c-sharp", &["C#"]), ("dotnet", &["ASP.NET", ".NET"])],
            ),
            ("Kubernetesque pythonic golangs", &[]),
            ("", &[]),
        ];
        for (text, expected) in cases {
            let expected: Vec<(String, Vec<String>)> = expected
                .iter()
                .map(|(slug, phrases)| ((*slug).to_owned(), phrases.iter().map(|p| (*p).to_owned()).collect()))
                .collect();
            assert_eq!(slugs_and_phrases(text), expected, "{text:?}");
        }
    }

    #[test]
    fn positions_are_character_offsets_into_the_original_text() {
        let text = "Écoles: Apprentissage automatique, œuvre Kubernetes";
        let book = book();
        let found = book.find(text);
        let chars: Vec<char> = text.chars().collect();
        for f in &found {
            for o in &f.occurrences {
                assert_eq!(chars[o.start..o.end].iter().collect::<String>(), o.phrase);
            }
        }
        assert_eq!(found[0].occurrences[0].start, 8);
        assert_eq!(found[0].occurrences[0].end, 8 + "Apprentissage automatique".chars().count());
        assert_eq!(found[1].skill.slug, "kubernetes");
        assert_eq!(found[1].occurrences[0].start, 41);
    }

    #[test]
    fn a_name_shared_by_two_skills_suggests_both() {
        let book =
            PhraseBook::new(vec![skill(1, "a", "Réseaux", "Networks", &[]), skill(2, "b", "Reseaux", "Nets", &[])])
                .unwrap();
        let found: Vec<&str> = book.find("réseaux").iter().map(|f| f.skill.slug.as_str()).collect();
        assert_eq!(found, ["a", "b"]);
    }
}
