//! PDF writing for the agreement: a document laid out from blocks of text in
//! one font (DejaVu Sans, for its full French coverage), and a page appended
//! to a finished document as an incremental update.
//!
//! Each document embeds only the glyphs it shows (a subset of the font, a
//! few kilobytes instead of the whole 700 KB file), and an appended page
//! carries its own subset, since the names it shows came after the document.
//!
//! The output is a function of its input only (no date, no random file id,
//! glyphs numbered in the order the text first uses them), so that the same
//! blocks give the same bytes. An appended page leaves the
//! original bytes untouched at the head of the file: whoever holds the
//! document's SHA-256 can check it against the first bytes of the longer file.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Chunk, Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};
use sha2::{Digest, Sha256};
use subsetter::GlyphRemapper;

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/LICENSE-DejaVu.txt`).
static FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const FONT_NAME: Name<'static> = Name(b"F1");
const BASE_FONT: &str = "DejaVuSans";

// Fixed object numbers of a document, so that a page can be appended later
// without reading the document back: pages come after these, two objects each.
const CATALOG: Ref = Ref::new(1);
const PAGES: Ref = Ref::new(2);
const TYPE0: Ref = Ref::new(3);
const CID_FONT: Ref = Ref::new(4);
const DESCRIPTOR: Ref = Ref::new(5);
const FONT_FILE: Ref = Ref::new(6);
const TO_UNICODE: Ref = Ref::new(7);
const FIRST_PAGE: i32 = 8;

/// The objects of one embedded font subset.
#[derive(Clone, Copy)]
struct FontRefs {
    type0: Ref,
    cid: Ref,
    to_unicode: Ref,
    descriptor: Ref,
    file: Ref,
}

/// A piece of the document, laid out top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// The document's title.
    Title(String),
    /// The heading of a section or an article.
    Heading(String),
    /// Running text, wrapped to the page width.
    Paragraph(String),
    /// A label and its value on one line (wrapped when long).
    Field(String, String),
    /// Vertical space.
    Gap,
}

/// Why a document could not be written or a page appended.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The bytes to append to are not a document of [`document`].
    #[error("not a document this service wrote: {0}")]
    NotOurDocument(&'static str),
    /// The font could not be cut down to the glyphs used.
    #[error("the font subset could not be written: {0}")]
    Subset(String),
}

fn face() -> &'static ttf_parser::Face<'static> {
    static FACE: OnceLock<ttf_parser::Face<'static>> = OnceLock::new();
    // The embedded file is a valid font: a failure here is a broken build.
    FACE.get_or_init(|| ttf_parser::Face::parse(FONT, 0).expect("the embedded font parses"))
}

/// Glyphs used by a document: each font glyph gets the next number of the
/// subset at its first use, and keeps the character it first showed.
#[derive(Default)]
struct Glyphs {
    remapper: GlyphRemapper,
    /// Subset glyph id → the character it shows.
    used: BTreeMap<u16, char>,
}

impl Glyphs {
    fn width(gid: u16, size: f32) -> f32 {
        let face = face();
        let advance = face.glyph_hor_advance(ttf_parser::GlyphId(gid)).unwrap_or(0);
        f32::from(advance) * size / f32::from(face.units_per_em())
    }

    fn gid(c: char) -> u16 {
        face().glyph_index(c).map_or(0, |g| g.0)
    }

    fn text_width(text: &str, size: f32) -> f32 {
        text.chars().map(|c| Self::width(Self::gid(c), size)).sum()
    }

    /// The text as two-byte subset glyph ids (Identity-H), remembering the glyphs.
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let gid = self.remapper.remap(Self::gid(c));
            self.used.entry(gid).or_insert(c);
            bytes.extend_from_slice(&gid.to_be_bytes());
        }
        bytes
    }

    /// The subset's name, `ABCDEF+DejaVuSans`: a tag of six capitals derived
    /// from the glyphs, so that two subsets in one file have two names.
    fn subset_name(&self) -> String {
        let mut hash = Sha256::new();
        for gid in self.remapper.remapped_gids() {
            hash.update(gid.to_be_bytes());
        }
        let tag: String = hash.finalize().iter().take(6).map(|b| char::from(b'A' + b % 26)).collect();
        format!("{tag}+{BASE_FONT}")
    }
}

/// Splits text into lines no wider than `width` at `size`, breaking at
/// ordinary spaces only (no-break spaces hold, as French typography wants).
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
        if !line.is_empty() && Glyphs::text_width(&candidate, size) > width {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A laid-out line: where it starts, its size and its text.
struct Placed {
    x: f32,
    y: f32,
    size: f32,
    text: String,
}

/// Lays the blocks out on as many pages as they need.
fn lay_out(blocks: &[Block]) -> Vec<Vec<Placed>> {
    let width = PAGE_WIDTH - 2.0 * MARGIN;
    let mut pages = vec![Vec::new()];
    let mut y = PAGE_HEIGHT - MARGIN;
    let put = |pages: &mut Vec<Vec<Placed>>, y: &mut f32, x: f32, size: f32, text: String, before: f32| {
        let leading = size * 1.35;
        *y -= before;
        if *y - leading < MARGIN {
            pages.push(Vec::new());
            *y = PAGE_HEIGHT - MARGIN;
        }
        *y -= leading;
        if let Some(page) = pages.last_mut() {
            page.push(Placed { x, y: *y, size, text });
        }
    };
    for block in blocks {
        match block {
            Block::Title(text) => {
                for line in wrap(text, 15.0, width) {
                    put(&mut pages, &mut y, MARGIN, 15.0, line, 0.0);
                }
                y -= 6.0;
            }
            Block::Heading(text) => {
                for (i, line) in wrap(text, 11.5, width).into_iter().enumerate() {
                    put(&mut pages, &mut y, MARGIN, 11.5, line, if i == 0 { 8.0 } else { 0.0 });
                }
            }
            Block::Paragraph(text) => {
                for (i, line) in wrap(text, 9.5, width).into_iter().enumerate() {
                    put(&mut pages, &mut y, MARGIN, 9.5, line, if i == 0 { 3.0 } else { 0.0 });
                }
            }
            Block::Field(label, value) => {
                let indent = 170.0;
                put(&mut pages, &mut y, MARGIN, 9.5, label.clone(), 1.0);
                let value_lines = wrap(value, 9.5, width - indent);
                if value_lines.iter().any(|line| Glyphs::text_width(line, 9.5) > width - indent) {
                    // A word wider than the value's column (a hash) would run
                    // off the page: the value goes under its label, full width.
                    for line in wrap(value, 9.5, width) {
                        put(&mut pages, &mut y, MARGIN, 9.5, line, 0.0);
                    }
                    continue;
                }
                // The value starts on the label's line.
                if let Some(last) = pages.last_mut() {
                    let label_y = last.last().map_or(y, |placed| placed.y);
                    let mut first = true;
                    for line in value_lines {
                        if first {
                            last.push(Placed { x: MARGIN + indent, y: label_y, size: 9.5, text: line });
                            first = false;
                        } else {
                            y -= 9.5 * 1.35;
                            last.push(Placed { x: MARGIN + indent, y, size: 9.5, text: line });
                        }
                    }
                }
            }
            Block::Gap => y -= 10.0,
        }
    }
    pages
}

/// The content stream of one page.
fn content(lines: &[Placed], glyphs: &mut Glyphs, footer: &str) -> Vec<u8> {
    let mut content = Content::new();
    content.begin_text();
    for line in lines {
        content.set_font(FONT_NAME, line.size);
        content.set_text_matrix([1.0, 0.0, 0.0, 1.0, line.x, line.y]);
        content.show(Str(&glyphs.encode(&line.text)));
    }
    content.set_font(FONT_NAME, 8.0);
    let footer_x = PAGE_WIDTH - MARGIN - Glyphs::text_width(footer, 8.0);
    content.set_text_matrix([1.0, 0.0, 0.0, 1.0, footer_x, MARGIN / 2.0]);
    content.show(Str(&glyphs.encode(footer)));
    content.end_text();
    content.finish().into_vec()
}

/// Writes the font subset of `glyphs`: the Type0 font, its CID font, its
/// ToUnicode map (so that text is extracted as written), its descriptor and
/// the subset font file.
fn write_font(chunk: &mut Chunk, glyphs: &Glyphs, refs: FontRefs) -> Result<(), PdfError> {
    let subset = subsetter::subset(FONT, 0, &glyphs.remapper).map_err(|e| PdfError::Subset(e.to_string()))?;
    let name = glyphs.subset_name();
    let base_font = Name(name.as_bytes());
    chunk
        .type0_font(refs.type0)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(refs.cid)
        .to_unicode(refs.to_unicode);
    let system_info = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
    let mut cid_font = chunk.cid_font(refs.cid);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(base_font)
        .system_info(system_info)
        .font_descriptor(refs.descriptor)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    // Subset glyph ids run from 0 without a gap: one run of widths.
    let widths: Vec<f32> = glyphs.remapper.remapped_gids().map(|gid| Glyphs::width(gid, 1000.0)).collect();
    cid_font.widths().consecutive(0, widths);
    cid_font.finish();
    let mut cmap = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), system_info);
    for (&gid, &c) in &glyphs.used {
        cmap.pair(gid, c);
    }
    chunk.cmap(refs.to_unicode, &cmap.finish()).system_info(system_info);

    let face = face();
    let scale = 1000.0 / f32::from(face.units_per_em());
    let b = face.global_bounding_box();
    chunk
        .font_descriptor(refs.descriptor)
        .name(base_font)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            f32::from(b.x_min) * scale,
            f32::from(b.y_min) * scale,
            f32::from(b.x_max) * scale,
            f32::from(b.y_max) * scale,
        ))
        .italic_angle(0.0)
        .ascent(f32::from(face.ascender()) * scale)
        .descent(f32::from(face.descender()) * scale)
        .cap_height(face.capital_height().map_or(700.0, |h| f32::from(h) * scale))
        .stem_v(80.0)
        .font_file2(refs.file);
    chunk.stream(refs.file, &miniz_oxide::deflate::compress_to_vec_zlib(&subset, 6)).filter(Filter::FlateDecode);
    Ok(())
}

fn page_ref(index: usize) -> Ref {
    Ref::new(FIRST_PAGE + 2 * i32::try_from(index).unwrap_or(i32::MAX / 4))
}

/// A document of the blocks, each page footed with `footer` and its number.
pub fn document(blocks: &[Block], footer: &str) -> Result<Vec<u8>, PdfError> {
    let pages = lay_out(blocks);
    let mut pdf = Pdf::new();
    let mut glyphs = Glyphs::default();
    pdf.catalog(CATALOG).pages(PAGES);
    let kids: Vec<Ref> = (0..pages.len()).map(page_ref).collect();
    pdf.pages(PAGES).kids(kids.iter().copied()).count(i32::try_from(kids.len()).unwrap_or(i32::MAX));
    let total = pages.len();
    for (index, lines) in pages.iter().enumerate() {
        let (page, contents) = (page_ref(index), Ref::new(page_ref(index).get() + 1));
        let stream = content(lines, &mut glyphs, &format!("{footer} · {}/{total}", index + 1));
        write_page(&mut pdf, page, contents, TYPE0);
        pdf.stream(contents, &miniz_oxide::deflate::compress_to_vec_zlib(&stream, 6)).filter(Filter::FlateDecode);
    }
    let refs =
        FontRefs { type0: TYPE0, cid: CID_FONT, to_unicode: TO_UNICODE, descriptor: DESCRIPTOR, file: FONT_FILE };
    write_font(&mut pdf, &glyphs, refs)?;
    Ok(pdf.finish())
}

fn write_page(chunk: &mut Chunk, page: Ref, contents: Ref, font: Ref) {
    let mut page_writer = chunk.page(page);
    page_writer.parent(PAGES).media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).contents(contents);
    page_writer.resources().fonts().pair(FONT_NAME, font);
    page_writer.finish();
}

/// The number after the last `keyword` in `bytes`.
fn number_after(bytes: &[u8], keyword: &[u8]) -> Option<usize> {
    let at = bytes.windows(keyword.len()).rposition(|w| w == keyword)? + keyword.len();
    let digits: String = bytes[at..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| char::from(b))
        .collect();
    digits.parse().ok()
}

/// `base` (a [`document`]) followed by an incremental update that adds one
/// last page of `blocks`. The bytes of `base` stay as they were, first in the
/// result; the page has its own font subset, for the glyphs it shows.
pub fn append_page(base: &[u8], blocks: &[Block], footer: &str) -> Result<Vec<u8>, PdfError> {
    let previous_xref = number_after(base, b"startxref").ok_or(PdfError::NotOurDocument("no startxref"))?;
    let count = number_after(base, b"/Count").ok_or(PdfError::NotOurDocument("no page count"))?;
    let mut lines: Vec<Placed> = lay_out(blocks).into_iter().flatten().collect();
    // One page: whatever would overflow is dropped rather than split, since
    // the signature page lists at most three signatures.
    lines.retain(|line| line.y >= MARGIN);
    let mut glyphs = Glyphs::default();
    let stream = content(&lines, &mut glyphs, footer);
    let page = page_ref(count);
    let contents = Ref::new(page.get() + 1);
    let refs = FontRefs {
        type0: Ref::new(page.get() + 2),
        cid: Ref::new(page.get() + 3),
        to_unicode: Ref::new(page.get() + 4),
        descriptor: Ref::new(page.get() + 5),
        file: Ref::new(page.get() + 6),
    };

    let mut objects: Vec<(Ref, Chunk)> = Vec::new();
    let mut chunk = Chunk::new();
    let kids: Vec<Ref> = (0..=count).map(page_ref).collect();
    chunk.pages(PAGES).kids(kids.iter().copied()).count(i32::try_from(kids.len()).unwrap_or(i32::MAX));
    objects.push((PAGES, chunk));
    let mut chunk = Chunk::new();
    write_page(&mut chunk, page, contents, refs.type0);
    objects.push((page, chunk));
    let mut chunk = Chunk::new();
    chunk.stream(contents, &miniz_oxide::deflate::compress_to_vec_zlib(&stream, 6)).filter(Filter::FlateDecode);
    objects.push((contents, chunk));
    let mut chunk = Chunk::new();
    write_font(&mut chunk, &glyphs, refs)?;
    // The font objects are written together; their offsets are found below.
    objects.push((refs.type0, chunk));

    let mut out = base.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: BTreeMap<i32, usize> = BTreeMap::new();
    for (_, chunk) in &objects {
        let start = out.len();
        let bytes = chunk.as_bytes();
        // Objects follow one another in the chunk: each is looked for after
        // the one before, at the start of a line, so that neither a longer
        // number ending in the same digits nor the binary of the font file
        // before it can be taken for it.
        let mut from = 0;
        for id in chunk.refs() {
            let marker = format!("{} 0 obj", id.get());
            let at = (from..bytes.len())
                .find(|&at| bytes[at..].starts_with(marker.as_bytes()) && (at == 0 || bytes[at - 1] == b'\n'))
                .ok_or(PdfError::NotOurDocument("object not written"))?;
            offsets.insert(id.get(), start + at);
            from = at + marker.len();
        }
        out.extend_from_slice(bytes);
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n");
    for (id, offset) in &offsets {
        out.extend_from_slice(format!("{id} 1\n{offset:010} 00000 n\r\n").as_bytes());
    }
    let size = refs.file.get() + 1;
    out.extend_from_slice(
        format!(
            "trailer\n<<\n  /Size {size}\n  /Root {} 0 R\n  /Prev {previous_xref}\n>>\nstartxref\n{xref}\n%%EOF\n",
            CATALOG.get()
        )
        .as_bytes(),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Block> {
        vec![
            Block::Title("Convention de stage".into()),
            Block::Field("Étudiante".into(), "Salma Benjelloun".into()),
            Block::Paragraph("L’étudiante s’engage à respecter le règlement « intérieur » de l’organisme.".into()),
        ]
    }

    #[test]
    fn the_same_blocks_give_the_same_bytes() {
        assert_eq!(document(&sample(), "v1").ok(), document(&sample(), "v1").ok());
        assert_ne!(document(&sample(), "v1").ok(), document(&sample(), "v2").ok());
    }

    #[test]
    fn an_appended_page_keeps_the_document_first() {
        let base = document(&sample(), "v1").expect("written");
        let longer = append_page(&base, &[Block::Title("Signatures".into())], "signatures").expect("appended");
        assert!(longer.starts_with(&base));
        assert!(longer.len() > base.len());
        assert!(append_page(b"not a pdf", &[], "x").is_err());
    }

    #[test]
    fn each_part_of_the_file_embeds_a_subset_of_the_font() {
        let base = document(&sample(), "v1").expect("written");
        // The whole font is about 700 KB; a subset of a few dozen glyphs is small.
        assert!(base.len() < 30_000, "{} bytes", base.len());
        let signature = [Block::Field("Signé par".into(), "Zoé Œuvray".into())];
        let longer = append_page(&base, &signature, "signatures").expect("appended");
        let count = |bytes: &[u8], what: &[u8]| bytes.windows(what.len()).filter(|w| *w == what).count();
        assert_eq!(count(&base, b"/FontFile2"), 1);
        assert_eq!(count(&longer, b"/FontFile2"), 2, "the appended page carries its own subset");
        // Two subsets, two names.
        let names: Vec<&[u8]> = longer.windows(18).filter(|w| w.ends_with(b"+DejaVuSans")).collect();
        assert!(names.len() >= 2 && names.iter().any(|n| n != &names[0]), "subset names");
    }

    #[test]
    fn subset_glyphs_are_numbered_in_order_of_first_use() {
        let mut glyphs = Glyphs::default();
        let first = glyphs.encode("ba");
        let again = glyphs.encode("ab");
        // .notdef is glyph 0 of every subset; "b" comes first, then "a".
        assert_eq!(first, vec![0, 1, 0, 2]);
        assert_eq!(again, vec![0, 2, 0, 1]);
        assert_eq!(glyphs.used.get(&1), Some(&'b'));
    }

    #[test]
    fn a_value_wider_than_its_column_stays_on_the_page() {
        // A SHA-256 of digits only, the widest there is, with no space to break at.
        let hash = "0".repeat(64);
        let pages = lay_out(&[
            Block::Field("Document signé".into(), hash.clone()),
            Block::Field("Le".into(), "1er mai".into()),
        ]);
        for line in pages.iter().flatten() {
            let right = line.x + Glyphs::text_width(&line.text, line.size);
            assert!(right <= PAGE_WIDTH - MARGIN, "{:?} ends at {right}", line.text);
        }
        let lines: Vec<&str> = pages.iter().flatten().map(|line| line.text.as_str()).collect();
        assert_eq!(lines, ["Document signé", hash.as_str(), "Le", "1er mai"], "the hash whole, under its label");
    }

    #[test]
    fn lines_break_at_ordinary_spaces_only() {
        let narrow = "a\u{202f}b\u{a0}c d";
        // Narrower than two of the words: each ordinary space breaks.
        let lines = wrap(narrow, 10.0, 1.0);
        assert_eq!(lines, vec!["a\u{202f}b\u{a0}c".to_owned(), "d".to_owned()]);
        assert_eq!(wrap("", 10.0, 100.0), vec![String::new()]);
    }

    #[test]
    fn french_characters_have_glyphs() {
        for c in ['é', 'è', 'ç', 'œ', '«', '»', '\u{202f}', '’', 'À', '€'] {
            assert_ne!(Glyphs::gid(c), 0, "{c:?}");
        }
    }

    #[test]
    fn long_documents_take_several_pages() {
        let blocks: Vec<Block> = (0..200).map(|i| Block::Paragraph(format!("Alinéa {i}"))).collect();
        assert!(lay_out(&blocks).len() > 1);
    }
}
