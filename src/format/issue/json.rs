//! The JSON form of an issue: what `show --json` prints, `import` reads and
//! the index stores.

use serde_json::Value;

use super::{Builder, Issue};
use crate::format::fields::{self, FIELDS};
use crate::format::yaml::{self, Pair};

impl Issue {
    /// The issue as JSON, with the field names of `issue-format.md` in their
    /// order, unknown fields where they were, and `body` last; callers add
    /// `key` and `comments`. [`Issue::from_json`] reads it back.
    pub fn to_json(&self) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        let extras = |m: &mut serde_json::Map<String, Value>, after: Option<&str>| {
            for e in self.extra.iter().filter(|e| e.after == after) {
                m.entry(e.name.clone()).or_insert_with(|| e.value.clone());
            }
        };
        extras(&mut m, None);
        for spec in FIELDS {
            m.insert(spec.name.to_owned(), self.get(spec).to_json());
            extras(&mut m, Some(spec.name));
        }
        // Computed values only when the issue has them (votes, a recorded error).
        for spec in fields::COMPUTED {
            let v = self.get(spec);
            if !v.is_empty() {
                m.insert(spec.name.to_owned(), v.to_json());
            }
        }
        m.insert("body".into(), Value::String(self.body.clone()));
        m
    }

    /// Reads an issue from the JSON that [`Issue::to_json`] writes (and
    /// `show --json` prints). `key` and `comments` are the caller's; other
    /// unknown members become unknown fields, kept in place.
    pub fn from_json(map: &serde_json::Map<String, Value>) -> Result<Issue, String> {
        Issue::from_json_owned(map.clone())
    }

    /// [`Issue::from_json`], taking the members instead of copying them
    /// (the index reads thousands of issues so).
    pub fn from_json_owned(map: serde_json::Map<String, Value>) -> Result<Issue, String> {
        let mut reading = JsonReading::default();
        for (name, value) in map {
            reading.member(name, value)?;
        }
        reading.finish()
    }

    /// [`Issue::from_json`] from the JSON text, each member handed on as it
    /// is read: no map of members is built (hashing and storing them was
    /// a fifth of what `analyze` spends reading 10,000 issues).
    pub fn from_json_str(json: &str) -> Result<Issue, String> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = Result<Issue, String>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an issue as a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut reading = JsonReading::default();
                while let Some(name) = map.next_key::<String>()? {
                    let value: Value = map.next_value()?;
                    if let Err(e) = reading.member(name, value) {
                        // The rest is read and dropped: the text is whole.
                        while map
                            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                            .is_some()
                        {}
                        return Ok(Err(e));
                    }
                }
                Ok(reading.finish())
            }
        }
        let mut de = serde_json::Deserializer::from_str(json);
        let read = serde::Deserializer::deserialize_map(&mut de, Members)
            .and_then(|r| de.end().map(|()| r));
        match read {
            Ok(r) => r,
            Err(e) => Err(format!("not an issue in JSON: {e}")),
        }
    }
}

/// An issue read from JSON member by member.
#[derive(Default)]
struct JsonReading {
    b: Builder,
    body: String,
    members: usize,
}

impl JsonReading {
    fn member(&mut self, name: String, value: Value) -> Result<(), String> {
        self.members += 1;
        match name.as_str() {
            "key" | "comments" => return Ok(()),
            "body" => {
                self.body = match value {
                    Value::String(s) => s,
                    _ => return Err("`body` must be text".to_owned()),
                };
                return Ok(());
            }
            _ => {}
        }
        // JSON has no lines; the member's place stands in for one.
        let field = Pair {
            name,
            value,
            line: self.members,
            column: 1,
        };
        // A computed value travels in JSON (the index keeps issues so),
        // never in a file.
        if let Some(spec) = fields::COMPUTED.iter().find(|f| f.name == field.name) {
            if let Some(v) = Issue::read_value(spec, &field).map_err(|e| e.message)? {
                self.b.issue.put(spec, v);
            }
            return Ok(());
        }
        self.b.take(&field).map_err(|e| e.message)
    }

    fn finish(self) -> Result<Issue, String> {
        self.b
            .finish(yaml::normalize_body(&self.body))
            .map_err(|e| e.message)
    }
}
