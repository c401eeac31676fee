//! How a row of `list` ([`Summary`]) is stored: in a fast field of its
//! own (tantivy's columnar store), so that a listing reads only the rows,
//! never a whole compressed document, its description and comments; the
//! issue's key, a newline, then the fields separated by control
//! characters, read back with a split instead of a JSON parser (at 5,640
//! rows the JSON decoding was a sixth of `list`). The fields start with
//! the field separator; a row whose text holds one of the separators is
//! stored as JSON instead.

use crate::format::{Key, Summary};

/// The stored form of `key`'s row.
pub(super) fn encode(key: &Key, s: &Summary) -> Vec<u8> {
    let mut out = key.to_string();
    out.push('\n');
    out.push_str(&encode_fields(s));
    out.into_bytes()
}

/// Whether a row can go into the column: tantivy cuts a value there at
/// 65,535 bytes (its dictionary's keys are that long at most). A longer
/// one (a title of a novel's length) is left out, and read from the
/// stored issue instead.
pub(super) fn fits(row: &[u8]) -> bool {
    row.len() <= usize::from(u16::MAX)
}

/// A key and row from their stored form.
pub(super) fn decode(bytes: &[u8]) -> Option<(Key, Summary)> {
    let (key, row) = std::str::from_utf8(bytes).ok()?.split_once('\n')?;
    Some((key.parse().ok()?, decode_fields(row)?))
}

const FIELD: char = '\u{1f}';
const LABEL: char = '\u{1e}';

fn encode_fields(s: &Summary) -> String {
    let texts = [&s.title, &s.status, &s.priority, &s.kind];
    let plain = |t: &str| !t.contains([FIELD, LABEL]);
    if !texts.iter().all(|t| plain(t))
        || !s.assignee.as_deref().is_none_or(plain)
        || !s.labels.iter().all(|l| !l.is_empty() && plain(l))
    {
        return serde_json::to_string(s).unwrap_or_default();
    }
    let mut out = String::with_capacity(64 + s.title.len());
    out.push(FIELD);
    for t in texts {
        out.push_str(t);
        out.push(FIELD);
    }
    // Nobody's, or `=` and whose.
    if let Some(a) = &s.assignee {
        out.push('=');
        out.push_str(a);
    }
    out.push(FIELD);
    for (i, l) in s.labels.iter().enumerate() {
        if i > 0 {
            out.push(LABEL);
        }
        out.push_str(l);
    }
    out.push(FIELD);
    out.push(if s.confidential { '1' } else { '0' });
    out
}

fn decode_fields(text: &str) -> Option<Summary> {
    let Some(text) = text.strip_prefix(FIELD) else {
        return serde_json::from_str(text).ok();
    };
    let mut parts = text.split(FIELD);
    let mut next = || parts.next();
    let (title, status, priority, kind) = (next()?, next()?, next()?, next()?);
    let assignee = next()?;
    let labels = next()?;
    let confidential = next()? == "1";
    Some(Summary {
        title: title.to_owned(),
        status: status.to_owned(),
        priority: priority.to_owned(),
        kind: kind.to_owned(),
        assignee: assignee.strip_prefix('=').map(str::to_owned),
        labels: if labels.is_empty() {
            Vec::new()
        } else {
            labels.split(LABEL).map(str::to_owned).collect()
        },
        confidential,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(title: &str, assignee: Option<&str>, labels: &[&str]) -> Summary {
        Summary {
            title: title.into(),
            status: "open".into(),
            priority: "p2".into(),
            kind: "bug".into(),
            assignee: assignee.map(Into::into),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            confidential: false,
        }
    }

    #[test]
    fn every_row_reads_back_as_it_was_written() {
        let mut secret = summary("Leak", Some(""), &["a"]);
        secret.confidential = true;
        for s in [
            summary("Crash on \"save\"", None, &[]),
            summary("", Some("alice"), &["ui", "db"]),
            summary("{starts like JSON", None, &["x"]),
            summary("a \u{1f} separator", Some("b\u{1e}"), &["c"]),
            summary("empty label", None, &[""]),
            summary("=", Some("="), &["=", "1"]),
            secret,
        ] {
            let key: Key = "BC-12".parse().unwrap();
            assert_eq!(decode(&encode(&key, &s)), Some((key, s.clone())), "{s:?}");
        }
    }

    #[test]
    fn a_row_with_a_separator_in_its_text_is_json() {
        let s = summary("a \u{1f} b", None, &[]);
        assert!(encode_fields(&s).starts_with('{'));
    }
}
