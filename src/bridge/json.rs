//! Reading the services' JSON: a member as text, a time, an id that may be
//! a number or a string.

use jiff::Timestamp;
use serde_json::Value;

/// A text member, `None` when absent, null or empty.
pub fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// An id, written as a number or a string.
pub fn id(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub fn time(v: &Value, key: &str) -> Option<Timestamp> {
    super::parse_time(v.get(key)?.as_str()?)
}

pub fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A required member, or the sentence that says it is missing.
pub fn need<T>(found: Option<T>, what: &str, key: &str) -> Result<T, String> {
    found.ok_or_else(|| format!("{what} has no `{key}`"))
}
