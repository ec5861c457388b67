//! The one folding rule of search: what is stored for a row and what a query
//! becomes, so that `ingenieur`, `Ingénieur` and `INGÉNIEUR` are one word.
//! Folding happens here in Rust because SQL cannot strip accents portably
//! (SQLite has no `unaccent`, and PostgreSQL's is an extension).

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Lower case without diacritics: canonical decomposition (NFD), combining
/// marks dropped, then lower case; the ligatures `œ`, `æ` and `ß` are spelt
/// out since they do not decompose. Letters without marks, in any script,
/// pass through unchanged.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        push_folded(c, &mut folded);
    }
    folded
}

/// Appends one character folded as [`fold`] does; the skill-suggestion
/// automaton folds character by character to map matches back to the text.
pub fn push_folded(c: char, out: &mut String) {
    match c {
        'œ' | 'Œ' => out.push_str("oe"),
        'æ' | 'Æ' => out.push_str("ae"),
        'ß' | 'ẞ' => out.push_str("ss"),
        _ => decompose_canonical(c, |part| {
            if !is_combining_mark(part) {
                out.extend(part.to_lowercase());
            }
        }),
    }
}

/// The stored search text of several fields, each folded, one per line.
pub fn search_text<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    fields.into_iter().map(fold).collect::<Vec<_>>().join("\n")
}

/// A LIKE pattern finding the folded `term` anywhere, with `%`, `_` and `\`
/// escaped (the query says `ESCAPE '\'`).
pub fn contains_pattern(term: &str) -> String {
    let folded = fold(term.trim());
    let mut pattern = String::with_capacity(folded.len() + 2);
    pattern.push('%');
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_french_letters_to_plain_lower_case() {
        let cases = [
            ("é", "e"),
            ("è", "e"),
            ("ê", "e"),
            ("ë", "e"),
            ("à", "a"),
            ("â", "a"),
            ("ç", "c"),
            ("ï", "i"),
            ("î", "i"),
            ("ô", "o"),
            ("û", "u"),
            ("ù", "u"),
            ("œ", "oe"),
            ("æ", "ae"),
            ("É", "e"),
            ("À", "a"),
            ("Ç", "c"),
            ("Œuvre", "oeuvre"),
            ("Ingénieur", "ingenieur"),
            ("INGÉNIEUR", "ingenieur"),
            ("ingenieur", "ingenieur"),
            ("Straße", "strasse"),
            ("Data & IA — Casablanca", "data & ia — casablanca"),
        ];
        for (text, expected) in cases {
            assert_eq!(fold(text), expected, "{text}");
        }
    }

    #[test]
    fn composed_and_decomposed_spellings_fold_alike() {
        assert_eq!(fold("e\u{301}cole"), fold("\u{e9}cole"));
        assert_eq!(fold("e\u{301}cole"), "ecole");
    }

    #[test]
    fn other_scripts_pass_through() {
        let cases = [("مهندس", "مهندس"), ("الدار البيضاء", "الدار البيضاء"), ("ⴰⵎⴰⵣⵉⵖ", "ⴰⵎⴰⵣⵉⵖ"), ("数据", "数据")];
        for (text, expected) in cases {
            assert_eq!(fold(text), expected, "{text}");
        }
    }

    #[test]
    fn patterns_fold_the_term_and_escape_wildcards() {
        let cases = [("  Ingénieur ", "%ingenieur%"), ("100%", "%100\\%%"), ("a_b", "%a\\_b%"), ("c:\\x", "%c:\\\\x%")];
        for (term, expected) in cases {
            assert_eq!(contains_pattern(term), expected, "{term}");
        }
    }

    #[test]
    fn search_text_folds_each_field_on_its_own_line() {
        assert_eq!(search_text(["Développeur", "Rabat"]), "developpeur\nrabat");
    }
}
