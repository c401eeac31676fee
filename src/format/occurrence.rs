//! Occurrence files: `issues/<bucket>/<KEY>/occurrences/<ulid>.yml`, one
//! small file per batch of occurrences of a recorded error, and the sum of
//! an issue's files ([`Tally`]), which is what `occurrences`, `first_seen`
//! and `last_seen` read.
//!
//! Occurrences are never a number one clone overwrites (DESIGN.md, the rule
//! for new data): each batch is a file of its own, so two clones recording
//! the same error at once add files that never conflict, and a sync keeps
//! both. Many files are folded into one that lists the batches it holds by
//! id; the sum counts each batch id once, so two clones folding at the same
//! time never count a batch twice. Pure: text in, values out.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Map, Value};

use super::fields::{self, Value as FieldValue};
use super::{Issue, ParseError, format_timestamp, parse_timestamp, yaml};

/// How many contexts a file keeps, and an issue shows: the newest ones.
pub const KEEP_CONTEXTS: usize = 5;

/// One occurrence file.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrences {
    /// How many times the error happened in this file's batches.
    pub count: u64,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// The hosts it happened on, as `--host` named them.
    pub hosts: Vec<String>,
    /// Occurrences per day (UTC), when they fall on more than one day;
    /// empty: all on the day of `last_seen`.
    pub days: Days,
    /// The newest few occurrences in detail, newest first.
    pub contexts: Vec<Context>,
    /// In a file that folded others: every batch it holds, by id, with its
    /// occurrences per day. Empty in a file of one batch, whose id is its
    /// file name.
    pub batches: BTreeMap<String, Days>,
}

/// Occurrences per day (UTC).
pub type Days = BTreeMap<Date, u64>;

/// One occurrence in detail.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    pub at: Timestamp,
    pub host: Option<String>,
    /// The message as it was, before normalisation.
    pub error: Option<String>,
    /// What `--context` gave: a JSON object.
    pub context: Option<Map<String, Value>>,
    pub stack_trace: Option<String>,
}

/// The UTC day of a time.
pub fn day_of(t: Timestamp) -> Date {
    t.to_zoned(jiff::tz::TimeZone::UTC).date()
}

impl Occurrences {
    /// The batches this file stands for, with their occurrences per day:
    /// those it lists, or itself (named `id`).
    pub fn batches_of<'a>(&'a self, id: &'a str) -> Vec<(&'a str, Days)> {
        if self.batches.is_empty() {
            vec![(id, self.own_days())]
        } else {
            self.batches
                .iter()
                .map(|(k, d)| (k.as_str(), d.clone()))
                .collect()
        }
    }

    /// This batch's occurrences per day.
    fn own_days(&self) -> Days {
        if self.days.is_empty() {
            Days::from([(day_of(self.last_seen), self.count)])
        } else {
            self.days.clone()
        }
    }

    /// Reads an occurrence file.
    pub fn parse(text: &str) -> Result<Occurrences, ParseError> {
        let value: Option<Value> =
            serde_saphyr::from_str(text).map_err(|e| yaml::error_at(&e, 0))?;
        let Some(Value::Object(map)) = value else {
            return Err(ParseError::new(
                1,
                1,
                "an occurrence file is a mapping of fields",
            ));
        };
        let at = |name: &str, message: String| ParseError::new(line_of(text, name), 1, message);
        let time = |name: &str| -> Result<Timestamp, ParseError> {
            match map.get(name) {
                Some(Value::String(s)) => parse_timestamp(s).ok_or_else(|| {
                    at(
                        name,
                        format!("`{name}` is not a time like 2026-01-31T09:30:00Z: {s:?}"),
                    )
                }),
                None | Some(Value::Null) => Err(at(name, format!("the field `{name}` is missing"))),
                Some(_) => Err(at(
                    name,
                    format!("`{name}` must be a time like 2026-01-31T09:30:00Z"),
                )),
            }
        };
        let count = match map.get("count") {
            Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n > 0) => n.as_u64().unwrap_or(1),
            None => return Err(at("count", "the field `count` is missing".to_owned())),
            Some(_) => {
                return Err(at(
                    "count",
                    "`count` must be a whole number above 0".to_owned(),
                ));
            }
        };
        let first_seen = time("first_seen")?;
        let last_seen = time("last_seen")?;
        if last_seen < first_seen {
            return Err(at(
                "last_seen",
                "`last_seen` is before `first_seen`".to_owned(),
            ));
        }
        let hosts = match map.get("hosts") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    _ => Err(at("hosts", "`hosts` must be a list of names".to_owned())),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(at("hosts", "`hosts` must be a list of names".to_owned())),
        };
        let contexts = match map.get("contexts") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    read_context(v).map_err(|m| at("contexts", format!("context {}: {m}", i + 1)))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(at("contexts", "`contexts` must be a list".to_owned())),
        };
        let days = match map.get("days") {
            None | Some(Value::Null) => Days::new(),
            Some(v) => read_days(v).map_err(|m| at("days", format!("`days` {m}")))?,
        };
        if !days.is_empty() && days.values().sum::<u64>() != count {
            return Err(at(
                "days",
                "the counts of `days` do not add up to `count`".to_owned(),
            ));
        }
        let mut batches = BTreeMap::new();
        match map.get("batches") {
            None | Some(Value::Null) => {}
            Some(Value::Object(entries)) => {
                for (id, v) in entries {
                    let d = read_days(v).map_err(|m| {
                        ParseError::new(
                            line_of(text, &format!("  {id}")),
                            1,
                            format!("batch {id} {m}"),
                        )
                    })?;
                    batches.insert(id.clone(), d);
                }
            }
            Some(_) => {
                return Err(at(
                    "batches",
                    "`batches` must map batch ids to their days, like {2026-01-05: 3}".to_owned(),
                ));
            }
        }
        Ok(Occurrences {
            count,
            first_seen,
            last_seen,
            hosts,
            days,
            contexts,
            batches,
        })
    }

    /// Writes the file in its one canonical form.
    pub fn print(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("count: {}\n", self.count));
        out.push_str(&format!(
            "first_seen: {}\n",
            format_timestamp(self.first_seen)
        ));
        out.push_str(&format!(
            "last_seen: {}\n",
            format_timestamp(self.last_seen)
        ));
        if !self.days.is_empty() {
            out.push_str("days:\n");
            for (d, n) in &self.days {
                out.push_str(&format!("  {d}: {n}\n"));
            }
        }
        if !self.hosts.is_empty() {
            out.push_str("hosts:\n");
            for h in &self.hosts {
                out.push_str(&format!("  - {}\n", yaml::quote(h)));
            }
        }
        if !self.contexts.is_empty() {
            out.push_str("contexts:\n");
            for c in &self.contexts {
                out.push_str(&format!("  - at: {}\n", format_timestamp(c.at)));
                if let Some(h) = &c.host {
                    out.push_str(&format!("    host: {}\n", yaml::quote(h)));
                }
                if let Some(e) = &c.error {
                    out.push_str(&format!("    error: {}\n", text_value(e, 6)));
                }
                if let Some(m) = &c.context {
                    // JSON is YAML: the object as it was given, on one line.
                    let json = Value::Object(m.clone()).to_string();
                    out.push_str(&format!("    context: {json}\n"));
                }
                if let Some(s) = &c.stack_trace {
                    out.push_str(&format!("    stack_trace: {}\n", text_value(s, 6)));
                }
            }
        }
        if !self.batches.is_empty() {
            out.push_str("batches:\n");
            for (id, days) in &self.batches {
                let days: Vec<String> = days.iter().map(|(d, n)| format!("{d}: {n}")).collect();
                out.push_str(&format!("  {}: {{{}}}\n", yaml::quote(id), days.join(", ")));
            }
        }
        out
    }

    /// One file holding every batch of `files` (`(id, file)` pairs): what
    /// many files are folded into. Its contexts are the newest of all.
    pub fn fold<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a Occurrences)>,
    ) -> Option<Occurrences> {
        let mut batches = BTreeMap::new();
        let mut first: Option<Timestamp> = None;
        let mut last: Option<Timestamp> = None;
        let mut hosts = BTreeSet::new();
        let mut contexts = Vec::new();
        for (id, f) in files {
            for (bid, b) in f.batches_of(id) {
                batches.entry(bid.to_owned()).or_insert(b);
            }
            first = Some(first.map_or(f.first_seen, |t| t.min(f.first_seen)));
            last = Some(last.map_or(f.last_seen, |t| t.max(f.last_seen)));
            hosts.extend(f.hosts.iter().cloned());
            contexts.extend(f.contexts.iter().rev().cloned());
        }
        let (first_seen, last_seen) = (first?, last?);
        Some(Occurrences {
            count: batches.values().flat_map(|d: &Days| d.values()).sum(),
            first_seen,
            last_seen,
            hosts: hosts.into_iter().collect(),
            days: Days::new(),
            contexts: newest(contexts),
            batches,
        })
    }
}

/// The newest [`KEEP_CONTEXTS`] contexts, newest first, each once.
/// `contexts` come oldest first: of two at the same time, the later in the
/// list is the newer.
pub fn newest(contexts: Vec<Context>) -> Vec<Context> {
    let mut order: Vec<(usize, Context)> = contexts.into_iter().enumerate().collect();
    order.sort_by(|a, b| b.1.at.cmp(&a.1.at).then(b.0.cmp(&a.0)));
    let mut out: Vec<Context> = Vec::new();
    for (_, c) in order {
        if out.len() == KEEP_CONTEXTS {
            break;
        }
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Text as a YAML value at `indent`: a literal block for several lines
/// that read back exactly, else a scalar, quoted where YAML needs it.
fn text_value(s: &str, indent: usize) -> String {
    let block_safe = s.contains('\n')
        && !s.starts_with([' ', '\t', '\n'])
        && !s.ends_with("\n\n")
        && s.lines().all(|l| !l.ends_with([' ', '\t']))
        && !s.contains('\r')
        && s.chars().all(|c| c == '\n' || c == '\t' || !c.is_control())
        && !s
            .chars()
            .any(|c| matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'));
    if !block_safe {
        return yaml::quote(s);
    }
    let pad = " ".repeat(indent);
    let mut out = String::from(if s.ends_with('\n') { "|" } else { "|-" });
    for line in s.trim_end_matches('\n').split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

fn read_context(v: &Value) -> Result<Context, String> {
    let Value::Object(m) = v else {
        return Err("must be a mapping with `at`".to_owned());
    };
    let text = |name: &str| -> Result<Option<String>, String> {
        match m.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(format!("`{name}` must be text")),
        }
    };
    let at = text("at")?
        .and_then(|s| parse_timestamp(&s))
        .ok_or("`at` must be a time like 2026-01-31T09:30:00Z")?;
    let context = match m.get("context") {
        None | Some(Value::Null) => None,
        Some(Value::Object(o)) => Some(o.clone()),
        Some(_) => return Err("`context` must be a mapping".to_owned()),
    };
    Ok(Context {
        at,
        host: text("host")?,
        error: text("error")?,
        context,
        stack_trace: text("stack_trace")?,
    })
}

/// Days to counts: `{2026-01-05: 3, 2026-01-06: 1}`.
fn read_days(v: &Value) -> Result<Days, String> {
    let Value::Object(m) = v else {
        return Err("must map days to counts, like {2026-01-05: 3}".to_owned());
    };
    if m.is_empty() {
        return Err("must name at least one day".to_owned());
    }
    m.iter()
        .map(|(d, n)| {
            let day = d
                .parse::<Date>()
                .map_err(|_| format!("has {d:?}, which is not a date like 2026-01-31"))?;
            let n = n.as_u64().filter(|n| *n > 0).ok_or_else(|| {
                format!("has {d} with a count that is not a whole number above 0")
            })?;
            Ok((day, n))
        })
        .collect()
}

/// The line of a top-level field (or of any line starting with `prefix`).
fn line_of(text: &str, prefix: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with(&format!("{}:", prefix.trim_end_matches(':'))))
        .map_or(1, |i| i + 1)
}

/// The sum of an issue's occurrence files: each batch counted once, however
/// many files list it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub occurrences: u64,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// Occurrences per day (UTC).
    pub days: Days,
    pub hosts: BTreeSet<String>,
    /// The newest few, newest first.
    pub contexts: Vec<Context>,
    /// How many files were read.
    pub files: usize,
    seen: HashSet<String>,
}

impl Tally {
    /// Adds one file, by its id (the file name without `.yml`).
    pub fn add(&mut self, id: &str, file: &Occurrences) {
        self.files += 1;
        for (bid, days) in file.batches_of(id) {
            if self.seen.insert(bid.to_owned()) {
                for (d, n) in days {
                    self.occurrences += n;
                    *self.days.entry(d).or_default() += n;
                }
            }
        }
        self.first_seen = Some(
            self.first_seen
                .map_or(file.first_seen, |t| t.min(file.first_seen)),
        );
        self.last_seen = Some(
            self.last_seen
                .map_or(file.last_seen, |t| t.max(file.last_seen)),
        );
        self.hosts.extend(file.hosts.iter().cloned());
        if !file.contexts.is_empty() {
            // Oldest first, this file (read later) after those before.
            let mut all: Vec<Context> = std::mem::take(&mut self.contexts)
                .into_iter()
                .rev()
                .collect();
            all.extend(file.contexts.iter().rev().cloned());
            self.contexts = newest(all);
        }
    }

    pub fn of<'a>(files: impl IntoIterator<Item = (&'a str, &'a Occurrences)>) -> Tally {
        let mut t = Tally::default();
        for (id, f) in files {
            t.add(id, f);
        }
        t
    }

    /// Sets the computed fields (`occurrences`, `first_seen`, `last_seen`)
    /// of the issue the files belong to.
    pub fn apply(&self, issue: &mut Issue) {
        if self.occurrences == 0 {
            return;
        }
        issue.put(
            fields::computed("occurrences"),
            FieldValue::Count(self.occurrences),
        );
        issue.put(
            fields::computed("first_seen"),
            FieldValue::OptionalTime(self.first_seen),
        );
        issue.put(
            fields::computed("last_seen"),
            FieldValue::OptionalTime(self.last_seen),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn batch(count: u64, at: &str) -> Occurrences {
        Occurrences {
            count,
            first_seen: t(at),
            last_seen: t(at),
            hosts: vec!["ci-1".into()],
            days: Days::new(),
            contexts: vec![Context {
                at: t(at),
                host: Some("ci-1".into()),
                error: Some("Connection to 10.0.0.7:5432 timed out: \"x\"".into()),
                context: Some(serde_json::from_str(r#"{"job": "build 42", "n": 3}"#).unwrap()),
                stack_trace: Some("Traceback:\n  File \"db.py\", line 12\n\tin connect\n".into()),
            }],
            batches: BTreeMap::new(),
        }
    }

    #[test]
    fn a_file_reads_back_what_it_printed() {
        let f = batch(3, "2026-01-05T09:30:00Z");
        let text = f.print();
        assert_eq!(Occurrences::parse(&text).unwrap(), f, "{text}");
        let folded =
            Occurrences::fold([("01A", &f), ("01B", &batch(2, "2026-01-06T00:00:00Z"))]).unwrap();
        let text = folded.print();
        assert_eq!(Occurrences::parse(&text).unwrap(), folded, "{text}");
        assert!(text.contains("  01A: {2026-01-05: 3}\n"), "{text}");
        let mut spread = batch(3, "2026-01-05T09:30:00Z");
        spread.last_seen = t("2026-01-07T00:00:00Z");
        spread.days = Days::from([
            ("2026-01-05".parse().unwrap(), 2),
            ("2026-01-07".parse().unwrap(), 1),
        ]);
        let text = spread.print();
        assert_eq!(Occurrences::parse(&text).unwrap(), spread, "{text}");
        let folded = Occurrences::fold([("01A", &spread), ("01B", &f)]).unwrap();
        assert!(
            folded
                .print()
                .contains("  01A: {2026-01-05: 2, 2026-01-07: 1}\n"),
            "{}",
            folded.print()
        );
        assert_eq!(Occurrences::parse(&folded.print()).unwrap(), folded);
        assert_eq!(Tally::of([("X", &folded)]).days.len(), 2);
    }

    #[test]
    fn awkward_texts_survive() {
        for s in [
            "  leading",
            "a\n\n\nb",
            "trailing \nspace",
            "no newline\nat end",
            "one\n",
            "\u{7}bell\n",
            "x\r\ny",
            "#not a comment\n- x\n",
        ] {
            let mut f = batch(1, "2026-01-05T09:30:00Z");
            f.contexts[0].stack_trace = Some(s.to_owned());
            f.contexts[0].error = Some(s.to_owned());
            let back = Occurrences::parse(&f.print()).unwrap();
            assert_eq!(back, f, "{s:?}\n{}", f.print());
        }
    }

    #[test]
    fn a_batch_is_counted_once_however_many_files_list_it() {
        let a = batch(3, "2026-01-05T09:30:00Z");
        let b = batch(2, "2026-01-07T09:30:00Z");
        let c = batch(1, "2026-01-07T10:00:00Z");
        // Two clones folded at once: one folded a and b, the other a, b, c.
        let one = Occurrences::fold([("A", &a), ("B", &b)]).unwrap();
        let two = Occurrences::fold([("A", &a), ("B", &b), ("C", &c)]).unwrap();
        let tally = Tally::of([("F1", &one), ("F2", &two)]);
        assert_eq!(tally.occurrences, 6);
        assert_eq!(tally.days.values().sum::<u64>(), 6);
        assert_eq!(tally.days[&"2026-01-07".parse::<Date>().unwrap()], 3);
        assert_eq!(tally.first_seen, Some(t("2026-01-05T09:30:00Z")));
        assert_eq!(tally.last_seen, Some(t("2026-01-07T10:00:00Z")));
        assert_eq!(Tally::of([("A", &a), ("B", &b), ("C", &c)]).occurrences, 6);
    }

    #[test]
    fn only_the_newest_contexts_are_kept() {
        let files: Vec<(String, Occurrences)> = (0..9)
            .map(|i| {
                (
                    format!("B{i}"),
                    batch(1, &format!("2026-01-0{}T00:00:00Z", i + 1)),
                )
            })
            .collect();
        let folded = Occurrences::fold(files.iter().map(|(i, f)| (i.as_str(), f))).unwrap();
        assert_eq!(folded.contexts.len(), KEEP_CONTEXTS);
        assert_eq!(folded.contexts[0].at, t("2026-01-09T00:00:00Z"));
        assert_eq!(folded.count, 9);
    }

    #[test]
    fn the_example_of_the_contract_is_canonical() {
        let doc = include_str!("../../issue-format.md");
        let example = doc
            .split("```yaml\n")
            .map(|b| b.split("```\n").next().unwrap_or_default())
            .find(|b| b.starts_with("count:"))
            .expect("issue-format.md shows an occurrence file");
        let f = Occurrences::parse(example).unwrap();
        assert_eq!(f.count, 3);
        assert_eq!(f.contexts[0].context.as_ref().unwrap()["attempt"], 2);
        assert_eq!(f.print(), example);
    }

    #[test]
    fn bad_files_say_where() {
        let e = Occurrences::parse(
            "count: 0\nfirst_seen: 2026-01-05T09:30:00Z\nlast_seen: 2026-01-05T09:30:00Z\n",
        )
        .unwrap_err();
        assert_eq!((e.line, e.message.contains("count")), (1, true), "{e}");
        let e = Occurrences::parse(
            "count: 1\nfirst_seen: 2026-01-05T09:30:00Z\nlast_seen: yesterday\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = Occurrences::parse("count: 1\nfirst_seen: 2026-01-05T09:30:00Z\nlast_seen: 2026-01-05T09:30:00Z\nbatches:\n  X: {count: 1}\n").unwrap_err();
        assert!(e.message.contains("not a date"), "{e}");
        let e = Occurrences::parse("count: 2\nfirst_seen: 2026-01-05T09:30:00Z\nlast_seen: 2026-01-06T09:30:00Z\ndays:\n  2026-01-05: 1\n").unwrap_err();
        assert_eq!((e.line, e.message.contains("add up")), (4, true), "{e}");
        assert!(Occurrences::parse("- a\n").is_err());
    }
}
