//! What a commit message or a branch name says about issues: the keys it
//! names and which of them it closes. Pure text in, values out; which keys
//! are the tracker's (the prefix in `tracker.yml`) is for the caller to say.

use crate::format::Key;

/// A key named in a commit message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub key: Key,
    /// `Fixes BC-12`, `Closes: BC-12`, `resolves BC-12`: the word directly
    /// before the key says the commit finishes the issue.
    pub closes: bool,
}

/// The words that close an issue when they stand directly before its key,
/// as a word or as a trailer (`Fixes: BC-12`). Deliberately not `fixed` or
/// `fix`: "filed rather than fixed: BC-3" and a conventional `fix: BC-3 …`
/// subject must not close anything.
const CLOSING_WORDS: &[&str] = &["fixes", "closes", "resolves"];

/// The keys with `prefix` (any case) that `text` names, in order of first
/// appearance, each once; a key named several times closes when any of its
/// mentions does.
pub fn mentions(text: &str, prefix: &str) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    for (at, key) in keys(text) {
        if !key.prefix.eq_ignore_ascii_case(prefix) {
            continue;
        }
        let closes = closing_word_before(&text[..at]);
        match out.iter_mut().find(|m| m.key.number == key.number) {
            Some(m) => m.closes |= closes,
            None => out.push(Mention {
                key: Key::new(prefix.to_ascii_uppercase(), key.number),
                closes,
            }),
        }
    }
    out
}

/// Whether `text` has any word shaped like a key, whatever its prefix: a
/// test that needs no `tracker.yml`, so a commit that names nothing costs
/// nothing.
pub fn has_key_shaped_word(text: &str) -> bool {
    !keys(text).is_empty()
}

/// Whether the message a person wrote (comments and a `--verbose` diff left
/// out) names any key of `prefix`.
pub fn names_a_key(message: &str, prefix: &str) -> bool {
    !mentions(&written_part(message), prefix).is_empty()
}

/// A commit message as git will record it with the default cleanup: lines
/// starting with `#` dropped, and everything below the scissors line of
/// `git commit --verbose` too.
pub fn written_part(message: &str) -> String {
    let mut out = String::new();
    for line in message.lines() {
        if line.starts_with("# ") && line.contains(" >8 ") {
            break;
        }
        if line.starts_with('#') {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The key a branch is named after: `bc-12-fix-login`, `feature/BC-12`,
/// `alice/bc-12`. The first key of `prefix` wins.
pub fn branch_key(branch: &str, prefix: &str) -> Option<Key> {
    mentions(branch, prefix).into_iter().next().map(|m| m.key)
}

/// Puts `key: ` in front of the first line a person wrote, leaving the
/// comments git added below it alone.
pub fn prefill(message: &str, key: &Key) -> String {
    let mut out = String::with_capacity(message.len() + 10);
    let mut done = false;
    for line in message.split_inclusive('\n') {
        if !done && !line.starts_with('#') {
            let text = line.trim_end_matches('\n');
            if text.trim().is_empty() {
                out.push_str(&format!("{key}: "));
                out.push_str(&line[text.len()..]);
                if line.ends_with('\n') {
                    done = true;
                    continue;
                }
            } else {
                out.push_str(&format!("{key}: "));
                out.push_str(line);
            }
            done = true;
            continue;
        }
        out.push_str(line);
    }
    if !done {
        // Only comments (or nothing): the subject goes on top.
        out = format!("{key}: \n{out}");
    }
    out
}

/// Every key-shaped word of `text` with its byte position: a letter, up to
/// nine more letters or digits, `-`, a number without leading zero, with no
/// letter or digit glued on either side.
fn keys(text: &str) -> Vec<(usize, Key)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts_word =
            b[i].is_ascii_alphabetic() && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
        if !starts_word {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < b.len() && b[j].is_ascii_alphanumeric() {
            j += 1;
        }
        // A word; a key when `-digits` follows and ends it.
        if j < b.len() && b[j] == b'-' {
            let mut k = j + 1;
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            let glued = k < b.len() && b[k].is_ascii_alphabetic();
            if k > j + 1
                && !glued
                && let Ok(key) = text[i..k].parse::<Key>()
            {
                out.push((i, key));
            }
        }
        i = j.max(i + 1);
    }
    out
}

/// Whether the text just before a key ends with a closing word, optionally
/// followed by a colon, and spaces.
fn closing_word_before(before: &str) -> bool {
    let rest = before.trim_end_matches([' ', '\t']);
    if rest.len() == before.len() && !rest.ends_with(':') {
        // Glued to the key: `Fixes-BC-12` or `(BC-12` is no closing word.
        return false;
    }
    let rest = rest.strip_suffix(':').unwrap_or(rest);
    // The last run of ASCII letters and digits; splitting on characters
    // (not bytes) keeps `Corrigé BC-1` from cutting inside the `é`.
    let word = rest
        .rsplit(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or("");
    CLOSING_WORDS.iter().any(|w| word.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closes(text: &str) -> Vec<(u64, bool)> {
        mentions(text, "BC")
            .into_iter()
            .map(|m| (m.key.number, m.closes))
            .collect()
    }

    #[test]
    fn accented_words_before_a_key_are_words() {
        assert_eq!(closes("Corrigé BC-1"), [(1, false)]);
        assert_eq!(closes("Fixé: BC-2, Fixes BC-3"), [(2, false), (3, true)]);
    }

    #[test]
    fn keys_are_whole_words_of_the_tracker_prefix() {
        assert_eq!(closes("BC-1: fix login"), [(1, false)]);
        assert_eq!(
            closes("bc-12 and BC-123, not BC-012"),
            [(12, false), (123, false)]
        );
        assert_eq!(closes("ABC-1 BC-2a XBC-3 UTF-8 (BC-4)"), [(4, false)]);
        assert_eq!(closes("BC-5 then BC-5 again"), [(5, false)]);
    }

    #[test]
    fn only_a_closing_word_directly_before_the_key_closes() {
        assert_eq!(closes("Fixes BC-2"), [(2, true)]);
        assert_eq!(closes("login\n\nCloses: bc-3\n"), [(3, true)]);
        assert_eq!(closes("RESOLVES  BC-4"), [(4, true)]);
        assert_eq!(closes("filed rather than fixed: BC-3"), [(3, false)]);
        assert_eq!(closes("fix: BC-3 crash"), [(3, false)]);
        assert_eq!(closes("Fixes the crash of BC-3"), [(3, false)]);
        assert_eq!(closes("prefixes BC-3"), [(3, false)]);
        assert_eq!(closes("Fixes BC-1 and BC-2"), [(1, true), (2, false)]);
        assert_eq!(closes("BC-7: start\n\nFixes: BC-7"), [(7, true)]);
    }

    #[test]
    fn branch_names_give_their_key() {
        assert_eq!(
            branch_key("bc-12-fix-login", "BC"),
            Some(Key::new("BC", 12))
        );
        assert_eq!(branch_key("feature/BC-12", "BC"), Some(Key::new("BC", 12)));
        assert_eq!(branch_key("main", "BC"), None);
        assert_eq!(branch_key("utf-8-names", "BC"), None);
    }

    #[test]
    fn comments_and_the_verbose_diff_are_not_the_message() {
        let msg = "subject\n# On branch bc-12-x\n# ------------------------ >8 ------------------------\n+BC-9\n";
        assert_eq!(written_part(msg), "subject\n");
        assert!(!names_a_key(msg, "BC"));
    }

    #[test]
    fn prefill_goes_on_the_first_written_line() {
        let k = Key::new("BC", 12);
        assert_eq!(
            prefill("\n# Please enter\n", &k),
            "BC-12: \n# Please enter\n"
        );
        assert_eq!(prefill("fix login\n", &k), "BC-12: fix login\n");
        assert_eq!(
            prefill("# only comments\n", &k),
            "BC-12: \n# only comments\n"
        );
        assert_eq!(prefill("", &k), "BC-12: \n");
    }
}
