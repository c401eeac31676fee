//! What `record` is told: one occurrence of an error, from the command
//! line's flags or a line of `record --jsonl`, checked against
//! `tracker.yml` before anything is written.

use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::format::Config;
use crate::format::config::Vocabulary;
use crate::format::fingerprint::fingerprint;
use crate::format::occurrence::Context;
use crate::tracker::{Error, Result};

/// One occurrence of an error, as `record` is told of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Occurrence {
    /// The line of a batch it came from (1-based), for messages.
    pub line: Option<usize>,
    pub title: String,
    pub description: Option<String>,
    pub component: String,
    pub severity: Option<String>,
    pub category: Option<String>,
    pub error: Option<String>,
    pub error_type: Option<String>,
    pub stack_trace: Option<String>,
    pub fixes: Vec<String>,
    pub changes: Vec<String>,
    pub tags: Vec<String>,
    pub context: Option<Map<String, Value>>,
    pub host: Option<String>,
    /// When it happened; by default, now.
    pub at: Option<Timestamp>,
    /// Given instead of the computed one.
    pub fingerprint: Option<String>,
}

/// The names a batch line may use: the flags' names (`error-type` or
/// `error_type`).
const NAMES: &[&str] = &[
    "title",
    "description",
    "component",
    "severity",
    "category",
    "error",
    "error_type",
    "stack_trace",
    "fix",
    "change",
    "tag",
    "context",
    "host",
    "at",
    "fingerprint",
];

impl Occurrence {
    /// Reads one line of a batch: a JSON object whose members are the
    /// flags' names. `fix`, `change` and `tag` take a string or a list;
    /// `context` an object; `stack-trace` the text itself.
    pub fn from_json(map: &Map<String, Value>) -> std::result::Result<Occurrence, String> {
        let mut o = Occurrence::default();
        for (name, value) in map {
            let n = name.replace('-', "_");
            let text = || -> std::result::Result<Option<String>, String> {
                match value {
                    Value::Null => Ok(None),
                    Value::String(s) => Ok(Some(s.clone())),
                    Value::Number(x) => Ok(Some(x.to_string())),
                    Value::Bool(b) => Ok(Some(b.to_string())),
                    _ => Err(format!("`{name}` must be text")),
                }
            };
            let texts = || -> std::result::Result<Vec<String>, String> {
                match value {
                    Value::Null => Ok(Vec::new()),
                    Value::String(s) => Ok(vec![s.clone()]),
                    Value::Array(items) => items
                        .iter()
                        .map(|v| match v {
                            Value::String(s) => Ok(s.clone()),
                            _ => Err(format!("`{name}` must be text or a list of texts")),
                        })
                        .collect(),
                    _ => Err(format!("`{name}` must be text or a list of texts")),
                }
            };
            match n.as_str() {
                "title" => o.title = text()?.unwrap_or_default(),
                "description" => o.description = text()?,
                "component" => o.component = text()?.unwrap_or_default(),
                "severity" => o.severity = text()?,
                "category" => o.category = text()?,
                "error" => o.error = text()?,
                "error_type" => o.error_type = text()?,
                "stack_trace" => o.stack_trace = text()?,
                "fix" => o.fixes = texts()?,
                "change" => o.changes = texts()?,
                "tag" => o.tags = texts()?,
                "context" => {
                    o.context = match value {
                        Value::Null => None,
                        Value::Object(m) => Some(m.clone()),
                        Value::String(s) => Some(parse_context(s)?),
                        _ => return Err("`context` must be a JSON object".to_owned()),
                    }
                }
                "host" => o.host = text()?,
                "at" => {
                    o.at = match text()? {
                        None => None,
                        Some(s) => Some(parse_at(&s)?),
                    }
                }
                "fingerprint" => o.fingerprint = text()?,
                _ => {
                    return Err(format!(
                        "unknown field {name:?}; a record has {}",
                        NAMES.join(", ")
                    ));
                }
            }
        }
        Ok(o)
    }

    /// What is wrong with it, in words, before anything is written.
    pub(super) fn check(&self, config: &Config) -> std::result::Result<(), String> {
        if self.title.trim().is_empty() {
            return Err("a recorded error needs a title".to_owned());
        }
        if self.component.trim().is_empty() {
            return Err("a recorded error needs a component (--component)".to_owned());
        }
        if let Some(s) = &self.severity {
            config.check(Vocabulary::Severity, s)?;
        }
        if let Some(c) = &self.category {
            config.check(Vocabulary::Category, c)?;
        }
        if self
            .fingerprint
            .as_ref()
            .is_some_and(|f| f.trim().is_empty())
        {
            return Err("a fingerprint cannot be empty".to_owned());
        }
        if self.tags.iter().any(|t| t.trim().is_empty()) {
            return Err("a tag needs a name".to_owned());
        }
        Ok(())
    }

    /// The fingerprint it is filed under.
    pub fn fingerprint(&self) -> String {
        match &self.fingerprint {
            Some(f) => f.trim().to_owned(),
            None => fingerprint(
                &self.component,
                self.error_type.as_deref().unwrap_or_default(),
                self.error.as_deref().unwrap_or(&self.title),
            ),
        }
    }

    /// The detail kept of it, when there is any beyond the time.
    pub(super) fn context_at(&self, at: Timestamp) -> Option<Context> {
        let c = Context {
            at,
            host: self.host.clone(),
            error: self.error.clone(),
            context: self.context.clone(),
            stack_trace: self.stack_trace.clone(),
        };
        (c.host.is_some() || c.error.is_some() || c.context.is_some() || c.stack_trace.is_some())
            .then_some(c)
    }
}

/// Reads a batch: one JSON object a line (blank lines skipped), in the
/// shape [`Occurrence::from_json`] takes. A line that does not read is an
/// error naming it, before anything is written.
pub fn read_records(jsonl: &str) -> Result<Vec<Occurrence>> {
    let mut items = Vec::new();
    for (i, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| Error::BadLine {
            line: i + 1,
            message,
        };
        let map: Map<String, Value> =
            serde_json::from_str(line).map_err(|e| bad(format!("not a JSON object: {e}")))?;
        let mut o = Occurrence::from_json(&map).map_err(bad)?;
        o.line = Some(i + 1);
        items.push(o);
    }
    Ok(items)
}

/// `--context`: a JSON object.
pub fn parse_context(text: &str) -> std::result::Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("the context must be a JSON object, like {\"job\": \"build-42\"}".to_owned()),
        Err(e) => Err(format!("the context is not JSON: {e}")),
    }
}

/// `--at`: an RFC 3339 time.
pub fn parse_at(text: &str) -> std::result::Result<Timestamp, String> {
    crate::format::parse_timestamp(text)
        .ok_or_else(|| format!("{text:?} is not a time like 2026-01-31T09:30:00Z"))
}
