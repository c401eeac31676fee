//! The fingerprint of a recorded error: what `git issue record` matches an
//! error to the issue that already tracks it by. It is the component, the
//! error type and the error message with its volatile parts (ids, numbers,
//! times, temporary paths, quoted values) replaced by placeholders, hashed.
//!
//! Part of the file contract: `issue-format.md` ("Fingerprints") states the
//! rules with examples, and a test reads the examples from there. Pure text.

use std::sync::{LazyLock, OnceLock};

use regex::{Captures, Regex};

/// One rule: what it finds, and what stands in for it.
struct Rule {
    pattern: &'static str,
    /// Compiled when a text first might match: compiling every rule (their
    /// Unicode classes) cost more than the rest of a `record`.
    compiled: OnceLock<Regex>,
    /// False when the rule cannot match `text`; checked before compiling.
    might_match: fn(&str) -> bool,
    replace: fn(&Captures<'_>) -> String,
}

impl Rule {
    fn regex(&self) -> &Regex {
        // The patterns are constants of this file; a test compiles them all.
        self.compiled.get_or_init(|| {
            Regex::new(self.pattern)
                .unwrap_or_else(|e| panic!("fingerprint rule {}: {e}", self.pattern))
        })
    }
}

fn rule(
    pattern: &'static str,
    might_match: fn(&str) -> bool,
    replace: fn(&Captures<'_>) -> String,
) -> Rule {
    Rule {
        pattern,
        compiled: OnceLock::new(),
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
            |t| t.matches('-').count() >= 4,
            |_| "<uuid>".to_owned(),
        ),
        // Dates and times: 2026-01-05, 2026-01-05T09:30:00.123Z,
        // 2026-01-05 09:30:00+01:00, 09:30:00.
        rule(
            r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b|\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b",
            |t| (t.contains('-') || t.contains(':')) && t.chars().any(char::is_numeric),
            |_| "<time>".to_owned(),
        ),
        // Paths under temporary folders, to the end of the path.
        rule(
            r#"(?:/tmp|/var/tmp|/var/folders|/private/var/folders|/dev/shm|[A-Za-z]:\\(?:[^\s\\'"`]+\\)*(?:Temp|TEMP|tmp))(?:[/\\][^\s'"`,;:)\]}>]*)?"#,
            |t| {
                ["/tmp", "/var/", "/dev/shm", ":\\"]
                    .iter()
                    .any(|p| t.contains(p))
            },
            |_| "<tmp>".to_owned(),
        ),
        // Quoted values: 'x', "x", `x`. A quote right after a letter is an
        // apostrophe (can't), not the start of a value.
        rule(
            r#"(^|[^\p{L}\p{N}])(?:'[^'\n]*'|"[^"\n]*"|`[^`\n]*`)"#,
            |t| t.contains(['\'', '"', '`']),
            |c| format!("{}<str>", &c[1]),
        ),
        // Hex ids: 0x7f3a, and runs of eight or more hex digits that mix
        // digits and letters (commit and object ids).
        // A run without a digit is kept as it is, so a text without one is
        // left alone without asking.
        rule(
            r"\b0[xX][0-9a-fA-F]+\b|\b[0-9a-fA-F]{8,}\b",
            has_ascii_digit,
            |c| {
                let s = &c[0];
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
            |t| t.chars().any(char::is_numeric),
            |c| format!("{}<n>", &c[1]),
        ),
        // Runs of white space.
        rule(
            r"\s+",
            |t| t.chars().any(char::is_whitespace),
            |_| " ".to_owned(),
        ),
    ]
});

/// The message with its volatile parts replaced, as the fingerprint reads
/// it: `Connection to 10.0.0.7:5432 timed out after 30s` becomes
/// `Connection to <n>:<n> timed out after <n>s`.
pub fn normalize(message: &str) -> String {
    let mut text = message.to_owned();
    for r in RULES.iter() {
        if !(r.might_match)(&text) {
            continue;
        }
        text = r
            .regex()
            .replace_all(&text, |c: &Captures<'_>| (r.replace)(c))
            .into_owned();
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
            let regex = r.regex();
            // What a rule skipped could not have changed.
            for text in ["plain words only", "a-b:c", "x y", "deadbeefcafe", "ümlaut"] {
                if !(r.might_match)(text) {
                    let applied = regex.replace_all(text, |c: &Captures<'_>| (r.replace)(c));
                    assert_eq!(applied, text, "{}", r.pattern);
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
