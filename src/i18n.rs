//! French and English for everything the service writes for people.
//!
//! Texts live in Project Fluent files, one per language (`locales/fr/passerelle.ftl`,
//! `locales/en/passerelle.ftl`), compiled into the binary. Code builds a
//! [`Message`] (an id and its arguments) and the answer renders it once, in the
//! language negotiated from the request's `Accept-Language`. Codes (`type`,
//! `code`, enum values) never go through here: they stay language-neutral.

use std::borrow::Cow;
use std::future::{ready, Ready};
use std::sync::OnceLock;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

/// A language the service answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French, the convention's working language and the default.
    #[default]
    Fr,
    En,
}

/// The message files, in the order of [`Lang::ALL`].
const SOURCES: [&str; 2] = [include_str!("../locales/fr/passerelle.ftl"), include_str!("../locales/en/passerelle.ftl")];

impl Lang {
    /// Every language, in the order of their message files.
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// The language tag sent in `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The language a tag of `Accept-Language` names, by its primary subtag
    /// (`fr-MA` is French).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or(tag).trim();
        Lang::ALL.into_iter().find(|lang| primary.eq_ignore_ascii_case(lang.tag()))
    }

    /// The text of this language's message file.
    pub fn source(self) -> &'static str {
        SOURCES[self.index()]
    }

    fn index(self) -> usize {
        match self {
            Lang::Fr => 0,
            Lang::En => 1,
        }
    }
}

/// The language to answer in, from an `Accept-Language` value: the highest
/// q-value among the languages the service has wins (the first listed on a
/// tie); `*`, `q=0`, unknown languages and an absent header fall to `default`.
pub fn negotiate(accept_language: Option<&str>, default: Lang) -> Lang {
    let Some(header) = accept_language else { return default };
    let mut best: Option<(Lang, u16)> = None;
    for range in header.split(',') {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let quality = parts
            .find_map(|param| {
                let (name, value) = param.split_once('=')?;
                name.trim().eq_ignore_ascii_case("q").then(|| quality_of(value.trim()))
            })
            .unwrap_or(Some(1000));
        let (Some(quality), Some(lang)) = (quality, Lang::from_tag(tag)) else { continue };
        if quality > 0 && best.is_none_or(|(_, q)| quality > q) {
            best = Some((lang, quality));
        }
    }
    best.map_or(default, |(lang, _)| lang)
}

/// A q-value in thousandths; one that does not parse is ignored with its range.
fn quality_of(text: &str) -> Option<u16> {
    let value: f32 = text.parse().ok()?;
    (0.0..=1.0).contains(&value).then(|| (value * 1000.0).round() as u16)
}

/// The language answers fall back to, as application data.
#[derive(Debug, Clone, Copy)]
pub struct DefaultLang(pub Lang);

/// Middleware: negotiates the request's language from `Accept-Language` and
/// the default setting, keeps it in the request's extensions for whatever
/// writes the answer, and states it on every answer (`Content-Language`, and
/// `Vary: Accept-Language` for caches).
pub async fn negotiate_language<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let default = req.app_data::<DefaultLang>().map_or(Lang::default(), |d| d.0);
    let sent = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok());
    let lang = negotiate(sent, default);
    req.extensions_mut().insert(lang);
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
    headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));
    Ok(response)
}

impl Lang {
    /// The language negotiated for `req` (by the middleware, else now).
    pub fn of_request(req: &HttpRequest) -> Lang {
        let negotiated = req.extensions().get::<Lang>().copied();
        negotiated.unwrap_or_else(|| {
            let default = req.app_data::<DefaultLang>().map_or(Lang::default(), |d| d.0);
            negotiate(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()), default)
        })
    }
}

/// The header of a report column `name` in `lang` (message `column-NAME`,
/// underscores as hyphens); a column without a message keeps its name.
pub fn column_label(lang: Lang, name: &str) -> String {
    label_of(lang, "column", name)
}

/// The name of a workbook's sheet `name` in `lang` (message `sheet-NAME`).
pub fn sheet_label(lang: Lang, name: &str) -> String {
    label_of(lang, "sheet", name)
}

/// The title of a workbook's chart `name` in `lang` (message `chart-NAME`).
pub fn chart_label(lang: Lang, name: &str) -> String {
    label_of(lang, "chart", name)
}

fn label_of(lang: Lang, family: &str, name: &str) -> String {
    let id = format!("{family}-{}", name.replace('_', "-"));
    format(lang, &id, &FluentArgs::new()).unwrap_or_else(|| name.to_owned())
}

/// A handler's argument: the request's negotiated language.
impl FromRequest for Lang {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Lang::of_request(req)))
    }
}

/// A value given to a message's placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Number(i64),
    /// A text that is itself translated, such as an enum label.
    Message(Box<Message>),
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Arg::Text(text.to_owned())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Arg::Text(text)
    }
}

impl From<&String> for Arg {
    fn from(text: &String) -> Self {
        Arg::Text(text.clone())
    }
}

impl From<Message> for Arg {
    fn from(message: Message) -> Self {
        Arg::Message(Box::new(message))
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Self {
                Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
number_arg!(i8, i16, i32, i64, u8, u16, u32, u64, usize);

/// Something the service says to people: a Fluent id with its arguments,
/// rendered in the request's language when the answer is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A message of the message files.
    Fluent { id: &'static str, args: Vec<(&'static str, Arg)> },
    /// A text that has no id (it comes from a library, or quotes the request):
    /// sent as it is in every language.
    Text(Cow<'static, str>),
}

impl Message {
    /// The message `id` of the message files, without arguments yet.
    pub fn new(id: &'static str) -> Self {
        Message::Fluent { id, args: Vec::new() }
    }

    /// Fills the placeholder `$name`.
    #[must_use]
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        if let Message::Fluent { args, .. } = &mut self {
            args.push((name, value.into()));
        }
        self
    }

    /// The text in `lang`. An id missing from a file (a test forbids it) falls
    /// back to English, then to the id itself.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            Message::Text(text) => text.to_string(),
            Message::Fluent { id, args } => {
                let mut values = FluentArgs::new();
                for (name, arg) in args {
                    let value = match arg {
                        Arg::Text(text) => FluentValue::from(text.clone()),
                        Arg::Number(n) => FluentValue::from(*n),
                        Arg::Message(inner) => FluentValue::from(inner.render(lang)),
                    };
                    values.set(*name, value);
                }
                format(lang, id, &values).or_else(|| format(Lang::En, id, &values)).unwrap_or_else(|| (*id).to_owned())
            }
        }
    }
}

fn bundles() -> &'static [FluentBundle<FluentResource>; 2] {
    static BUNDLES: OnceLock<[FluentBundle<FluentResource>; 2]> = OnceLock::new();
    BUNDLES.get_or_init(|| Lang::ALL.map(bundle))
}

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let locale = lang.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![locale]);
    // Answers are JSON and CSV, not bidirectional text: no isolation marks.
    bundle.set_use_isolating(false);
    // A file with a syntax error keeps the messages that parse; a test
    // requires both files to parse whole.
    let resource = FluentResource::try_new(lang.source().to_owned()).unwrap_or_else(|(partial, _)| partial);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(lang = lang.tag(), ?errors, "message file has duplicate ids");
    }
    bundle
}

fn format(lang: Lang, id: &str, args: &FluentArgs) -> Option<String> {
    let bundle = &bundles()[lang.index()];
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(args), &mut errors);
    if !errors.is_empty() {
        tracing::warn!(lang = lang.tag(), id, ?errors, "message rendered with errors");
    }
    Some(text.into_owned())
}

/// The text of message `id`, without arguments, in `lang`, if the file has it.
pub fn message(lang: Lang, id: &str) -> Option<String> {
    format(lang, id, &FluentArgs::new())
}

/// The text of message `id`, without arguments, in `lang` (or English, or the id).
pub fn text(lang: Lang, id: &str) -> String {
    let args = FluentArgs::new();
    format(lang, id, &args).or_else(|| format(Lang::En, id, &args)).unwrap_or_else(|| id.to_owned())
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Message::Text(Cow::Owned(text))
    }
}

impl From<&'static str> for Message {
    fn from(text: &'static str) -> Self {
        Message::Text(Cow::Borrowed(text))
    }
}

/// English, for logs and for code that has no request.
impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// Serialised in English where no request language applies; answers render
/// messages in the negotiated language before they are serialised.
impl Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.render(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_honours_q_values_and_falls_back_to_the_default() {
        let cases: &[(Option<&str>, Lang, Lang)] = &[
            (None, Lang::Fr, Lang::Fr),
            (None, Lang::En, Lang::En),
            (Some("en"), Lang::Fr, Lang::En),
            (Some("fr-MA"), Lang::En, Lang::Fr),
            (Some("EN-gb"), Lang::Fr, Lang::En),
            (Some("en;q=0.5, fr;q=0.9"), Lang::En, Lang::Fr),
            (Some("fr;q=0.4, en;q=0.8"), Lang::Fr, Lang::En),
            (Some("de"), Lang::Fr, Lang::Fr),
            (Some("de"), Lang::En, Lang::En),
            (Some("de, en;q=0.1"), Lang::Fr, Lang::En),
            (Some("*"), Lang::En, Lang::En),
            (Some("en;q=0"), Lang::Fr, Lang::Fr),
            (Some("en;q=abc, fr;q=0.2"), Lang::En, Lang::Fr),
            (Some("fr, en"), Lang::En, Lang::Fr),
            (Some("en;q=0.7, fr;q=0.7"), Lang::Fr, Lang::En),
            (Some(""), Lang::Fr, Lang::Fr),
        ];
        for (header, default, expected) in cases {
            assert_eq!(negotiate(*header, *default), *expected, "{header:?} with default {default:?}");
        }
    }

    #[test]
    fn a_message_renders_in_each_language_with_its_arguments() {
        let message = Message::new("too-long").arg("max", 200);
        assert_eq!(message.render(Lang::En), "must be at most 200 characters");
        assert_eq!(message.render(Lang::Fr), "doit comporter au plus 200 caractères");
    }

    #[test]
    fn a_translated_argument_follows_the_language() {
        let message = Message::new("not-found").arg("what", Message::new("thing-offer"));
        assert_eq!(message.render(Lang::En), "offer not found");
        assert_eq!(message.render(Lang::Fr), "offre introuvable");
    }

    #[test]
    fn a_plain_text_is_sent_as_it_is() {
        let message = Message::from("as is");
        assert_eq!(message.render(Lang::Fr), "as is");
        assert_eq!(message.to_string(), "as is");
    }

    /// Each message of a file: its id and the placeholders it names.
    fn messages_of(source: &str) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
        let mut messages = std::collections::BTreeMap::new();
        let mut current: Option<String> = None;
        for line in source.lines() {
            if line.starts_with(|c: char| c.is_ascii_alphabetic()) {
                let (id, _) = line.split_once(" = ").unwrap_or((line, ""));
                current = Some(id.trim().to_owned());
                messages.insert(id.trim().to_owned(), std::collections::BTreeSet::new());
            } else if !line.starts_with(char::is_whitespace) {
                current = None;
                continue;
            }
            if let Some(id) = &current {
                let variables = line.split('$').skip(1).map(|rest| {
                    rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect::<String>()
                });
                messages.entry(id.clone()).or_default().extend(variables);
            }
        }
        messages
    }

    /// Every `Message::new("id")` of the sources, with the placeholders its
    /// `.arg("name", …)` calls fill.
    fn messages_built() -> Vec<(String, std::collections::BTreeSet<String>, String)> {
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut paths = Vec::new();
        files(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut paths);
        let opening = ["Message::", "new(\""].concat();
        let mut built = Vec::new();
        for path in paths {
            let source = std::fs::read_to_string(&path).unwrap_or_default();
            // Comments may name a message without building it.
            let text: String =
                source.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
            let mut rest = text.as_str();
            while let Some(at) = rest.find(&opening) {
                rest = &rest[at + opening.len()..];
                let Some(end) = rest.find('"') else { break };
                let id = rest[..end].to_owned();
                let mut after = rest[end..].trim_start_matches('"').trim_start_matches(')');
                let mut args = std::collections::BTreeSet::new();
                while let Some(call) = after.trim_start().strip_prefix(".arg(\"") {
                    let Some(name_end) = call.find('"') else { break };
                    args.insert(call[..name_end].to_owned());
                    // Skip to the parenthesis closing this call.
                    let mut depth = 1;
                    let mut close = call.len();
                    for (i, c) in call.char_indices() {
                        match c {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        if depth == 0 {
                            close = i + 1;
                            break;
                        }
                    }
                    after = &call[close..];
                }
                built.push((id, args, path.display().to_string()));
            }
        }
        built
    }

    #[test]
    fn every_message_exists_in_both_languages_with_the_same_placeholders() {
        let [fr, en] = Lang::ALL.map(|lang| messages_of(lang.source()));
        assert_eq!(fr.keys().collect::<Vec<_>>(), en.keys().collect::<Vec<_>>(), "the files name different ids");
        for (id, variables) in &en {
            assert_eq!(fr.get(id), Some(variables), "{id} has other placeholders in French");
        }
        assert!(en.len() > 100, "{} messages", en.len());
    }

    #[test]
    fn every_message_built_exists_and_has_every_placeholder_filled() {
        let en = messages_of(Lang::En.source());
        let built = messages_built();
        assert!(built.len() > 50, "{} messages built", built.len());
        for (id, args, file) in built {
            let Some(variables) = en.get(&id) else { panic!("{file}: message {id} is in no message file") };
            assert_eq!(&args, variables, "{file}: message {id} fills other placeholders than it names");
        }
    }

    #[test]
    fn both_message_files_parse_whole() {
        for lang in Lang::ALL {
            if let Err((_, errors)) = FluentResource::try_new(lang.source().to_owned()) {
                panic!("{} does not parse: {errors:?}", lang.tag());
            }
        }
    }
}
