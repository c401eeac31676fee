//! The fingerprint of a recorded error: what `git issue record` matches an
//! error to the issue that already tracks it by. It is the component, the
//! error type and the error message with its volatile parts (ids, numbers,
//! times, temporary paths, quoted values) replaced by placeholders, hashed.
//!
//! Part of the file contract: `issue-format.md` ("Fingerprints") states the
//! rules with examples, and a test reads the examples from there. Pure text.

use std::sync::{LazyLock, OnceLock};

use regex::Regex;
use regex_automata::meta;
use regex_automata::util::syntax;

/// One rule: what it finds, and what stands in for it.
///
/// A rule has two compiled forms that find the same things in a text of
/// ASCII only: the pattern as written, with Unicode classes, and its ASCII
/// twin, which a text without a non-ASCII character is matched with.
/// Compiling the Unicode classes (letters, digits, spaces, word
/// boundaries in every script) cost more than the rest of a `record`; the
/// twins compile in a fraction of that. A test holds the two to the same
/// answers.
struct Rule {
    pattern: &'static str,
    /// The pattern for ASCII texts, where `pattern` names a Unicode
    /// property (`\p{L}`); otherwise `pattern` itself with Unicode off
    /// (`\d`, `\s` and `\b` then mean their ASCII selves, which on an ASCII
    /// text is what they meant anyway).
    ascii: Option<&'static str>,
    compiled: OnceLock<Regex>,
    compiled_ascii: OnceLock<meta::Regex>,
    /// False when the rule cannot match `text`; checked before compiling.
    might_match: fn(&str) -> bool,
    /// The replacement, from the whole match and the first group.
    replace: fn(&str, &str) -> String,
}

impl Rule {
    // The patterns are constants of this file; a test compiles them all.
    fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            Regex::new(self.pattern)
                .unwrap_or_else(|e| panic!("fingerprint rule {}: {e}", self.pattern))
        })
    }

    /// The ASCII twin, built without a literal prefilter or a full DFA:
    /// building those for the date rule's digit classes cost more than
    /// matching an error message without them.
    fn ascii_regex(&self) -> &meta::Regex {
        self.compiled_ascii.get_or_init(|| {
            let pattern = self.ascii.unwrap_or(self.pattern);
            meta::Regex::builder()
                .syntax(syntax::Config::new().unicode(false).utf8(false))
                .configure(meta::Regex::config().auto_prefilter(false).dfa(false))
                .build(pattern)
                .unwrap_or_else(|e| panic!("fingerprint rule {pattern}: {e}"))
        })
    }

    /// `text` with this rule applied.
    fn apply(&self, text: &str, ascii: bool) -> String {
        if !ascii {
            return self
                .regex()
                .replace_all(text, |c: &regex::Captures<'_>| {
                    let group = |i| c.get(i).map_or("", |m| m.as_str());
                    (self.replace)(group(0), group(1))
                })
                .into_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for c in self.ascii_regex().captures_iter(text.as_bytes()) {
            let Some(whole) = c.get_match() else { continue };
            // Spans of an ASCII text fall between characters.
            let group = |i| c.get_group(i).map_or("", |s| &text[s.range()]);
            out.push_str(&text[last..whole.start()]);
            out.push_str(&(self.replace)(group(0), group(1)));
            last = whole.end();
        }
        out.push_str(&text[last..]);
        out
    }
}

fn rule(
    pattern: &'static str,
    ascii: Option<&'static str>,
    might_match: fn(&str) -> bool,
    replace: fn(&str, &str) -> String,
) -> Rule {
    Rule {
        pattern,
        ascii,
        compiled: OnceLock::new(),
        compiled_ascii: OnceLock::new(),
        might_match,
        replace,
    }
}

fn has_ascii_digit(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
}

/// The rules, in the order they apply: an earlier rule's placeholder is
/// never taken apart by a later one (`<uuid>` has no digits).
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        // UUIDs.
        rule(
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
            None,
            |t| t.matches('-').count() >= 4,
            |_, _| "<uuid>".to_owned(),
        ),
        // Dates and times: 2026-01-05, 2026-01-05T09:30:00.123Z,
        // 2026-01-05 09:30:00+01:00, 09:30:00.
        rule(
            r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b|\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b",
            None,
            |t| (t.contains('-') || t.contains(':')) && t.chars().any(char::is_numeric),
            |_, _| "<time>".to_owned(),
        ),
        // Paths under temporary folders, to the end of the path.
        rule(
            r#"(?:/tmp|/var/tmp|/var/folders|/private/var/folders|/dev/shm|[A-Za-z]:\\(?:[^\s\\'"`]+\\)*(?:Temp|TEMP|tmp))(?:[/\\][^\s'"`,;:)\]}>]*)?"#,
            None,
            |t| {
                ["/tmp", "/var/", "/dev/shm", ":\\"]
                    .iter()
                    .any(|p| t.contains(p))
            },
            |_, _| "<tmp>".to_owned(),
        ),
        // Quoted values: 'x', "x", `x`. A quote right after a letter is an
        // apostrophe (can't), not the start of a value.
        rule(
            r#"(^|[^\p{L}\p{N}])(?:'[^'\n]*'|"[^"\n]*"|`[^`\n]*`)"#,
            Some(r#"(^|[^A-Za-z0-9])(?:'[^'\n]*'|"[^"\n]*"|`[^`\n]*`)"#),
            |t| t.contains(['\'', '"', '`']),
            |_, before| format!("{before}<str>"),
        ),
        // Hex ids: 0x7f3a, and runs of eight or more hex digits that mix
        // digits and letters (commit and object ids).
        // A run without a digit is kept as it is, so a text without one is
        // left alone without asking.
        rule(
            r"\b0[xX][0-9a-fA-F]+\b|\b[0-9a-fA-F]{8,}\b",
            None,
            has_ascii_digit,
            |s, _| {
                let digit = s.bytes().any(|b| b.is_ascii_digit());
                let letter = s.bytes().any(|b| b.is_ascii_alphabetic());
                if s.starts_with("0x") || s.starts_with("0X") || (digit && letter) {
                    "<hex>".to_owned()
                } else {
                    s.to_owned()
                }
            },
        ),
        // Numbers not glued to a letter before them (ports, counts,
        // durations, addresses); `E11000`, `utf8` and `v2` stay.
        rule(
            r"(^|[^\p{L}\d])\d+(?:[.,]\d+)*",
            Some(r"(^|[^A-Za-z0-9])[0-9]+(?:[.,][0-9]+)*"),
            |t| t.chars().any(char::is_numeric),
            |_, before| format!("{before}<n>"),
        ),
        // Runs of white space.
        rule(
            r"\s+",
            None,
            |t| t.chars().any(char::is_whitespace),
            |_, _| " ".to_owned(),
        ),
    ]
});

/// The message with its volatile parts replaced, as the fingerprint reads
/// it: `Connection to 10.0.0.7:5432 timed out after 30s` becomes
/// `Connection to <n>:<n> timed out after <n>s`.
pub fn normalize(message: &str) -> String {
    normalize_with(message, message.is_ascii())
}

/// `normalize`, with the rules' ASCII twins or their Unicode forms.
fn normalize_with(message: &str, ascii: bool) -> String {
    let mut text = message.to_owned();
    for r in RULES.iter() {
        if (r.might_match)(&text) {
            text = r.apply(&text, ascii);
        }
    }
    text.trim().to_owned()
}

/// The fingerprint of an error: XXH3 (64 bits) of the component, the error
/// type and the normalised message, each trimmed, joined by newlines; 16
/// lowercase hex digits.
pub fn fingerprint(component: &str, error_type: &str, message: &str) -> String {
    let text = format!(
        "{}\n{}\n{}",
        component.trim(),
        error_type.trim(),
        normalize(message)
    );
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles_and_is_asked_only_where_it_could_match() {
        for r in RULES.iter() {
            // What a rule skipped could not have changed.
            for text in ["plain words only", "a-b:c", "x y", "deadbeefcafe", "ümlaut"] {
                if !(r.might_match)(text) {
                    assert_eq!(r.apply(text, false), text, "{}", r.pattern);
                    if text.is_ascii() {
                        assert_eq!(r.apply(text, true), text, "{}", r.pattern);
                    }
                }
            }
        }
    }

    /// The examples of `issue-format.md`'s table, message and normal form.
    fn documented() -> Vec<(String, String)> {
        let doc = include_str!("../../issue-format.md");
        let section = doc
            .split("### Fingerprints\n")
            .nth(1)
            .expect("issue-format.md has a Fingerprints section");
        section
            .lines()
            .take_while(|l| !l.starts_with('#'))
            .filter(|l| l.starts_with("| `"))
            .map(|l| {
                let cells: Vec<&str> = l.split(" | ").collect();
                let unquote = |s: &str| {
                    s.trim()
                        .trim_matches('|')
                        .trim()
                        .trim_matches('`')
                        .to_owned()
                };
                (unquote(cells[0]), unquote(cells[1]))
            })
            .collect()
    }

    #[test]
    fn the_documented_examples_normalise_as_documented() {
        let examples = documented();
        assert!(examples.len() >= 8, "{examples:?}");
        for (message, normal) in examples {
            assert_eq!(normalize(&message), normal, "{message}");
        }
    }

    #[test]
    fn messages_differing_in_ids_ports_and_times_share_a_fingerprint() {
        let same = [
            "Connection to 10.0.0.7:5432 timed out after 30s at 2026-01-05T09:30:00Z (request 4f1c2a9e-3b7d-4e21-9c5a-0d8e6f7a1b2c)",
            "Connection to 10.0.3.12:6543 timed out after 5s at 2026-02-11T23:01:59.123+01:00 (request 00000000-1111-2222-3333-444444444444)",
        ];
        assert_eq!(
            fingerprint("db", "TimeoutError", same[0]),
            fingerprint("db", "TimeoutError", same[1])
        );
        assert_eq!(
            fingerprint(
                "api",
                "KeyError",
                "no user 'alice' in /tmp/run-81/users.json"
            ),
            fingerprint(
                "api",
                "KeyError",
                "no user \"bob\" in /tmp/run-3/users.json"
            )
        );
        assert_eq!(
            fingerprint("git", "", "object 3f9c2a7e1d0b4c5a not found"),
            fingerprint("git", "", "object 9e8d7c6b5a4f3e2d not found")
        );
    }

    #[test]
    fn other_types_components_and_words_do_not() {
        let m = "Connection to 10.0.0.7:5432 timed out";
        let f = fingerprint("db", "TimeoutError", m);
        assert_ne!(f, fingerprint("cache", "TimeoutError", m));
        assert_ne!(f, fingerprint("db", "IOError", m));
        assert_ne!(
            f,
            fingerprint("db", "TimeoutError", "Connection to 10.0.0.7:5432 refused")
        );
        assert_ne!(
            fingerprint("db", "", "duplicate key E11000"),
            fingerprint("db", "", "duplicate key E11001")
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// On a text of ASCII only, the rules' ASCII twins find what the
        /// rules as written find: the fingerprint of an error does not
        /// depend on which form matched it.
        #[test]
        fn ascii_twins_normalise_ascii_texts_as_the_unicode_rules_do(
            parts in proptest::collection::vec(proptest::prop_oneof![
                proptest::string::string_regex("[0-9]{1,9}").unwrap(),
                proptest::string::string_regex("[0-9a-fA-F]{6,14}").unwrap(),
                proptest::string::string_regex("0[xX][0-9a-f]{1,6}").unwrap(),
                proptest::string::string_regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap(),
                proptest::string::string_regex("20[0-9]{2}-[01][0-9]-[0-3][0-9]([T ][0-2][0-9]:[0-5][0-9](:[0-5][0-9]([.,][0-9]{1,3})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?").unwrap(),
                proptest::string::string_regex("[0-2][0-9]:[0-5][0-9]:[0-5][0-9]").unwrap(),
                proptest::string::string_regex("(/tmp|/var/tmp|/dev/shm|C:\\\\Users\\\\me\\\\Temp)[/\\\\a-z0-9._-]{0,12}").unwrap(),
                proptest::string::string_regex("['\"`][a-z0-9 ]{0,6}['\"`]?").unwrap(),
                proptest::string::string_regex("[A-Za-z_]{1,6}").unwrap(),
                proptest::string::string_regex("[ \t\n\x0b\x0c\r]{1,3}").unwrap(),
                proptest::string::string_regex("[-:.,;()\\[\\]{}<>/\\\\@#=+\x1c\x1f\x7f]").unwrap(),
                proptest::string::string_regex("[\x00-\x7f]{1,4}").unwrap(),
            ], 0..12)
        ) {
            let text: String = parts.concat();
            proptest::prop_assert_eq!(normalize_with(&text, true), normalize_with(&text, false), "{:?}", text);
        }
    }

    #[test]
    fn a_text_with_a_non_ascii_letter_keeps_the_unicode_rules() {
        // `é` is a letter: the number glued to it stays, as a number
        // glued to `e` does.
        assert_eq!(
            normalize("code é42 and e42 and 42"),
            "code é42 and e42 and <n>"
        );
        assert_eq!(normalize("wait 5 s\u{a0}then"), "wait <n> s then");
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        assert_eq!(normalize("can't open 'x.txt'"), "can't open <str>");
    }

    #[test]
    fn fingerprints_are_sixteen_hex_digits_and_stable() {
        let f = fingerprint("db", "TimeoutError", "Connection timed out");
        assert_eq!(f.len(), 16);
        assert!(f.bytes().all(|b| b.is_ascii_hexdigit()));
        // The hash is part of the contract: other tools compute it too.
        assert_eq!(
            f,
            fingerprint(" db ", "TimeoutError ", "Connection  timed out ")
        );
    }
}
