//! Reading the query language: text into tokens, tokens into an [`Expr`]
//! tree, with the sort a query may name.

use jiff::Timestamp;

use super::{Expr, Query, QueryError, Sort, field_term, normal_path, tokenize_in};
use crate::format::Config;
use crate::format::fields::{self, FIELDS, Kind, Search};

impl Query {
    /// Parses `text`. `now` resolves relative dates (`7d`).
    pub fn parse(text: &str, config: &Config, now: Timestamp) -> Result<Query, QueryError> {
        let tokens = lex(text)?;
        let mut p = Parser {
            tokens,
            pos: 0,
            config,
            now,
            sort: None,
            depth: 0,
        };
        let expr = if p.tokens.is_empty() {
            Expr::All
        } else {
            p.or()?
        };
        if let Some(t) = p.tokens.get(p.pos) {
            return Err(t.error(if t.kind == Tok::Close {
                "unbalanced parenthesis"
            } else {
                "unexpected text"
            }));
        }
        Ok(Query { expr, sort: p.sort })
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Or,
    /// A word, possibly `qualifier:value`, possibly negated with `-`;
    /// `quoted` when it was in double quotes (a phrase, never a qualifier).
    Word {
        negated: bool,
        text: String,
        quoted: bool,
    },
}

#[derive(Debug, Clone)]
struct Token {
    kind: Tok,
    offset: usize,
    raw: String,
}

impl Token {
    fn error(&self, message: &str) -> QueryError {
        QueryError {
            offset: self.offset,
            token: self.raw.clone(),
            message: message.to_owned(),
        }
    }
}

fn lex(text: &str) -> Result<Vec<Token>, QueryError> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '(' || c == ')' {
            out.push(Token {
                kind: if c == '(' { Tok::Open } else { Tok::Close },
                offset: start,
                raw: c.to_string(),
            });
            i += 1;
            continue;
        }
        // A word runs to white space or a parenthesis outside quotes; quotes
        // may wrap the whole word ("a b") or a qualifier's value (label:"a b").
        let mut word = String::new();
        let mut quoted = false;
        let mut in_quotes = false;
        let mut j = i;
        while j < chars.len() {
            let c = chars[j].1;
            if c == '"' {
                in_quotes = !in_quotes;
                quoted = true;
                j += 1;
                continue;
            }
            if !in_quotes && (c.is_whitespace() || c == '(' || c == ')') {
                break;
            }
            word.push(c);
            j += 1;
        }
        let end = chars.get(j).map_or(text.len(), |c| c.0);
        let raw = text[start..end].to_owned();
        if in_quotes {
            return Err(QueryError {
                offset: start,
                token: raw,
                message: "a quote is never closed".to_owned(),
            });
        }
        i = j;
        let kind = if raw == "OR" {
            Tok::Or
        } else {
            let (negated, text) = match word.strip_prefix('-') {
                Some(rest) if !rest.is_empty() && !raw.starts_with('"') => (true, rest.to_owned()),
                _ => (false, word),
            };
            // `"a b"` is a phrase; `label:"a b"` is a qualifier with a quoted value.
            let whole_quoted = quoted && raw.trim_start_matches('-').starts_with('"');
            Tok::Word {
                negated,
                text,
                quoted: whole_quoted,
            }
        };
        out.push(Token {
            kind,
            offset: start,
            raw,
        });
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    config: &'a Config,
    now: Timestamp,
    sort: Option<Sort>,
    /// Parentheses open around the term being read.
    depth: usize,
}

/// How deep parentheses may nest: far more than a person writes, and few
/// enough that no query can exhaust the stack.
pub const MAX_DEPTH: usize = 32;

impl Parser<'_> {
    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut alternatives = vec![self.and()?];
        while matches!(self.peek(), Some(Tok::Or)) {
            let or = self.tokens[self.pos].clone();
            self.pos += 1;
            if matches!(self.peek(), None | Some(Tok::Close | Tok::Or)) {
                return Err(or.error("OR needs something on both sides"));
            }
            alternatives.push(self.and()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            Expr::Or(alternatives)
        })
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut terms = Vec::new();
        while let Some(kind) = self.peek() {
            match kind {
                Tok::Close | Tok::Or => break,
                _ => {
                    if let Some(e) = self.unary()? {
                        terms.push(e);
                    }
                }
            }
        }
        if terms.is_empty() {
            return match self.tokens.get(self.pos) {
                Some(t) => Err(t.error("expected a search term")),
                None => Ok(Expr::All),
            };
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::And(terms)
        })
    }

    /// Words of full text, as the index holds them.
    fn words(&self, text: &str) -> Vec<String> {
        tokenize_in(text, &self.config.search.language)
    }

    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.kind)
    }

    /// One term; `None` for `sort:`, which is not a condition.
    fn unary(&mut self) -> Result<Option<Expr>, QueryError> {
        let token = self.tokens[self.pos].clone();
        self.pos += 1;
        match token.kind.clone() {
            Tok::Open => {
                if self.depth == MAX_DEPTH {
                    return Err(
                        token.error(&format!("parentheses nest more than {MAX_DEPTH} deep"))
                    );
                }
                self.depth += 1;
                let inner = self.or()?;
                self.depth -= 1;
                match self.peek() {
                    Some(Tok::Close) => self.pos += 1,
                    _ => return Err(token.error("this parenthesis is never closed")),
                }
                Ok(Some(inner))
            }
            Tok::Close | Tok::Or => Err(token.error("expected a search term")),
            Tok::Word {
                negated,
                text,
                quoted,
            } => {
                let expr = if quoted {
                    Some(Expr::Text(self.words(&text)))
                } else {
                    self.word(&token, &text)?
                };
                Ok(match (expr, negated) {
                    (Some(e), true) => Some(Expr::Not(Box::new(e))),
                    (e, _) => e,
                })
            }
        }
    }

    fn word(&mut self, token: &Token, text: &str) -> Result<Option<Expr>, QueryError> {
        let Some((qualifier, value)) = text.split_once(':') else {
            return Ok(Some(Expr::Text(self.words(text))));
        };
        let qualifier_lc = qualifier.to_ascii_lowercase();
        let value = value.trim();
        let field = fields::by_qualifier(&qualifier_lc);
        let known =
            matches!(qualifier_lc.as_str(), "is" | "no" | "sort" | "key") || field.is_some();
        if !known {
            // `http://x` or `error:timeout` in text: a plain word.
            if qualifier.chars().all(|c| c.is_ascii_alphabetic())
                && !value.is_empty()
                && !value.starts_with('/')
            {
                return Err(token.error(&format!(
                    "unknown qualifier {qualifier:?}; use {}",
                    qualifier_names()
                )));
            }
            return Ok(Some(Expr::Text(self.words(text))));
        }
        if value.is_empty() {
            return Err(token.error(&format!("{qualifier_lc}: needs a value")));
        }
        Ok(Some(match (qualifier_lc.as_str(), field) {
            ("is", _) => match value.to_ascii_lowercase().as_str() {
                "open" => Expr::Open(true),
                "closed" => Expr::Open(false),
                // `is:known`, `is:confidential`: a flag that is set.
                name => match fields::field(name).filter(|f| f.kind == Kind::Flag) {
                    Some(f) => Expr::Not(Box::new(Expr::Missing(f))),
                    None => {
                        let mut names = vec!["open", "closed"];
                        names.extend(flag_names());
                        return Err(token.error(&format!("is: takes {}", or_list(&names))));
                    }
                },
            },
            ("no", _) => match fields::by_qualifier(&value.to_ascii_lowercase()) {
                Some(f)
                    if f.may_be_empty()
                        && matches!(f.search, Search::Word(_) | Search::Ranked(_)) =>
                {
                    Expr::Missing(f)
                }
                _ => {
                    let names: Vec<&str> = missing_qualifiers().collect();
                    return Err(token.error(&format!("no: takes {}", or_list(&names))));
                }
            },
            ("sort", _) => {
                self.sort = Some(value.parse().map_err(|e: String| token.error(&e))?);
                return Ok(None);
            }
            ("key", _) => Expr::Key(split_values(value)),
            ("path", _) => match normal_path(value).to_lowercase() {
                p if p.is_empty() || p.starts_with(':') => {
                    return Err(token.error("path: takes a file or folder of the repository"));
                }
                path => Expr::Path {
                    path,
                    keys: Vec::new(),
                },
            },
            (_, Some(f)) => field_term(f, &split_values(value), self.config, self.now)
                .map_err(|message| token.error(&message))?,
            (_, None) => return Ok(Some(Expr::Text(self.words(text)))),
        }))
    }
}

fn split_values(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
        .collect()
}

/// `a, b or c`.
fn or_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Every qualifier, for the message about an unknown one.
fn qualifier_names() -> String {
    let mut names = vec!["is"];
    names.extend(fields::every().filter_map(|f| f.qualifier()));
    names.extend(["key", "no", "sort"]);
    or_list(&names)
}

/// The flags `is:` takes besides open and closed.
fn flag_names() -> impl Iterator<Item = &'static str> {
    FIELDS
        .iter()
        .filter(|f| f.kind == Kind::Flag)
        .map(|f| f.name)
}

/// The qualifiers `no:` takes: fields that may be empty.
fn missing_qualifiers() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().filter_map(|f| match f.search {
        Search::Word(q) | Search::Ranked(q) if f.may_be_empty() => Some(q),
        _ => None,
    })
}
