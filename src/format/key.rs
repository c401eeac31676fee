//! Issue keys (`BC-12`) and where an issue lives on the branch.

use std::fmt;
use std::str::FromStr;

/// A Jira-style key: a project prefix and a number. The number is the
/// identity on the branch; the prefix is what `tracker.yml` said when the
/// issue was created.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub prefix: String,
    pub number: u64,
}

/// Issue numbers stay below a billion: every key fits nine digits, sorts in
/// the index's 30 bits, and no import can push numbering past what the tool
/// reads back.
pub const MAX_NUMBER: u64 = 999_999_999;

impl Key {
    pub fn new(prefix: impl Into<String>, number: u64) -> Self {
        Key {
            prefix: prefix.into(),
            number,
        }
    }

    /// Reads what a user typed: `BC-12`, `bc-12`, or a bare `12` (which takes
    /// the tracker's own prefix).
    pub fn parse_with_default(s: &str, default_prefix: &str) -> Option<Key> {
        let s = s.trim();
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return format!("{default_prefix}-{s}").parse().ok();
        }
        s.parse().ok()
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.prefix, self.number)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an issue key like BC-12 (numbers run from 1 to 999999999)")]
pub struct BadKey(pub String);

impl FromStr for Key {
    type Err = BadKey;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadKey(s.to_owned());
        let (prefix, number) = s.rsplit_once('-').ok_or_else(bad)?;
        if !is_valid_prefix(prefix) || number.is_empty() || number.len() > 9 {
            return Err(bad());
        }
        if !number.bytes().all(|b| b.is_ascii_digit()) || number.starts_with('0') {
            return Err(bad());
        }
        Ok(Key::new(
            prefix.to_ascii_uppercase(),
            number.parse().map_err(|_| bad())?,
        ))
    }
}

/// A prefix is a letter followed by letters and digits, at most ten.
pub fn is_valid_prefix(p: &str) -> bool {
    let mut chars = p.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && p.len() <= 10
        && chars.all(|c| c.is_ascii_alphanumeric())
}

/// The default prefix for a repository: the initials of a name made of
/// several words (`bug-catcher` gives `BC`), else its first three letters.
pub fn prefix_from_name(name: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        // camelCase counts as words too.
        let mut word = String::new();
        for c in part.chars() {
            if c.is_ascii_uppercase() && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            word.push(c);
        }
        if !word.is_empty() {
            words.push(word);
        }
    }
    words.retain(|w| w.starts_with(|c: char| c.is_ascii_alphabetic()));
    let prefix: String = match words.as_slice() {
        [] => "ISSUE".to_owned(),
        [one] => one.chars().take(3).collect(),
        many => many
            .iter()
            .take(4)
            .filter_map(|w| w.chars().next())
            .collect(),
    };
    prefix.to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_print() {
        let k: Key = "bc-12".parse().unwrap();
        assert_eq!(k.to_string(), "BC-12");
        assert_eq!("BC-999999999".parse::<Key>().unwrap().number, MAX_NUMBER);
        assert!("BC-1000000000".parse::<Key>().is_err());
        assert!("BC-999999999999999999".parse::<Key>().is_err());
        assert!("BC-012".parse::<Key>().is_err());
        assert!("BC12".parse::<Key>().is_err());
        assert!("-12".parse::<Key>().is_err());
        assert_eq!(Key::parse_with_default("7", "BC"), Some(Key::new("BC", 7)));
    }

    #[test]
    fn prefixes_from_repository_names() {
        assert_eq!(prefix_from_name("bug-catcher"), "BC");
        assert_eq!(prefix_from_name("BugCatcher"), "BC");
        assert_eq!(prefix_from_name("git_issue_tracker"), "GIT");
        assert_eq!(prefix_from_name("tantivy"), "TAN");
        assert_eq!(prefix_from_name("123"), "ISSUE");
    }
}
