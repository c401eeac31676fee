//! The layout of the issues branch: what each path holds, and where each
//! thing goes. Every other module asks here; none builds or takes apart a
//! path of the branch by itself.
//!
//! ```text
//! tracker.yml                                      settings
//! .gitattributes                                   routes files to the merge driver
//! issues/deleted.yml                               keys never to give out again
//! issues/moved.yml                                 keys a sync moved
//! issues/<b>/<h>/<t>/<KEY>.md                      an issue
//! issues/<b>/<h>/<t>/<KEY>/comments/<ulid>.md      a comment
//! issues/<b>/<h>/<t>/<KEY>/attachments/<name>      an attached file
//! issues/<b>/<h>/<t>/<KEY>/occurrences/<ulid>.yml  a batch of occurrences
//! templates/<name>.md                              an issue template
//! replies/<name>.md                                a canned reply
//! ```
//!
//! For number `n`, `<b>` is `n / 1000`, `<h>` its hundreds digit and `<t>`
//! its tens digit: `issues/12/3/4/BC-12345.md`. A folder holds ten issues
//! or ten folders, so a change rewrites a few small trees; `issues/` holds
//! one folder per thousand issues, the one tree a change rewrites that
//! grows with the tracker (2.4 KB at 100,000). The first layout kept
//! an issue directly in its thousand's bucket (`issues/12/BC-12345.md`):
//! such files are still read where they are (and stay there when changed);
//! new issues, and every issue `doctor --fix` moves, take the layout above.

use std::fmt;

use super::key::Key;
use super::{ParseError, yaml};

pub const CONFIG: &str = "tracker.yml";
pub const ATTRIBUTES: &str = ".gitattributes";
pub const ISSUES: &str = "issues";
pub const DELETED: &str = "issues/deleted.yml";
pub const MOVED: &str = "issues/moved.yml";
pub const TEMPLATES: &str = "templates";
pub const REPLIES: &str = "replies";

/// Issues are grouped in folders of a thousand.
pub const BUCKET_SIZE: u64 = 1000;

/// What a path of the branch holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BranchPath {
    Config,
    Attributes,
    Deleted,
    Moved,
    /// An issue file. Parsed from any bucket, in either layout;
    /// [`BranchPath::path`] gives where a new one goes.
    Issue(Key),
    /// A file in an issue's folder.
    InIssue(Key, Part),
    /// `templates/<name>.md`.
    Template(String),
    /// `replies/<name>.md`: a canned reply.
    Reply(String),
    /// Anything else: kept, merged by lines, reported by `doctor`.
    Other(String),
}

/// A file in an issue's folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// `comments/<ulid>.md`, by the id.
    Comment(String),
    /// `attachments/<name>`.
    Attachment(String),
    /// `occurrences/<ulid>.yml`, by the id: a batch of occurrences of a
    /// recorded error.
    Occurrence(String),
    /// Any other path under the folder, relative to it.
    Other(String),
}

impl BranchPath {
    /// What `path` holds, by the layout above.
    pub fn parse(path: &str) -> BranchPath {
        match path {
            CONFIG => return BranchPath::Config,
            ATTRIBUTES => return BranchPath::Attributes,
            DELETED => return BranchPath::Deleted,
            MOVED => return BranchPath::Moved,
            _ => {}
        }
        if let Some(name) = path
            .strip_prefix("templates/")
            .and_then(|n| n.strip_suffix(".md"))
            .filter(|n| !n.is_empty() && !n.contains('/'))
        {
            return BranchPath::Template(name.to_owned());
        }
        if let Some(name) = path
            .strip_prefix("replies/")
            .and_then(|n| n.strip_suffix(".md"))
            .filter(|n| !n.is_empty() && !n.contains('/'))
        {
            return BranchPath::Reply(name.to_owned());
        }
        let other = || BranchPath::Other(path.to_owned());
        let Some(rest) = path.strip_prefix("issues/") else {
            return other();
        };
        let Some((bucket, mut rest)) = rest.split_once('/') else {
            return other();
        };
        if bucket.is_empty() || !bucket.bytes().all(|b| b.is_ascii_digit()) {
            return other();
        }
        // The three-level layout: two single-digit folders below the bucket.
        let digit = |s: &str| s.len() == 1 && s.as_bytes()[0].is_ascii_digit();
        if let Some((h, after)) = rest.split_once('/')
            && digit(h)
        {
            match after.split_once('/') {
                Some((t, inner)) if digit(t) => rest = inner,
                _ => return other(),
            }
        }
        match rest.split_once('/') {
            None => match key_of_file_name(rest) {
                Some(key) => BranchPath::Issue(key),
                None => other(),
            },
            Some((dir, inner)) => {
                let Ok(key) = dir.parse::<Key>() else {
                    return other();
                };
                let part = match inner.split_once('/') {
                    Some(("comments", file)) if !file.contains('/') => {
                        match file.strip_suffix(".md") {
                            Some(id) if !id.is_empty() => Part::Comment(id.to_owned()),
                            _ => Part::Other(inner.to_owned()),
                        }
                    }
                    Some(("attachments", name)) if !name.is_empty() && !name.contains('/') => {
                        Part::Attachment(name.to_owned())
                    }
                    Some(("occurrences", file)) if !file.contains('/') => {
                        match file.strip_suffix(".yml") {
                            Some(id) if !id.is_empty() => Part::Occurrence(id.to_owned()),
                            _ => Part::Other(inner.to_owned()),
                        }
                    }
                    _ => Part::Other(inner.to_owned()),
                };
                BranchPath::InIssue(key, part)
            }
        }
    }

    /// Where this belongs on the branch.
    pub fn path(&self) -> String {
        match self {
            BranchPath::Config => CONFIG.to_owned(),
            BranchPath::Attributes => ATTRIBUTES.to_owned(),
            BranchPath::Deleted => DELETED.to_owned(),
            BranchPath::Moved => MOVED.to_owned(),
            BranchPath::Issue(key) => issue_file(key),
            BranchPath::InIssue(key, part) => {
                let dir = issue_dir(key);
                match part {
                    Part::Comment(id) => format!("{dir}/comments/{id}.md"),
                    Part::Attachment(name) => format!("{dir}/attachments/{name}"),
                    Part::Occurrence(id) => format!("{dir}/occurrences/{id}.yml"),
                    Part::Other(rel) => format!("{dir}/{rel}"),
                }
            }
            BranchPath::Template(name) => format!("{TEMPLATES}/{name}.md"),
            BranchPath::Reply(name) => format!("{REPLIES}/{name}.md"),
            BranchPath::Other(path) => path.clone(),
        }
    }

    /// The issue the path belongs to: its file or anything in its folder.
    pub fn key(&self) -> Option<&Key> {
        match self {
            BranchPath::Issue(k) | BranchPath::InIssue(k, _) => Some(k),
            _ => None,
        }
    }
}

impl fmt::Display for BranchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// The folder under `issues/` that holds a number's issue.
pub fn bucket(number: u64) -> u64 {
    number / BUCKET_SIZE
}

/// `issues/12`: a bucket's folder.
pub fn bucket_dir(bucket: u64) -> String {
    format!("{ISSUES}/{bucket}")
}

/// `issues/12/3/4`: the folder of a number's issue.
pub fn number_dir(number: u64) -> String {
    format!(
        "{}/{}/{}",
        bucket_dir(bucket(number)),
        number / 100 % 10,
        number / 10 % 10
    )
}

/// `issues/12/3/4/BC-12345.md`: where an issue is filed.
pub fn issue_file(key: &Key) -> String {
    format!("{}/{key}.md", number_dir(key.number))
}

/// `issues/12/3/4/BC-12345`: the folder of the issue's comments and
/// attachments, beside its file.
pub fn issue_dir(key: &Key) -> String {
    format!("{}/{key}", number_dir(key.number))
}

/// `issues/12/BC-12345.md`: where the first layout filed an issue.
pub fn old_issue_file(key: &Key) -> String {
    format!("{}/{key}.md", bucket_dir(bucket(key.number)))
}

/// Where an issue's file may be, the current layout first.
pub fn issue_file_candidates(key: &Key) -> [String; 2] {
    [issue_file(key), old_issue_file(key)]
}

/// The folder beside an issue file at `path` (its comments, attachments).
pub fn folder_of(issue_path: &str) -> &str {
    issue_path.strip_suffix(".md").unwrap_or(issue_path)
}

/// Whether `path` is a place where `key`'s file belongs: the current
/// layout, or the first one.
pub fn is_home_of(key: &Key, path: &str) -> bool {
    issue_file_candidates(key).iter().any(|p| p == path)
}

/// `issues/12/3/4/BC-12345/comments`
pub fn comments_dir(key: &Key) -> String {
    format!("{}/comments", issue_dir(key))
}

/// `issues/0/BC-12/comments/<id>.md`
pub fn comment_file(key: &Key, id: &str) -> String {
    BranchPath::InIssue(key.clone(), Part::Comment(id.to_owned())).path()
}

/// `issues/12/3/4/BC-12345/occurrences`
pub fn occurrences_dir(key: &Key) -> String {
    format!("{}/occurrences", issue_dir(key))
}

/// `issues/12/3/4/BC-12345/occurrences/<id>.yml`
pub fn occurrence_file(key: &Key, id: &str) -> String {
    BranchPath::InIssue(key.clone(), Part::Occurrence(id.to_owned())).path()
}

/// The key of an issue file's name, `BC-12.md`.
pub fn key_of_file_name(name: &str) -> Option<Key> {
    name.strip_suffix(".md")?.parse().ok()
}

/// The header `issues/deleted.yml` starts with.
pub const DELETED_HEADER: &str =
    "# Keys of deleted issues: git-issue never gives them out again.\n";

/// The header `issues/moved.yml` starts with.
pub const MOVED_HEADER: &str =
    "# Keys a sync moved: the issue filed under the first key now has the second.\n";

/// Reads one of the key-list files (`deleted.yml`, `moved.yml`): a YAML
/// list of strings, block or flow style; empty or null is an empty list.
pub fn parse_key_list(text: &str) -> Result<Vec<String>, ParseError> {
    if text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#')
    }) {
        return Ok(Vec::new());
    }
    let items: Option<Vec<serde_json::Value>> =
        serde_saphyr::from_str(text).map_err(|e| yaml::error_at(&e, 0))?;
    items
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, v)| match v {
            serde_json::Value::String(s) => Ok(s.trim().to_owned()),
            serde_json::Value::Number(n) => Ok(n.to_string()),
            _ => Err(ParseError::new(
                1,
                1,
                format!("item {} of the list is not a key", i + 1),
            )),
        })
        .collect()
}

/// Reads a key-list file as well as can be: as YAML, else line by line
/// (`- KEY`), so a hand-broken file still keeps its keys from being given
/// out again. `doctor` reports the breakage.
pub fn read_key_list(text: &str) -> Vec<String> {
    parse_key_list(text).unwrap_or_else(|_| {
        text.lines()
            .filter_map(|l| l.trim().strip_prefix("- "))
            .map(|k| k.trim().trim_matches('"').to_owned())
            .filter(|k| !k.is_empty())
            .collect()
    })
}

/// Writes a key-list file: `header`'s comment lines, then one item a line.
pub fn print_key_list(header: &str, items: &[String]) -> String {
    let mut out: String = header
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    for item in items {
        out.push_str("- ");
        out.push_str(&yaml::quote(item));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_say_what_they_hold_and_go_back_where_they_were() {
        let k = Key::new("BC", 12);
        for (path, what) in [
            ("tracker.yml", BranchPath::Config),
            ("issues/deleted.yml", BranchPath::Deleted),
            ("issues/moved.yml", BranchPath::Moved),
            ("issues/0/0/1/BC-12.md", BranchPath::Issue(k.clone())),
            (
                "issues/0/0/1/BC-12/comments/01J.md",
                BranchPath::InIssue(k.clone(), Part::Comment("01J".into())),
            ),
            (
                "issues/0/0/1/BC-12/attachments/log.txt",
                BranchPath::InIssue(k.clone(), Part::Attachment("log.txt".into())),
            ),
            (
                "issues/0/0/1/BC-12/occurrences/01J.yml",
                BranchPath::InIssue(k.clone(), Part::Occurrence("01J".into())),
            ),
            ("templates/bug.md", BranchPath::Template("bug".into())),
            ("replies/thanks.md", BranchPath::Reply("thanks".into())),
            ("README.md", BranchPath::Other("README.md".into())),
        ] {
            assert_eq!(BranchPath::parse(path), what, "{path}");
            assert_eq!(what.path(), path);
        }
        assert_eq!(
            BranchPath::Issue(Key::new("BC", 12345)).path(),
            "issues/12/3/4/BC-12345.md"
        );
        // The first layout is still read.
        assert_eq!(
            BranchPath::parse("issues/0/BC-12.md"),
            BranchPath::Issue(k.clone())
        );
        assert_eq!(
            BranchPath::parse("issues/0/BC-12/comments/01J.md"),
            BranchPath::InIssue(k.clone(), Part::Comment("01J".into()))
        );
        assert!(matches!(
            BranchPath::parse("issues/0/0/BC-12.md"),
            BranchPath::Other(_)
        ));
    }

    #[test]
    fn an_issue_in_the_wrong_bucket_is_still_an_issue() {
        let p = BranchPath::parse("issues/7/BC-12.md");
        assert_eq!(p, BranchPath::Issue(Key::new("BC", 12)));
        assert_eq!(p.path(), "issues/0/0/1/BC-12.md");
        assert!(!is_home_of(&Key::new("BC", 12), "issues/7/BC-12.md"));
        assert!(is_home_of(&Key::new("BC", 12), "issues/0/BC-12.md"));
        assert!(matches!(
            BranchPath::parse("issues/x/BC-12.md"),
            BranchPath::Other(_)
        ));
    }

    #[test]
    fn key_lists_are_yaml_in_any_style() {
        assert_eq!(parse_key_list("[BC-3]\n").unwrap(), ["BC-3"]);
        assert_eq!(
            parse_key_list("# header\n- BC-1\n- \"BC-2\"\n").unwrap(),
            ["BC-1", "BC-2"]
        );
        assert!(parse_key_list("# only a header\n").unwrap().is_empty());
        assert!(parse_key_list("- [unclosed\n").is_err());
        let text = print_key_list(DELETED_HEADER, &["BC-1".into(), "BC-2".into()]);
        assert_eq!(parse_key_list(&text).unwrap(), ["BC-1", "BC-2"]);
        assert!(text.starts_with("# Keys of deleted"));
    }
}
