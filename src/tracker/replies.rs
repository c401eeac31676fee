//! Canned replies: `replies/<name>.md` on the branch, Markdown with
//! placeholders (`{key}`, `{reporter_name}`, any field) that are filled
//! from an issue when the reply is posted as a comment. A placeholder that
//! names nothing is refused, with where it is, before anything is written.
//!
//! A placeholder is `{name}` with `name` made of letters, digits, `_` and
//! `.`; any other text in braces (code, JSON) is left as it is, and `{{`
//! and `}}` write one brace.

use std::cell::RefCell;

use super::people::{Person, reporter_of};
use super::read::{load, locate};
use super::{Error, Result, Tracker};
use crate::format::fields::{self, Val};
use crate::format::layout::{self, BranchPath};
use crate::format::{Comment, Issue, Key, ParseError, yaml};
use crate::store::{Change, Edit, Snapshot};

/// A canned reply and its text.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Reply {
    pub name: String,
    pub text: String,
}

/// Whether `replies add` makes a new reply or `replies edit` changes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyChange {
    Add,
    Edit,
}

/// The placeholders every reply may use besides the fields of an issue.
pub const PLACEHOLDERS: &[&str] = &["key", "reporter_name", "me"];

/// Checks a reply's name: letters, digits, `-`, `_` and `.`, not starting
/// with a dot, at most 64 characters: a file name on every system.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::Refused(format!(
            "{name:?} cannot be the name of a reply: use letters, digits, - _ and ., like needs-logs"
        )))
    }
}

fn reply_names(snap: &Snapshot<'_>) -> Result<Vec<String>> {
    Ok(snap
        .list(layout::REPLIES)?
        .into_iter()
        .filter(|e| e.is_file)
        .filter_map(
            |e| match BranchPath::parse(&format!("{}/{}", layout::REPLIES, e.name)) {
                BranchPath::Reply(name) => Some(name),
                _ => None,
            },
        )
        .collect())
}

fn read_reply(snap: &Snapshot<'_>, name: &str) -> Result<(String, String)> {
    check_name(name)?;
    let path = BranchPath::Reply(name.to_owned()).path();
    match snap.read(&path) {
        Ok(Some(text)) => Ok((path, text)),
        Ok(None) => Err(Error::NoReply {
            name: name.to_owned(),
            available: reply_names(snap)?,
        }),
        Err(crate::store::StoreError::NotText { .. }) => Err(Error::BadFile(
            super::Problem::whole(&path, "the file is not UTF-8 text"),
        )),
        Err(e) => Err(e.into()),
    }
}

impl Tracker {
    /// Every canned reply, by name.
    pub fn replies(&self) -> Result<Vec<Reply>> {
        let snap = self.snapshot()?;
        let mut out = Vec::new();
        for name in reply_names(&snap)? {
            let (_, text) = read_reply(&snap, &name)?;
            out.push(Reply { name, text });
        }
        Ok(out)
    }

    /// One canned reply.
    pub fn reply(&self, name: &str) -> Result<Reply> {
        let (_, text) = read_reply(&self.snapshot()?, name)?;
        Ok(Reply {
            name: name.to_owned(),
            text,
        })
    }

    /// Adds a reply, or changes one, in one commit. Its placeholders are
    /// checked first: a name that no issue could fill is refused.
    pub fn save_reply(&self, name: &str, text: &str, how: ReplyChange) -> Result<Option<String>> {
        check_name(name)?;
        let text = yaml::normalize_body(text);
        if text.trim().is_empty() {
            return Err(Error::Empty {
                what: "a reply",
                needs: "some text",
            });
        }
        let path = BranchPath::Reply(name.to_owned()).path();
        check(&text).map_err(|e| {
            Error::Refused(format!("{path}:{}:{}: {}", e.line, e.column, e.message))
        })?;
        self.commit(|snap| {
            let exists = snap.contains(&path);
            match how {
                ReplyChange::Add if exists => {
                    return Err(Error::Refused(format!(
                        "there is a reply {name:?} already; change it with git issue replies edit {name}"
                    )));
                }
                ReplyChange::Edit if !exists => {
                    return Err(Error::NoReply {
                        name: name.to_owned(),
                        available: reply_names(snap)?,
                    });
                }
                _ => {}
            }
            if snap.read(&path).ok().flatten().as_deref() == Some(text.as_str()) {
                return Ok(None);
            }
            Ok(Some(Change {
                message: format!(
                    "{} the reply {name}",
                    if exists { "Change" } else { "Add" }
                ),
                edits: vec![Edit::Write {
                    path: path.clone(),
                    content: text.clone().into_bytes(),
                }],
            }))
        })
    }

    /// Removes a reply.
    pub fn remove_reply(&self, name: &str) -> Result<String> {
        check_name(name)?;
        let path = BranchPath::Reply(name.to_owned()).path();
        let commit = self.commit(|snap| {
            read_reply(snap, name)?;
            Ok::<_, Error>(Some(Change {
                message: format!("Remove the reply {name}"),
                edits: vec![Edit::Remove { path: path.clone() }],
            }))
        })?;
        commit.ok_or_else(|| Error::Internal("the reply was not removed".to_owned()))
    }

    /// A reply filled in for an issue, as it would be posted.
    pub fn fill_reply(&self, key: &Key, name: &str) -> Result<String> {
        let snap = self.snapshot()?;
        let me = self.me()?;
        let (path, text) = read_reply(&snap, name)?;
        let record = load(&snap, key)?;
        fill(&text, &path, &record.key, &record.issue, &me).map_err(Error::Refused)
    }

    /// Posts a reply as a comment on an issue, filled in from the issue as
    /// it is on the tip, in one commit; returns the key and comment id.
    pub fn post_reply(&self, key: &Key, name: &str, internal: bool) -> Result<(Key, String)> {
        let me = self.me()?;
        let created = self.store.now();
        let id = ulid::Ulid::new().to_string();
        let found = RefCell::new(key.clone());
        self.commit(|snap| {
            let (path, text) = read_reply(snap, name)?;
            let (k, issue_path) = locate(snap, key)?;
            let record = load(snap, &k)?;
            let body = fill(&text, &path, &k, &record.issue, &me).map_err(Error::Refused)?;
            let comment = Comment {
                author: me.full.clone(),
                created,
                internal,
                extra: Vec::new(),
                body: yaml::normalize_body(&body),
            };
            let change = Change {
                message: format!(
                    "{k}: {}comment {id} (reply {name})",
                    if internal { "internal " } else { "" }
                ),
                edits: vec![Edit::Write {
                    // Beside the issue's file, in whichever layout it is.
                    path: format!("{}/comments/{id}.md", layout::folder_of(&issue_path)),
                    content: comment.print().into_bytes(),
                }],
            };
            *found.borrow_mut() = k;
            Ok::<_, Error>(Some(change))
        })?;
        Ok((found.into_inner(), id))
    }
}

/// A placeholder in a reply, and where it is (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub name: String,
    pub line: usize,
    pub column: usize,
}

impl Placeholder {
    fn unknown(&self, path: &str) -> String {
        format!(
            "{path}:{}:{}: {}",
            self.line,
            self.column,
            self.unknown_message()
        )
    }

    fn unknown_message(&self) -> String {
        format!(
            "unknown placeholder {{{}}}; a reply can use {{key}}, {{title}}, {{reporter}}, {{reporter_name}}, {{assignee}}, {{status}}, {{milestone}}, {{me}} and any other field of an issue, like {{priority}} or {{env.browser}}",
            self.name
        )
    }
}

/// Whether a placeholder name means something: a field (or an entry of a
/// map field, `env.browser`) or one of [`PLACEHOLDERS`].
fn knows(name: &str) -> bool {
    let base = name.split_once('.').map_or(name, |(b, _)| b);
    PLACEHOLDERS.contains(&name)
        || fields::every().any(|f| {
            f.name == name || (f.name == base && f.kind == fields::Kind::Map && name != base)
        })
}

/// Checks that every placeholder of a reply's text means something; the
/// error points at the first that does not.
pub fn check(text: &str) -> std::result::Result<(), ParseError> {
    match placeholders(text).into_iter().find(|p| !knows(&p.name)) {
        None => Ok(()),
        Some(p) => Err(ParseError::new(p.line, p.column, p.unknown_message())),
    }
}

/// The placeholders of a reply, in order.
pub fn placeholders(text: &str) -> Vec<Placeholder> {
    let mut out = Vec::new();
    walk(text, |p| {
        out.push(p.clone());
        String::new()
    });
    out
}

/// Goes through `text`, replacing each placeholder by what `value` says and
/// `{{`/`}}` by one brace; other text is kept as it is.
fn walk(text: &str, mut value: impl FnMut(&Placeholder) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut line, mut column) = (1, 1);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let advance = |s: &str, line: &mut usize, column: &mut usize| {
            for ch in s.chars() {
                if ch == '\n' {
                    *line += 1;
                    *column = 1;
                } else {
                    *column += 1;
                }
            }
        };
        if rest.starts_with("{{") || rest.starts_with("}}") {
            out.push(c);
            advance(&rest[..2], &mut line, &mut column);
            rest = &rest[2..];
            continue;
        }
        if c == '{'
            && let Some(end) = rest[1..].find('}')
        {
            let name = &rest[1..1 + end];
            if is_placeholder_name(name) {
                let p = Placeholder {
                    name: name.to_owned(),
                    line,
                    column,
                };
                out.push_str(&value(&p));
                let taken = &rest[..end + 2];
                advance(taken, &mut line, &mut column);
                rest = &rest[end + 2..];
                continue;
            }
        }
        out.push(c);
        advance(&rest[..c.len_utf8()], &mut line, &mut column);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn is_placeholder_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Fills a reply's placeholders from an issue; `Err` names the first
/// placeholder that means nothing, with its place in `path`.
pub fn fill(
    text: &str,
    path: &str,
    key: &Key,
    issue: &Issue,
    me: &Person,
) -> std::result::Result<String, String> {
    let mut unknown: Option<String> = None;
    let filled = walk(text, |p| match value_of(&p.name, key, issue, me) {
        Some(v) => v,
        None => {
            if unknown.is_none() {
                unknown = Some(p.unknown(path));
            }
            String::new()
        }
    });
    match unknown {
        Some(e) => Err(e),
        None => Ok(filled),
    }
}

/// What a placeholder stands for on one issue; `None` when it names
/// nothing. An empty field fills in as nothing.
fn value_of(name: &str, key: &Key, issue: &Issue, me: &Person) -> Option<String> {
    let text = |v: Val<'_>| v.to_text().unwrap_or_default();
    match name {
        "key" => return Some(key.to_string()),
        "me" => return Some(me.name.clone()),
        "reporter_name" => return Some(reporter_of(issue).map(|p| p.name).unwrap_or_default()),
        // `votes` alone are the votes without a name; people mean them all.
        "votes" => return Some(fields::vote_count(issue).to_string()),
        _ => {}
    }
    if let Some(f) = fields::every().find(|f| f.name == name) {
        return Some(text(issue.get(f)));
    }
    let (base, entry) = name.split_once('.')?;
    let f = fields::every().find(|f| f.name == base && f.kind == fields::Kind::Map)?;
    match issue.get(f) {
        Val::Map(m) => Some(m.get(entry).cloned().unwrap_or_default()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue() -> Issue {
        let t = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        let mut i = Issue::new(
            "01".into(),
            "Crash".into(),
            "bug".into(),
            "open".into(),
            "p2".into(),
            t,
        );
        i.reporter = Some("Bob Jones <bob@example.com>".into());
        i.labels = vec!["ui".into(), "auth".into()];
        i
    }

    #[test]
    fn placeholders_fill_and_braces_stay() {
        let me = Person::parse("Alice <alice@example.com>");
        let text = "Hi {reporter_name}, {key} ({title}) is {status}{assignee}.\n{{key}} fn x() {} { a: 1 } {labels}\n— {me}";
        let out = fill(text, "replies/x.md", &Key::new("BC", 3), &issue(), &me).unwrap();
        assert_eq!(
            out,
            "Hi Bob Jones, BC-3 (Crash) is open.\n{key} fn x() {} { a: 1 } ui, auth\n— Alice"
        );
    }

    #[test]
    fn an_unknown_placeholder_is_named_with_its_place() {
        let me = Person::parse("Alice <alice@example.com>");
        let e = fill(
            "Hi\n  {colour}",
            "replies/x.md",
            &Key::new("BC", 3),
            &issue(),
            &me,
        )
        .unwrap_err();
        assert!(
            e.starts_with("replies/x.md:2:3: unknown placeholder {colour};"),
            "{e}"
        );
    }
}
