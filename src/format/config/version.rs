//! The version of the branch's files: `format` in `tracker.yml`, and what a
//! build does with a number it does not know (nothing: it refuses).

use serde::Deserialize;

use super::super::ParseError;

/// The version of `issue-format.md` this build reads and writes: the
/// branch's `format` in `tracker.yml`. A tracker that says none is of
/// version 1 or 2 (both are read; their layouts may share a branch). A
/// later version that changes what an older build would misread or
/// mis-write (a new layout) raises it, and a build that finds a higher
/// number on the branch changes nothing there.
pub const FORMAT: u64 = 2;

/// What is wrong with the `format` a `tracker.yml` text declares, for this
/// build, at its line: what every write and a sync check before they change
/// the branch. Read as YAML, in any spelling (`{format: 3}`, `"format": 3`),
/// and line by line as well, so a file YAML refuses (a second `format:`)
/// cannot hide a newer format either.
pub fn format_error(text: &str) -> Option<ParseError> {
    #[derive(Deserialize)]
    struct Declared {
        format: Option<serde_json::Value>,
    }
    let as_yaml = serde_saphyr::from_str::<Option<Declared>>(text)
        .ok()
        .flatten()
        .and_then(|d| d.format)
        .and_then(|v| match v {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => judge_format(&s),
            v => judge_format(&v.to_string()),
        })
        .map(|message| {
            let line = text
                .lines()
                .position(|l| format_value(l, false).is_some())
                .map_or(1, |i| i + 1);
            ParseError::new(line, 1, message)
        });
    as_yaml.or_else(|| {
        text.lines().enumerate().find_map(|(i, l)| {
            let message = judge_format(format_value(l, true)?)?;
            Some(ParseError::new(i + 1, 1, message))
        })
    })
}

/// The value of a line that gives `format` (`format: 3`, `"format" : 3`,
/// `{format: 3, …`, `? format`), without quotes and what follows it;
/// `top` takes only a key at the start of the line.
fn format_value(line: &str, top: bool) -> Option<&str> {
    let rest = line.trim_start_matches(['{', '?', ' ', '\t', ',']);
    if top && rest.len() != line.len() && !line.starts_with(['{', '?']) {
        // Indented: a key of something else.
        return None;
    }
    let rest = rest
        .trim_start_matches(['"', '\''])
        .strip_prefix("format")?;
    let rest = rest.trim_start_matches(['"', '\'']).trim_start();
    if rest.is_empty() && !top {
        // `? format`: its value is on the next line.
        return Some("");
    }
    let value = rest.strip_prefix(':')?;
    let value = value.split(" #").next().unwrap_or("");
    let value = value.split([',', '}']).next().unwrap_or("").trim();
    Some(value.trim_matches(|c| c == '"' || c == '\''))
}

/// What is wrong with `value` as a format, for this build: `None` when it
/// reads and writes that format, or none is said.
fn judge_format(value: &str) -> Option<String> {
    if matches!(value.trim(), "" | "~" | "null") {
        // Said, but empty: as if not said.
        return None;
    }
    match value
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .parse::<u64>()
    {
        Ok(1..=FORMAT) => None,
        Ok(n @ 1..) => Some(format!(
            "format {n} is newer than this git-issue, which reads formats 1 to {FORMAT}: install a newer git-issue"
        )),
        _ => Some(format!(
            "format must be a whole number from 1, like 2, not {value:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Config, setting_yaml};
    use super::*;

    #[test]
    fn a_format_this_build_does_not_know_is_refused_at_its_line() {
        let newer = "# settings\nformat: 3\nkey: BC\n";
        let e = Config::parse(newer).unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert_eq!(
            e.message,
            "format 3 is newer than this git-issue, which reads formats 1 to 2: install a newer git-issue"
        );
        assert_eq!(format_error(newer), Some(e));
        // Spelled any way YAML allows, or hidden by a second key.
        for (text, line) in [
            ("{key: BC, format: 3}\n", 1),
            ("{key: BC,\n format: 3}\n", 2),
            ("\"format\": 3\nkey: BC\n", 1),
            ("key: BC\nformat : 3\n", 2),
            ("key: BC\n? format\n: 3\n", 2),
            ("key: BC\r\nformat: 3\r\n", 2),
            ("format: 2\nformat: 3\n", 0),
        ] {
            let e = format_error(text).unwrap_or_else(|| panic!("{text:?}"));
            assert!(
                e.message.contains("format 3 is newer"),
                "{text:?}: {}",
                e.message
            );
            assert!(line == 0 || e.line == line, "{text:?}: line {}", e.line);
            assert!(Config::parse(text).is_err(), "{text:?}");
        }
        // Not a number at all.
        let e = format_error("format: \"two\"\n").unwrap();
        assert!(e.message.contains("whole number"), "{}", e.message);
        assert!(Config::parse("format: 0\n").is_err());
        // Known formats, and none said, are read.
        for known in [
            "format: 1\n",
            "format: '2' # this page\n",
            "key: BC\n",
            "",
            "formatting: 3\n",
            "format:\n",
            "notify:\n  - format: 3\n    command: x\n",
        ] {
            assert_eq!(format_error(known), None, "{known}");
            assert!(Config::parse(known).is_ok(), "{known}");
        }
        // The version of the files is not a setting to change by hand.
        let config = Config::parse(&Config::initial_text("BC", "main")).unwrap();
        assert!(config.settings().iter().all(|s| s.name != "format"));
        assert!(setting_yaml("format", "3").is_err());
    }
}
