//! Skill suggestions over the reference taxonomy (data/skills.csv) for a
//! 5,000-character offer text in French and English. The baseline, in the
//! same run, is the obvious alternative: one substring search of the folded
//! text per name, without word boundaries.

use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use passerelle::matching::suggestions::{folded, NamedSkill, PhraseBook};
use passerelle::reference_data::ReferenceData;

const PARAGRAPH: &str = "Au sein de l'équipe Data d'AXA, vous participerez à l'industrialisation de modèles \
d'apprentissage automatique : pipelines MLOps sur Kubernetes (k8s), suivi des expériences, tests d'intrusion \
des API avec l'équipe cybersécurité, et tableaux de bord Power BI. You will write Python and SQL every day, \
review pull requests on GitHub, and present your results in English and French to the business. ";

fn offer_text(chars: usize) -> String {
    PARAGRAPH.chars().cycle().take(chars).collect()
}

fn skills() -> Vec<NamedSkill> {
    let data = ReferenceData::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("data").as_path())
        .expect("the reference data loads");
    data.skills
        .into_iter()
        .enumerate()
        .map(|(i, s)| NamedSkill {
            id: i as i64 + 1,
            slug: s.slug,
            label_fr: s.label_fr,
            label_en: s.label_en,
            aliases: s.aliases,
        })
        .collect()
}

fn suggestions(c: &mut Criterion) {
    let skills = skills();
    let names: Vec<String> = skills
        .iter()
        .flat_map(|s| [&s.slug, &s.label_fr, &s.label_en].into_iter().chain(&s.aliases))
        .map(|n| folded(n).trim().to_owned())
        .filter(|n| n.chars().count() > 1)
        .collect();
    let book = PhraseBook::new(skills.clone()).expect("the automaton builds");
    let text = offer_text(5_000);
    assert!(!book.find(&text).is_empty());
    let mut group = c.benchmark_group("skill_suggestions_5000_chars");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    group.bench_function("aho_corasick", |b| b.iter(|| book.find(&text).len()));
    group.bench_function("substring_per_name", |b| {
        b.iter(|| {
            let haystack = folded(&text);
            names.iter().map(|name| haystack.matches(name.as_str()).count()).sum::<usize>()
        })
    });
    group.finish();
    c.bench_function("phrase_book_build", |b| b.iter(|| PhraseBook::new(skills.clone()).map(|b| b.len())));
}

criterion_group!(benches, suggestions);
criterion_main!(benches);
