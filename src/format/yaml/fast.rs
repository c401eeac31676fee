//! A reader for front matter in the form the writer makes it: `name:
//! value` lines whose values read back as the same string (see
//! [`super::quote`]), timestamps and counts written raw, `[]`, and block
//! lists of such strings. That is nearly every file on a branch, and
//! serde-saphyr spends a few hundred instructions a byte on it: a sync
//! that merges 60 issues parsed 120 files, `show` parses one, an export
//! every one. Anything else (quotes, comments, flow or nested values,
//! another indentation, a key twice) is left to serde-saphyr: this
//! reader answers only where it is sure to answer as that parser does,
//! and a test holds it to that.

use serde_json::Value;

use super::{Pair, is_plain_safe};

/// The fields of `yaml`, or `None` when it is not in the writer's form.
pub(super) fn fields(yaml: &str, line_offset: usize) -> Option<Vec<Pair>> {
    let body = yaml.strip_suffix('\n')?;
    let mut out: Vec<Pair> = Vec::new();
    let mut lines = body.split('\n').enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let (name, rest) = line.split_once(':')?;
        let name_ok = name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !name_ok || !is_plain_safe(name) || out.iter().any(|p| p.name == name) {
            return None;
        }
        let (value, line, column) = if rest.is_empty() {
            let mut items = Vec::new();
            while let Some(item) = lines.peek().and_then(|(_, l)| l.strip_prefix("  - ")) {
                if !is_plain_safe(item) {
                    return None;
                }
                items.push(Value::String(item.to_owned()));
                lines.next();
            }
            if items.is_empty() {
                return None;
            }
            (Value::Array(items), i + 2, 3)
        } else {
            let text = rest.strip_prefix(' ')?;
            let value = if text == "[]" {
                Value::Array(Vec::new())
            } else if is_plain_safe(text) || is_timestamp(text) {
                Value::String(text.to_owned())
            } else if is_count(text) {
                Value::Number(text.parse::<u64>().ok()?.into())
            } else {
                return None;
            };
            (value, i + 1, name.len() + 3)
        };
        out.push(Pair {
            name: name.to_owned(),
            value,
            line: line + line_offset,
            column,
        });
    }
    Some(out)
}

/// `2026-01-02T03:04:05Z`, with a fraction of a second or not: how the
/// writer puts a time.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && match &b[19..] {
            b"Z" => true,
            [b'.', fraction @ .., b'Z'] => {
                !fraction.is_empty()
                    && fraction.len() <= 9
                    && fraction.iter().all(u8::is_ascii_digit)
            }
            _ => false,
        }
}

/// A count as the writer puts it: decimal digits, no sign, no leading zero.
fn is_count(s: &str) -> bool {
    (1..=15).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s == "0" || !s.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(yaml: &str) -> Vec<(String, Value, usize, usize)> {
        let map: indexmap::IndexMap<String, serde_saphyr::Spanned<Value>> =
            serde_saphyr::from_str(yaml).expect(yaml);
        map.into_iter()
            .map(|(n, s)| {
                (
                    n,
                    s.value,
                    s.referenced.line() as usize + 1,
                    s.referenced.column() as usize,
                )
            })
            .collect()
    }

    fn fast(yaml: &str) -> Option<Vec<(String, Value, usize, usize)>> {
        Some(
            fields(yaml, 1)?
                .into_iter()
                .map(|p| (p.name, p.value, p.line, p.column))
                .collect(),
        )
    }

    /// Where the fast reader answers, it answers as serde-saphyr does:
    /// values, lines and columns.
    fn agrees(yaml: &str) -> bool {
        match fast(yaml) {
            Some(f) => {
                assert_eq!(f, slow(yaml), "{yaml:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn the_writers_form_reads_as_serde_saphyr_reads_it() {
        let canonical = "id: 01M8TQ7ZGQV4DXFK6PNK3CN3PB\ntitle: Crash on save (C# client) 100%\n\
            type: bug\nstatus: open\npriority: p2\nlabels:\n  - ui\n  - db/sql\nassignee: []\n\
            reporter: Ann Lee <ann@example.com>\ncreated: 2026-12-02T06:32:03Z\n\
            updated: 2026-12-02T06:32:03.123456Z\noccurrences: 12\nseen: 0\n\
            title_2: Ünïcode tïtle, with:colons, C#, 100%\n";
        assert!(agrees(canonical));
        assert_eq!(fast(canonical).unwrap().len(), 13);
    }

    #[test]
    fn anything_else_is_left_to_serde_saphyr() {
        for yaml in [
            "title: \"quoted\"\n",
            "title: a # comment\n",
            "title: a\n  continued\n",
            "title: [a, b]\n",
            "title: {a: b}\n",
            "title:\n",
            "title: yes\n",
            "title: null\n",
            "title: 012\n",
            "title: 1.5\n",
            "title: -1\n",
            "title: a\ntitle: b\n",
            "title: a \n",
            "title: a\r\n",
            "title:  two spaces\n",
            "labels:\n- ui\n",
            "labels:\n  - \"x\"\n",
            "labels:\n  - 12\n",
            "nested:\n  a: b\n",
            "\ntitle: a\n",
            "title: a",
            "title: 2026-12-02\n",
            "title: 2026-12-02T06:32:03+01:00\n",
            "ti tle: a\n",
            "true: a\n",
            "title: &anchor a\n",
            "title: *alias\n",
            "title: !tag a\n",
            "title: |\n  block\n",
        ] {
            assert!(fast(yaml).is_none(), "{yaml:?}");
        }
    }

    /// Values made of the characters YAML treats specially, in every
    /// position: wherever the fast reader takes one, serde-saphyr reads
    /// the same.
    #[test]
    fn tricky_values_agree_or_are_left_alone() {
        const PIECES: &[&str] = &[
            "a", "Z", "0", "1", "9", " ", ":", ": ", "#", " #", "-", "- ", "?", "[", "]", "{", "}",
            ",", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", "\\", "/", "(", ")", ".", "é",
            "日", "\u{200b}", "~", "=", "+", "e", "x", "T", "Z",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut taken = 0;
        for _ in 0..4000 {
            let n = 1 + next() % 6;
            let v: String = (0..n)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let yaml = if next() % 2 == 0 {
                format!("id: x1\ntitle: {v}\nstatus: open\n")
            } else {
                format!("labels:\n  - {v}\n  - ok\nstatus: open\n")
            };
            // What serde-saphyr refuses is not ours to compare.
            let parses = serde_saphyr::from_str::<indexmap::IndexMap<String, Value>>(&yaml).is_ok();
            if parses && agrees(&yaml) {
                taken += 1;
            } else {
                assert!(!parses || fast(&yaml).is_none());
            }
        }
        assert!(taken > 500, "only {taken} taken");
    }
}
