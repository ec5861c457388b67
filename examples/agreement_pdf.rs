//! Size and generation time of an agreement-like document and of its
//! signature page, for BENCHMARKS.md: the shipped articles of each language
//! laid out as the agreement lays them out, rendered `N` times.
//!
//! `cargo run --example agreement_pdf -- 50 [directory to write the PDFs to]`

use std::time::Instant;

use passerelle::pdf::{append_page, document, Block};

fn blocks(articles: &str) -> Vec<Block> {
    let mut blocks = vec![
        Block::Title("Convention de stage".into()),
        Block::Field("Établissement".into(), "École Centrale Casablanca, Casablanca".into()),
        Block::Field("Étudiant·e".into(), "Salma Bennani".into()),
        Block::Field("Gratification".into(), "4\u{202f}000\u{a0}MAD par mois".into()),
        Block::Gap,
    ];
    for line in articles.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let text = line.trim_start_matches('#').trim().to_owned();
        blocks.push(if line.starts_with('#') { Block::Heading(text) } else { Block::Paragraph(text) });
    }
    blocks
}

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(50);
    let signatures = [
        Block::Title("Signatures".into()),
        Block::Field("Signé par".into(), "Zoé Œuvray-Kowalczyk".into()),
        Block::Field("Le".into(), "3 décembre 2026 à 10:15:00 UTC".into()),
    ];
    for (language, articles) in [
        ("fr", include_str!("../templates/agreements/convention_de_stage.fr.md")),
        ("en", include_str!("../templates/agreements/convention_de_stage.en.md")),
    ] {
        let blocks = blocks(articles);
        // The first call also parses the embedded font once for the process.
        let bytes = document(&blocks, "Passerelle · placement 1 · version 1").expect("written");
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = Instant::now();
            let _ = std::hint::black_box(document(&blocks, "Passerelle · placement 1 · version 1"));
            times.push(start.elapsed());
        }
        times.sort();
        let signed = append_page(&bytes, &signatures, "signatures").expect("appended");
        let page = signed.len() - bytes.len();
        if let Some(dir) = std::env::args().nth(2) {
            std::fs::write(format!("{dir}/agreement-{language}.pdf"), &signed).expect("written");
        }
        println!(
            "{language}: document {} bytes, signature page +{page} bytes, median {:.2} ms over {runs} runs",
            bytes.len(),
            times[runs / 2].as_secs_f64() * 1000.0
        );
    }
}
