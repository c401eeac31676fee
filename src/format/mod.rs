//! The files on the issues branch, as `issue-format.md` specifies them: issue
//! files, comment files and `tracker.yml`. Everything here is pure: text in,
//! values out, and values back to text in canonical form. Nothing here knows
//! about git or the file system.

pub mod comment;
pub mod config;
pub mod fields;
pub mod fingerprint;
pub mod issue;
pub mod key;
pub mod layout;
pub mod occurrence;
pub mod summary;
pub mod value;
pub mod yaml;

use std::fmt;

use jiff::Timestamp;

pub use comment::Comment;
pub use config::Config;
pub use issue::Issue;
pub use key::Key;
pub use summary::Summary;

/// Why a file did not parse, and where (1-based, in the whole file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ParseError {
    pub fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        ParseError {
            line,
            column,
            message: message.into(),
        }
    }

    pub(crate) fn at(field: &yaml::Pair, message: impl Into<String>) -> Self {
        ParseError::new(field.line, field.column, message)
    }
}

/// Something wrong with one file on the branch: `path:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Problem {
    pub fn new(path: &str, e: ParseError) -> Self {
        Problem {
            path: path.to_owned(),
            line: e.line,
            column: e.column,
            message: e.message,
        }
    }

    /// A problem with the file as a whole, reported at its first line.
    pub fn whole(path: &str, message: impl Into<String>) -> Self {
        Problem::new(path, ParseError::new(1, 1, message))
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.column, self.message
        )
    }
}

/// The first character of `s` that a terminal would obey rather than show:
/// C0 and C1 controls, DEL, and the bidirectional controls that reorder
/// text (U+061C, U+200E/F, U+202A to U+202E, U+2066 to U+2069). In
/// `multiline` text, newlines and tabs are text.
pub fn control_char(s: &str, multiline: bool) -> Option<char> {
    s.chars()
        .find(|&c| is_control(c) && !(multiline && matches!(c, '\n' | '\t')))
}

/// Whether a terminal would obey `c` rather than show it.
pub fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// A timestamp as the files write it: RFC 3339 in UTC.
pub fn format_timestamp(ts: Timestamp) -> String {
    ts.to_string()
}

/// Reads an RFC 3339 timestamp with any offset; stored back in UTC.
pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
    s.trim().parse::<Timestamp>().ok()
}

/// Joins words for messages: `a, b, c`.
pub(crate) struct Listing<'a>(pub &'a [String]);

impl fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(", "))
    }
}

#[cfg(test)]
mod contract {
    //! The examples in `issue-format.md` are the contract: they must read and
    //! print back byte for byte.

    use super::*;

    const DOC: &str = include_str!("../../issue-format.md");

    fn blocks(lang: &str) -> Vec<&'static str> {
        let fence = format!("```{lang}\n");
        DOC.split(fence.as_str())
            .skip(1)
            .map(|rest| rest.split("```\n").next().unwrap_or_default())
            .collect()
    }

    #[test]
    fn the_example_issue_and_comment_are_canonical() {
        let md = blocks("markdown");
        assert_eq!(md.len(), 2, "an issue and a comment example");
        let issue = Issue::parse(md[0]).unwrap();
        assert_eq!(issue.labels, ["auth", "ui"]);
        assert_eq!(issue.print(), md[0]);
        let comment = Comment::parse(md[1]).unwrap();
        assert!(comment.internal);
        assert_eq!(comment.print(), md[1]);
    }

    #[test]
    fn the_field_table_of_the_contract_is_the_programs() {
        let table: Vec<&str> = DOC
            .split("### Fields\n")
            .nth(1)
            .unwrap_or_default()
            .lines()
            .take_while(|l| !l.starts_with('#'))
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        let program: Vec<&str> = fields::FIELDS.iter().map(|f| f.name).collect();
        assert_eq!(table, program, "issue-format.md's field table, in order");
    }

    #[test]
    fn the_example_settings_are_the_defaults() {
        let yaml = blocks("yaml");
        let settings = yaml.iter().find(|b| b.starts_with("format: ")).unwrap();
        let config = Config::parse(settings).unwrap();
        assert_eq!(
            config,
            Config {
                key: "BC".into(),
                ..Config::default()
            }
        );
    }
}

#[cfg(test)]
mod hostile_input {
    //! Arbitrary bytes into every parser of the files and the query
    //! language: no panic, and every error names a position inside the
    //! text. `PROPTEST_CASES=100000 cargo test hostile_input` tries more.

    use proptest::prelude::*;

    use super::*;

    fn cases() -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(2000)
    }

    /// Text that looks enough like a file to reach deep into the parsers:
    /// front-matter lines, YAML punctuation, control characters, and
    /// arbitrary bytes read as UTF-8 the way a file would be.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("---\n".to_owned()),
            Just("id: 01J\n".to_owned()),
            Just("title: ".to_owned()),
            Just("labels:\n  - a\n".to_owned()),
            Just("created: 2026-01-01T00:00:00Z\n".to_owned()),
            Just("[".to_owned()),
            Just("{".to_owned()),
            Just("&a *a ".to_owned()),
            Just("\"\\u".to_owned()),
            Just(": ".to_owned()),
            Just("- ".to_owned()),
            Just("\t".to_owned()),
            Just("\n".to_owned()),
            "[ -~]{0,12}",
            "\\PC{0,6}",
            prop::collection::vec(any::<u8>(), 0..12)
                .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        ];
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    /// Whether the error's place is in the text. YAML counts a lone `\r`
    /// as a line break too (`"[\t\r\rtitle: - "` fails on its line 3).
    fn within(text: &str, e: &ParseError) -> bool {
        let breaks = text.matches(['\n', '\r']).count();
        e.line >= 1 && e.column >= 1 && e.line <= breaks + 2
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(cases()))]

        #[test]
        fn issue_files(t in text()) {
            if let Err(e) = Issue::parse(&t) {
                prop_assert!(within(&t, &e), "{e} in {t:?}");
                prop_assert!(!e.message.contains('\n'));
            }
        }

        #[test]
        fn comment_files(t in text()) {
            if let Err(e) = Comment::parse(&t) {
                prop_assert!(within(&t, &e), "{e} in {t:?}");
            }
        }

        #[test]
        fn settings(t in text()) {
            if let Err(e) = Config::parse(&t) {
                prop_assert!(within(&t, &e), "{e} in {t:?}");
            }
        }

        #[test]
        fn key_lists(t in text()) {
            if let Err(e) = layout::parse_key_list(&t) {
                prop_assert!(within(&t, &e), "{e} in {t:?}");
            }
            let _ = layout::read_key_list(&t);
        }

        #[test]
        fn queries(t in text()) {
            let now = Timestamp::from_second(1_800_000_000).unwrap();
            if let Err(e) = crate::query::Query::parse(&t, &Config::default(), now) {
                prop_assert!(e.offset <= t.len(), "{e} in {t:?}");
            }
        }
    }
}
