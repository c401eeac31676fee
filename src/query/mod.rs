//! The one query language of `list`, `search` and the site, in the style of
//! GitHub's: `is:open label:ui -label:wontfix priority:p0..p1
//! created:>7d "connection timeout" (crash OR panic) sort:updated-desc`.
//!
//! Text parses to an [`Expr`] tree; [`Expr::matches`] evaluates it against
//! an issue, and the index translates the same tree into a tantivy query, so
//! the two can be checked against each other. Parsing needs the settings
//! (to expand `priority:p0..p1`) and the current time (to resolve `7d`), and
//! nothing else: no repository, no files.

mod parse;
pub use parse::MAX_DEPTH;
mod ranges;
mod sort;

use jiff::Timestamp;

use crate::format::fields::{self, FieldSpec, Kind, Search};
use crate::format::{Config, Issue};

use ranges::{number_range, ranked_values, time_range};
pub use sort::{Sort, SortField, SortKey, sort_key};

/// A field of the table, as the query language reaches it.
pub type Field = &'static FieldSpec;

/// A time bound: the issue's time must be `>= from` and `< until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

/// A number bound: the issue's number must be `>= from` and `<= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberRange {
    pub from: Option<u64>,
    pub to: Option<u64>,
}

impl NumberRange {
    pub fn contains(&self, n: u64) -> bool {
        self.from.is_none_or(|f| n >= f) && self.to.is_none_or(|t| n <= t)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Matches every issue.
    All,
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// `is:open` (true) or `is:closed` (false), as `tracker.yml` counts them.
    Open(bool),
    /// The field has one of these values (lowercase).
    Field(Field, Vec<String>),
    /// `key:BC-12`: the issue filed under one of these keys (lowercase).
    Key(Vec<String>),
    /// `path:src/db`: issues whose `paths` name the path, a file or folder
    /// under it, or a folder above it; or whose linked commits touched it.
    /// `path` is normalized and lowercase; `keys` (lowercase) are the
    /// issues whose commits touched it, which the repository tells and the
    /// tracker fills in ([`Expr::paths_mut`]).
    Path {
        path: String,
        keys: Vec<String>,
    },
    /// `no:assignee`: the field has no value.
    Missing(Field),
    Date(Field, TimeRange),
    Number(Field, NumberRange),
    /// A word of full text: all its tokens, in order, in the title, the
    /// description or the comments.
    Text(Vec<String>),
}

/// A parsed query: what to match, and the order it asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub expr: Expr,
    pub sort: Option<Sort>,
}

/// A query that does not parse: what is wrong, and where (a byte offset
/// into the query and the offending text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}: {token:?} (at column {})", .offset + 1)]
pub struct QueryError {
    pub offset: usize,
    pub token: String,
    pub message: String,
}

/// What an issue offers to full-text search: its tokens per text field.
pub struct TextFields {
    pub title: Vec<String>,
    pub body: Vec<String>,
    pub comments: Vec<String>,
}

impl TextFields {
    /// The words of an issue as `config`'s `search.language` stems them.
    pub fn new(issue: &Issue, comments: &str, config: &Config) -> Self {
        let language = &config.search.language;
        TextFields {
            title: tokenize_in(&issue.title, language),
            body: tokenize_in(&issue.body, language),
            comments: tokenize_in(comments, language),
        }
    }
}

/// Splits text into lowercase words exactly as the index does (tantivy's
/// default tokenizer: runs of alphanumeric characters, lowercased, tokens of
/// 40 bytes or more dropped), so a scan and the index agree.
pub fn tokenize(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty() && t.len() < 40)
        .map(str::to_lowercase)
        .collect()
}

/// [`tokenize`], each word then stemmed in `language` (`search.language`:
/// `crashes` and `crash` are both `crash` in English), as the index's
/// analyzer does after lowercasing; `none` or an unknown name stems
/// nothing.
pub fn tokenize_in(text: &str, language: &str) -> Vec<String> {
    let words = tokenize(text);
    match stemmer(language) {
        Some(stemmer) => words
            .into_iter()
            .map(|w| stemmer.stem(&w).into_owned())
            .collect(),
        None => words,
    }
}

fn stemmer(language: &str) -> Option<frostem::Stemmer> {
    if language == "none" {
        return None;
    }
    frostem::Algorithm::from_name(language)
        .ok()
        .map(frostem::Stemmer::new)
}

fn contains_run(haystack: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

impl Expr {
    /// Evaluates the query against one issue: the reference the index is
    /// checked against.
    pub fn matches(&self, key: &str, issue: &Issue, text: &TextFields, config: &Config) -> bool {
        match self {
            Expr::All => true,
            Expr::And(v) => v.iter().all(|e| e.matches(key, issue, text, config)),
            Expr::Or(v) => v.iter().any(|e| e.matches(key, issue, text, config)),
            Expr::Not(e) => !e.matches(key, issue, text, config),
            Expr::Open(open) => config.is_closed(&issue.status) != *open,
            Expr::Field(f, wanted) => issue
                .get(f)
                .texts()
                .iter()
                .any(|v| wanted.iter().any(|w| *w == v.to_lowercase())),
            Expr::Key(wanted) => wanted.iter().any(|w| *w == key.to_lowercase()),
            Expr::Path { path, keys } => {
                keys.iter().any(|k| *k == key.to_lowercase())
                    || issue
                        .get(fields::named("paths"))
                        .texts()
                        .iter()
                        .any(|p| path_related(&p.to_lowercase(), path))
            }
            Expr::Missing(f) => issue.get(f).is_empty(),
            Expr::Date(f, range) => issue.get(f).time().is_some_and(|t| {
                range.from.is_none_or(|from| t >= from) && range.until.is_none_or(|u| t < u)
            }),
            Expr::Number(f, range) => issue.get(f).count().is_some_and(|n| range.contains(n)),
            Expr::Text(tokens) => {
                tokens.is_empty()
                    || contains_run(&text.title, tokens)
                    || contains_run(&text.body, tokens)
                    || contains_run(&text.comments, tokens)
            }
        }
    }

    /// Whether the query says anything about open or closed (then `list`
    /// does not add its default `is:open`).
    pub fn mentions_state(&self) -> bool {
        match self {
            Expr::Open(_) => true,
            Expr::Field(f, _) => f.name == "status",
            Expr::And(v) | Expr::Or(v) => v.iter().any(Expr::mentions_state),
            Expr::Not(e) => e.mentions_state(),
            _ => false,
        }
    }

    /// Whether any part of the query is full text (so results rank by
    /// relevance).
    pub fn has_text(&self) -> bool {
        match self {
            Expr::Text(t) => !t.is_empty(),
            Expr::And(v) | Expr::Or(v) => v.iter().any(Expr::has_text),
            Expr::Not(_) => false,
            _ => false,
        }
    }

    /// Whether evaluating the query reads text at all, negated or not (so a
    /// scan must read the comments).
    pub fn reads_text(&self) -> bool {
        match self {
            Expr::Text(t) => !t.is_empty(),
            Expr::And(v) | Expr::Or(v) => v.iter().any(Expr::reads_text),
            Expr::Not(e) => e.reads_text(),
            _ => false,
        }
    }

    /// Every `path:` term, for the tracker to fill in the issues whose
    /// commits touched its path.
    pub fn paths_mut(&mut self) -> Vec<&mut Expr> {
        match self {
            Expr::Path { .. } => vec![self],
            Expr::And(v) | Expr::Or(v) => v.iter_mut().flat_map(Expr::paths_mut).collect(),
            Expr::Not(e) => e.paths_mut(),
            _ => Vec::new(),
        }
    }

    /// `self AND other`, flattened.
    pub fn and(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::All, e) | (e, Expr::All) => e,
            (Expr::And(mut a), Expr::And(b)) => {
                a.extend(b);
                Expr::And(a)
            }
            (Expr::And(mut a), e) => {
                a.push(e);
                Expr::And(a)
            }
            (e, Expr::And(mut b)) => {
                b.insert(0, e);
                Expr::And(b)
            }
            (a, b) => Expr::And(vec![a, b]),
        }
    }
}

/// A path as `paths` holds it: relative, `/`-separated, without `./` or a
/// final `/`.
pub fn normal_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.trim().split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Whether a linked path `linked` (`FILE`, `FOLDER` or `FILE:SYMBOL`)
/// concerns the queried `path`: the same, under it, or a folder above it.
pub fn path_related(linked: &str, path: &str) -> bool {
    let file = linked.split_once(':').map_or(linked, |(f, _)| f);
    let under = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}/"));
    match path.split_once(':') {
        // One symbol: that symbol, or the file or a folder above it.
        Some((query_file, _)) => {
            linked == path || (!linked.contains(':') && under(query_file, linked))
        }
        None => under(file, path) || under(path, file),
    }
}

/// The terms an index matches `path:` with: the path and every folder above
/// it, exactly (a linked folder concerns what is in it).
pub fn path_ancestors(path: &str) -> Vec<String> {
    let file = path.split_once(':').map_or(path, |(f, _)| f);
    let mut out = vec![path.to_owned()];
    let mut at = file;
    if file != path {
        out.push(file.to_owned());
    }
    while let Some((dir, _)) = at.rsplit_once('/') {
        out.push(dir.to_owned());
        at = dir;
    }
    out
}

/// The time an age (`7d`, `2w`, `12h`) or a date (`2026-01-31`) names, as
/// the query language reads it: what `--since` takes.
pub fn since(value: &str, now: Timestamp) -> Result<Timestamp, String> {
    time_range(&format!(">={}", value.trim()), now)?
        .from
        .ok_or_else(|| format!("{value:?} is not an age like 7d or a date like 2026-01-31"))
}

/// The condition `qualifier:v1,v2` puts on a field, for values already
/// split and lowercased: what the query language and `list`'s flags share.
/// `Err` is the reason, in words.
pub fn field_term(
    f: Field,
    values: &[String],
    config: &Config,
    now: Timestamp,
) -> Result<Expr, String> {
    Ok(match f.search {
        Search::Ranked(_) => Expr::Field(f, ranked_values(f, values, config)?),
        Search::Word(_) => match f.vocabulary {
            // A value tracker.yml does not list can match nothing: say so.
            Some(vocab) => {
                let allowed: Vec<String> = config
                    .values(vocab)
                    .iter()
                    .map(|v| v.to_lowercase())
                    .collect();
                if let Some(bad) = values.iter().find(|v| !allowed.contains(v)) {
                    return Err(format!(
                        "{bad:?} is not a {}; tracker.yml allows: {}",
                        f.name,
                        config.values(vocab).join(", ")
                    ));
                }
                Expr::Field(f, values.to_vec())
            }
            // A flag is true or false; anything else would match nothing.
            None if f.kind == Kind::Flag => {
                let mut out = Vec::new();
                for v in values {
                    out.push(match v.as_str() {
                        "true" | "yes" => "true".to_owned(),
                        "false" | "no" => "false".to_owned(),
                        _ => return Err(format!("{}: takes true or false, not {v:?}", f.name)),
                    });
                }
                Expr::Field(f, out)
            }
            None => Expr::Field(f, values.to_vec()),
        },
        Search::Time(_) => Expr::Date(f, time_range(&values.join(","), now)?),
        Search::Number(_) => Expr::Number(f, number_range(&values.join(","))?),
        Search::None => return Err(format!("{} cannot be searched", f.name)),
    })
}

#[cfg(test)]
mod tests;
