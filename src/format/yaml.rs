//! Front matter: splitting a file into its YAML block and Markdown body, reading
//! the block into ordered fields with their positions, and writing fields back
//! in the one canonical form `issue-format.md` describes.
//!
//! Reading goes through serde-saphyr; writing is done here, because the
//! canonical form (block lists, quoting only where YAML needs it, one line per
//! scalar) is part of the file contract and must not drift with a library.

use indexmap::IndexMap;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::ParseError;

mod fast;

/// One top-level field of a front-matter block, in file order.
#[derive(Debug, Clone)]
pub struct Pair {
    pub name: String,
    pub value: Value,
    /// 1-based line and column of the value in the whole file.
    pub line: usize,
    pub column: usize,
}

/// A file split into its front-matter fields and its body.
#[derive(Debug, Clone)]
pub struct Document {
    pub fields: Vec<Pair>,
    pub body: String,
}

/// Splits `text` at its `---` delimiters and reads the YAML between them.
pub fn parse_document(text: &str) -> Result<Document, ParseError> {
    let (yaml, body) = split_document(text)?;
    let fields = parse_fields(yaml, 1)?;
    Ok(Document {
        fields,
        body: normalize_body(body),
    })
}

/// The body of a document as [`parse_document`] gives it, without reading
/// the YAML (what a search snippet needs of each hit).
pub fn body_of(text: &str) -> Option<String> {
    split_document(text)
        .ok()
        .map(|(_, body)| normalize_body(body))
}

/// The YAML between the `---` delimiters and the body after them.
fn split_document(text: &str) -> Result<(&str, &str), ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        Some(first) if first.trim_end() == "---" => {}
        _ => {
            return Err(ParseError::new(
                1,
                1,
                "the file does not start with a `---` front-matter line",
            ));
        }
    }
    let yaml_start = text.split_inclusive('\n').next().map_or(0, str::len);
    let mut offset = yaml_start;
    let mut yaml_end = None;
    for line in lines {
        if line.trim_end() == "---" {
            yaml_end = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((yaml_end, body_start)) = yaml_end else {
        // Reported where the closing line was due: the end of the file.
        let last = text.lines().count().max(1);
        return Err(ParseError::new(
            last,
            1,
            "the front matter opened on line 1 is never closed by a `---` line",
        ));
    };
    Ok((&text[yaml_start..yaml_end], &text[body_start..]))
}

/// Reads a YAML mapping into ordered fields. `line_offset` is the number of
/// lines in the file before `yaml` starts, so positions name the real line.
pub fn parse_fields(yaml: &str, line_offset: usize) -> Result<Vec<Pair>, ParseError> {
    if yaml.trim().is_empty() {
        return Ok(Vec::new());
    }
    if let Some(fields) = fast::fields(yaml, line_offset) {
        return Ok(fields);
    }
    let map: IndexMap<String, Spanned<Value>> =
        serde_saphyr::from_str(yaml).map_err(|e| error_in(yaml, &e, line_offset))?;
    Ok(map
        .into_iter()
        .map(|(name, spanned)| Pair {
            name,
            line: spanned.referenced.line() as usize + line_offset,
            column: spanned.referenced.column() as usize,
            value: spanned.value,
        })
        .collect())
}

/// A YAML error as a [`ParseError`]: where, and what is wrong in the words
/// of someone editing the file, never the parser library's (its options,
/// budgets and policies mean nothing to them). `line_offset` is the number
/// of lines before the YAML in its file.
pub(crate) fn error_at(e: &serde_saphyr::Error, line_offset: usize) -> ParseError {
    let (line, column) = e
        .location()
        .map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
    ParseError::new(line + line_offset, column.max(1), yaml_message(e))
}

/// [`error_at`], knowing the text: a `[` or `{` never closed is reported
/// where it opened, in words, not on the line after it where the parser
/// gave up ("did not find expected ','").
pub(crate) fn error_in(text: &str, e: &serde_saphyr::Error, line_offset: usize) -> ParseError {
    let err = error_at(e, line_offset);
    if matches!(
        e.without_snippet(),
        serde_saphyr::Error::DuplicateMappingKey { .. }
    ) {
        return err;
    }
    // Brackets still open when the parser gave up, line by line up to it:
    // the outermost one is what the user left open.
    let lines: Vec<&str> = text.lines().collect();
    let upto = err.line.saturating_sub(line_offset).min(lines.len());
    let mut open: Vec<(usize, usize, char)> = Vec::new();
    for (i, line) in lines[..upto].iter().enumerate() {
        let mut quote = None;
        for (col, c) in line.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if col == 0 || line[..col].ends_with(' ') => break,
                (None, '[' | '{') => open.push((i, col, c)),
                (None, ']' | '}') => {
                    open.pop();
                }
                _ => {}
            }
        }
    }
    if let Some(&(i, col, c)) = open.first() {
        let close = if c == '[' { ']' } else { '}' };
        return ParseError::new(
            i + 1 + line_offset,
            col + 1,
            format!("this `{c}` is never closed: end the list with `{close}`"),
        );
    }
    err
}

fn yaml_message(e: &serde_saphyr::Error) -> String {
    use serde_saphyr::Error as E;
    match e.without_snippet() {
        E::DuplicateMappingKey { key: Some(k), .. } => format!("`{k}` is given twice; keep one"),
        E::DuplicateMappingKey { key: None, .. } => {
            "the same name is given twice; keep one".to_owned()
        }
        E::Budget { .. }
        | E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => {
            "the YAML nests or repeats too deeply to be read".to_owned()
        }
        E::Eof { .. } => "the YAML ends in the middle of a value".to_owned(),
        E::MultipleDocuments { .. } => {
            "a second `---` starts another document; a file holds one".to_owned()
        }
        E::UnknownAnchor { .. } => "an alias (*name) names no anchor (&name)".to_owned(),
        _ => {
            let text = e.without_snippet().to_string();
            let first = text.lines().next().unwrap_or_default().trim();
            // Drop a trailing "at line X, column Y": we print the position.
            let first = match first.rfind(" at line ") {
                Some(i) => &first[..i],
                None => first,
            };
            let first = first.trim_end_matches(['.', ':', ',']);
            // A message about the library's own settings or types is no
            // help to someone editing a file.
            let internal = ["Options", "Policy", "::", "{", "serde", "deserialize"];
            if first.is_empty() || internal.iter().any(|w| first.contains(w)) {
                "this is not valid YAML".to_owned()
            } else {
                first.to_owned()
            }
        }
    }
}

/// The body as stored: no blank lines before it, no trailing white space, and
/// one final newline when it is not empty.
pub fn normalize_body(body: &str) -> String {
    let mut start = 0;
    for line in body.split_inclusive('\n') {
        if line.trim().is_empty() {
            start += line.len();
        } else {
            break;
        }
    }
    let body = body[start..].trim_end();
    if body.is_empty() {
        String::new()
    } else {
        let mut s = body.replace("\r\n", "\n");
        s.push('\n');
        s
    }
}

/// Builds a front-matter block line by line, in canonical form.
#[derive(Debug, Default)]
pub struct Printer {
    out: String,
}

impl Printer {
    pub fn new() -> Self {
        Printer {
            out: String::from("---\n"),
        }
    }

    pub fn scalar(&mut self, name: &str, value: &str) {
        self.key(name, 0);
        self.out.push(' ');
        self.out.push_str(&quote(value));
        self.out.push('\n');
    }

    /// A value that is already valid YAML as written (a timestamp, a number).
    pub fn raw(&mut self, name: &str, value: &str) {
        self.key(name, 0);
        self.out.push(' ');
        self.out.push_str(value);
        self.out.push('\n');
    }

    pub fn list(&mut self, name: &str, items: &[String]) {
        self.key(name, 0);
        if items.is_empty() {
            self.out.push_str(" []\n");
            return;
        }
        self.out.push('\n');
        for item in items {
            self.out.push_str("  - ");
            self.out.push_str(&quote(item));
            self.out.push('\n');
        }
    }

    /// Any YAML value, as kept for fields this version does not know.
    pub fn value(&mut self, name: &str, value: &Value) {
        self.key(name, 0);
        emit_after_key(&mut self.out, value, 0);
    }

    /// Closes the block and appends the body.
    pub fn finish(mut self, body: &str) -> String {
        self.out.push_str("---\n");
        if !body.is_empty() {
            self.out.push('\n');
            self.out.push_str(body);
            if !body.ends_with('\n') {
                self.out.push('\n');
            }
        }
        self.out
    }

    fn key(&mut self, name: &str, indent: usize) {
        push_key(&mut self.out, name, indent);
    }
}

fn push_key(out: &mut String, name: &str, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
    out.push_str(&quote(name));
    out.push(':');
}

/// Writes `value` after a `key:` that has already been written at `indent`.
fn emit_after_key(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                out.extend(std::iter::repeat_n(' ', indent + 2));
                out.push('-');
                emit_after_key(out, item, indent + 4);
            }
        }
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            for (k, v) in map {
                push_key(out, k, indent + 2);
                emit_after_key(out, v, indent + 2);
            }
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Array(_) => "[]".to_owned(),
        Value::Object(_) => "{}".to_owned(),
    }
}

/// A string as a YAML scalar: plain where that reads back as the same string,
/// double-quoted otherwise.
pub fn quote(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_owned()
    } else {
        double_quote(s)
    }
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_alphanumeric() || first == '_' || first == '/' || first == '(') {
        return false;
    }
    if s.ends_with(' ') || s.ends_with(':') {
        return false;
    }
    if s.contains(": ") || s.contains(" #") {
        return false;
    }
    if s.chars().any(|c| {
        c.is_control()
            || matches!(
                c,
                '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '"' | '\''
            )
            || (!c.is_ascii() && c.is_whitespace())
    }) {
        return false;
    }
    // Words YAML (1.1 or 1.2) reads as something other than a string.
    const SPECIAL: &[&str] = &[
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf",
    ];
    if SPECIAL.iter().any(|w| s.eq_ignore_ascii_case(w)) {
        return false;
    }
    if first.is_ascii_digit() && could_be_number_or_date(s) {
        return false;
    }
    true
}

/// Whether YAML 1.1 or 1.2 might read `s` (which starts with a digit) as a
/// number, a sexagesimal or a date rather than a string. Errs on "yes":
/// quoting a string needlessly costs nothing.
fn could_be_number_or_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() > 1 && b[0] == b'0' && matches!(b[1], b'x' | b'o' | b'b' | b'X' | b'O' | b'B') {
        return true;
    }
    if b.len() >= 6 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' {
        return true;
    }
    s.bytes()
        .all(|c| c.is_ascii_digit() || b"_.:+-eE ".contains(&c))
}

fn double_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            '\u{feff}' => out.push_str("\\uFEFF"),
            c if c.is_control() => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02X}"));
                } else {
                    out.push_str(&format!("\\u{n:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_alone_is_the_body_of_the_whole_document() {
        for text in [
            "---\ntitle: a\n---\n\n\nBody line\n\nmore  \n\n",
            "\u{feff}---\ntitle: a\n---\nx",
            "---\ntitle: a\n---\n",
            "---\n---\n  \n  indented first\n",
        ] {
            assert_eq!(
                body_of(text).unwrap(),
                parse_document(text).unwrap().body,
                "{text:?}"
            );
        }
        assert_eq!(body_of("title: a\n"), None);
        assert_eq!(body_of("---\ntitle: a\n"), None);
    }

    fn read_back(s: &str) -> String {
        let yaml = format!("k: {}\n", quote(s));
        let fields = parse_fields(&yaml, 0).unwrap();
        match &fields[0].value {
            Value::String(v) => v.clone(),
            other => panic!("{s:?} came back as {other:?} from {yaml:?}"),
        }
    }

    #[test]
    fn strings_that_look_like_other_things_stay_strings() {
        for s in [
            "true",
            "No",
            "null",
            "~",
            "12",
            "1.5",
            "0x1f",
            "2026-01-01",
            "-3",
            ".inf",
            "",
            " lead",
            "trail ",
            "a: b",
            "a #b",
            "#x",
            "- item",
            "[x]",
            "{a}",
            "*ref",
            "&a",
            "!tag",
            "|",
            ">",
            "'q'",
            "\"q\"",
            "@x",
            "`x`",
            "%x",
            "a\nb",
            "tab\there",
            "\u{2028}",
            "v1.0",
            "p2",
            "in_progress",
            "ü",
            "é l",
            "x:",
            "?",
            "1e5",
            "1_000",
            "12:30:00",
            "0b101",
            "0o17",
            "2026-1-2",
            "1 2",
            "01JD8X3B5Q",
            "3rd party",
        ] {
            assert_eq!(read_back(s), s, "round trip of {s:?}");
        }
    }

    #[test]
    fn plain_where_it_reads_back() {
        assert_eq!(quote("in_progress"), "in_progress");
        assert_eq!(quote("Login fails on Safari"), "Login fails on Safari");
        assert_eq!(quote("true"), "\"true\"");
        assert_eq!(quote("v0.7.0"), "v0.7.0");
        assert_eq!(
            quote("01JD8X3B5QZ6N2V9R4T7K1M0AA"),
            "01JD8X3B5QZ6N2V9R4T7K1M0AA"
        );
        assert_eq!(quote("1e5"), "\"1e5\"");
    }

    #[test]
    fn unclosed_front_matter_is_reported_where_it_should_have_closed() {
        let e = parse_document("---\ntitle: x\nstatus: open\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
        assert!(e.message.contains("never closed"), "{}", e.message);
    }

    #[test]
    fn yaml_errors_never_speak_the_parsers_language() {
        let twice = parse_document("---\ntitle: a\ntitle: b\n---\n").unwrap_err();
        assert_eq!(twice.message, "`title` is given twice; keep one");
        assert_eq!(twice.line, 3);
        let deep = format!("---\nx: {}{}\n---\n", "[".repeat(200), "]".repeat(200));
        let e = parse_document(&deep).unwrap_err();
        for internal in ["Options", "Policy", "budget", "Depth", "{"] {
            assert!(!e.message.contains(internal), "{}", e.message);
        }
    }

    #[test]
    fn yaml_errors_name_the_file_line() {
        let e = parse_document("---\nid: a\ntitle: [unclosed\n---\n").unwrap_err();
        assert!(e.line >= 3, "line {} for {}", e.line, e.message);
        assert!(!e.message.contains('\n'));
    }
}
