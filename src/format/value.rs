//! The values of fields, as the table of [`super::fields`] reads and writes
//! them: borrowed ([`Val`]) and owned ([`Value`]), one variant per kind.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::fields::Kind;

/// A field's value, borrowed from an issue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val<'a> {
    Text(&'a str),
    Optional(Option<&'a str>),
    List(&'a [String]),
    Flag(bool),
    Count(u64),
    Time(Timestamp),
    OptionalTime(Option<Timestamp>),
    Map(&'a BTreeMap<String, String>),
}

/// A field's value, owned: what parsing, merging and `set` produce.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Optional(Option<String>),
    List(Vec<String>),
    Flag(bool),
    Count(u64),
    Time(Timestamp),
    OptionalTime(Option<Timestamp>),
    Map(BTreeMap<String, String>),
}

/// The empty map, for reading an absent map field.
static NO_ENTRIES: BTreeMap<String, String> = BTreeMap::new();

impl Val<'static> {
    /// The empty value of a kind: what an absent field reads as.
    pub fn empty(kind: Kind) -> Val<'static> {
        match kind {
            Kind::Text => Val::Text(""),
            Kind::Optional => Val::Optional(None),
            Kind::List => Val::List(&[]),
            Kind::Flag => Val::Flag(false),
            Kind::Count => Val::Count(0),
            Kind::Time => Val::Time(Timestamp::UNIX_EPOCH),
            Kind::OptionalTime => Val::OptionalTime(None),
            Kind::Map => Val::Map(&NO_ENTRIES),
        }
    }
}

impl<'a> Val<'a> {
    /// Whether the field is left out of the file (its kind's empty value).
    pub fn is_empty(&self) -> bool {
        match self {
            Val::Text(s) => s.is_empty(),
            Val::Optional(v) => v.is_none(),
            Val::List(v) => v.is_empty(),
            Val::Flag(b) => !b,
            Val::Count(n) => *n == 0,
            Val::Time(_) => false,
            Val::OptionalTime(t) => t.is_none(),
            Val::Map(m) => m.is_empty(),
        }
    }

    /// The texts a query matches against: one for a scalar (a flag is
    /// `true` or `false`), each item of a list, none when empty.
    pub fn texts(&self) -> Vec<&'a str> {
        match *self {
            Val::Text(s) => vec![s],
            Val::Optional(v) => v.into_iter().collect(),
            Val::List(v) => v.iter().map(String::as_str).collect(),
            Val::Map(m) => m.values().map(String::as_str).collect(),
            // `confidential:true` and `confidential:false` both match.
            Val::Flag(b) => vec![if b { "true" } else { "false" }],
            Val::Count(_) | Val::Time(_) | Val::OptionalTime(_) => Vec::new(),
        }
    }

    /// The time, for a time field.
    pub fn time(&self) -> Option<Timestamp> {
        match *self {
            Val::Time(t) => Some(t),
            Val::OptionalTime(t) => t,
            _ => None,
        }
    }

    /// The number, for a count.
    pub fn count(&self) -> Option<u64> {
        match *self {
            Val::Count(n) => Some(n),
            _ => None,
        }
    }

    /// The value as one line of text, for messages: lists joined with
    /// `, `, `None` when the field is empty.
    pub fn to_text(&self) -> Option<String> {
        if self.is_empty() && !matches!(self, Val::Flag(_) | Val::Count(_)) {
            return None;
        }
        Some(match *self {
            Val::Text(s) => s.to_owned(),
            Val::Optional(v) => v.unwrap_or_default().to_owned(),
            Val::List(v) => v.join(", "),
            Val::Flag(b) => b.to_string(),
            Val::Count(n) => n.to_string(),
            Val::Time(t) => super::format_timestamp(t),
            Val::OptionalTime(t) => t.map(super::format_timestamp).unwrap_or_default(),
            Val::Map(m) => m
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// The value as JSON: text, `null`, an array, a boolean, a number or an
    /// object.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        let s = |v: &str| J::String(v.to_owned());
        match *self {
            Val::Text(v) => s(v),
            Val::Optional(v) => v.map_or(J::Null, s),
            Val::List(v) => J::Array(v.iter().map(|x| s(x)).collect()),
            Val::Flag(b) => J::Bool(b),
            Val::Count(n) => J::from(n),
            Val::Time(t) => s(&super::format_timestamp(t)),
            Val::OptionalTime(t) => t.map_or(J::Null, |t| s(&super::format_timestamp(t))),
            Val::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), s(v))).collect()),
        }
    }

    pub fn to_value(&self) -> Value {
        match *self {
            Val::Text(v) => Value::Text(v.to_owned()),
            Val::Optional(v) => Value::Optional(v.map(str::to_owned)),
            Val::List(v) => Value::List(v.to_vec()),
            Val::Flag(b) => Value::Flag(b),
            Val::Count(n) => Value::Count(n),
            Val::Time(t) => Value::Time(t),
            Val::OptionalTime(t) => Value::OptionalTime(t),
            Val::Map(m) => Value::Map(m.clone()),
        }
    }
}

impl Value {
    /// The empty value of a kind (a required kind's placeholder until
    /// parsing fills it).
    pub fn empty(kind: Kind) -> Value {
        match kind {
            Kind::Text => Value::Text(String::new()),
            Kind::Optional => Value::Optional(None),
            Kind::List => Value::List(Vec::new()),
            Kind::Flag => Value::Flag(false),
            Kind::Count => Value::Count(0),
            Kind::Time => Value::Time(Timestamp::UNIX_EPOCH),
            Kind::OptionalTime => Value::OptionalTime(None),
            Kind::Map => Value::Map(BTreeMap::new()),
        }
    }

    pub fn as_val(&self) -> Val<'_> {
        match self {
            Value::Text(v) => Val::Text(v),
            Value::Optional(v) => Val::Optional(v.as_deref()),
            Value::List(v) => Val::List(v),
            Value::Flag(b) => Val::Flag(*b),
            Value::Count(n) => Val::Count(*n),
            Value::Time(t) => Val::Time(*t),
            Value::OptionalTime(t) => Val::OptionalTime(*t),
            Value::Map(m) => Val::Map(m),
        }
    }

    // The row's `put` knows its kind; a value of another kind (a bug) reads
    // as that kind's empty value rather than a panic.

    pub fn into_text(self) -> String {
        match self {
            Value::Text(s) => s,
            Value::Optional(s) => s.unwrap_or_default(),
            _ => String::new(),
        }
    }

    pub fn into_optional(self) -> Option<String> {
        match self {
            Value::Optional(s) => s,
            Value::Text(s) => (!s.is_empty()).then_some(s),
            _ => None,
        }
    }

    pub fn into_list(self) -> Vec<String> {
        match self {
            Value::List(v) => v,
            _ => Vec::new(),
        }
    }

    pub fn into_flag(self) -> bool {
        matches!(self, Value::Flag(true))
    }

    pub fn into_count(self) -> u64 {
        match self {
            Value::Count(n) => n,
            _ => 0,
        }
    }

    pub fn into_time(self) -> Timestamp {
        match self {
            Value::Time(t) => t,
            Value::OptionalTime(t) => t.unwrap_or(Timestamp::UNIX_EPOCH),
            _ => Timestamp::UNIX_EPOCH,
        }
    }

    pub fn into_optional_time(self) -> Option<Timestamp> {
        match self {
            Value::OptionalTime(t) => t,
            Value::Time(t) => Some(t),
            _ => None,
        }
    }

    pub fn into_map(self) -> BTreeMap<String, String> {
        match self {
            Value::Map(m) => m,
            _ => BTreeMap::new(),
        }
    }
}
