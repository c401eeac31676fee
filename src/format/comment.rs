//! Comment files: `issues/<bucket>/<KEY>/comments/<ulid>.md`, one comment a
//! file, so two people commenting at once never touch the same file.

use jiff::Timestamp;
use serde_json::Value;

use super::yaml::{self, Printer};
use super::{ParseError, format_timestamp, parse_timestamp};

/// One comment. Its id is the ULID in its file name, which also orders
/// comments by the time they were written.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub author: String,
    pub created: Timestamp,
    pub internal: bool,
    /// Fields this version does not know, kept in file order after the
    /// known ones.
    pub extra: Vec<(String, Value)>,
    pub body: String,
}

impl Comment {
    pub fn parse(text: &str) -> Result<Comment, ParseError> {
        let doc = yaml::parse_document(text)?;
        let mut author = None;
        let mut created = None;
        let mut internal = false;
        let mut extra = Vec::new();
        for f in doc.fields {
            match f.name.as_str() {
                "author" => match &f.value {
                    Value::String(s) => author = Some(s.clone()),
                    _ => return Err(ParseError::at(&f, "`author` must be text")),
                },
                "created" => {
                    created = Some(f.value.as_str().and_then(parse_timestamp).ok_or_else(|| {
                        ParseError::at(&f, "`created` must be a time like 2026-01-31T09:30:00Z")
                    })?)
                }
                "internal" => match &f.value {
                    Value::Bool(b) => internal = *b,
                    Value::Null => internal = false,
                    _ => return Err(ParseError::at(&f, "`internal` must be true or false")),
                },
                _ => extra.push((f.name, f.value)),
            }
        }
        let missing = |name: &str| ParseError::new(2, 1, format!("the field `{name}` is missing"));
        Ok(Comment {
            author: author.ok_or_else(|| missing("author"))?,
            created: created.ok_or_else(|| missing("created"))?,
            internal,
            extra,
            body: doc.body,
        })
    }

    /// The comment as JSON, with its id: what `show --json` prints.
    pub fn to_json(&self, id: &str) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        m.insert("id".into(), Value::String(id.to_owned()));
        m.insert("author".into(), Value::String(self.author.clone()));
        m.insert(
            "created".into(),
            Value::String(format_timestamp(self.created)),
        );
        m.insert("internal".into(), Value::Bool(self.internal));
        for (k, v) in &self.extra {
            m.entry(k.clone()).or_insert_with(|| v.clone());
        }
        m.insert("body".into(), Value::String(self.body.clone()));
        m
    }

    /// Reads what [`Comment::to_json`] writes; returns the id too, if any.
    pub fn from_json(
        map: &serde_json::Map<String, Value>,
    ) -> Result<(Option<String>, Comment), String> {
        let text = |name: &str| map.get(name).and_then(Value::as_str);
        let author = text("author")
            .ok_or("a comment needs an `author`")?
            .to_owned();
        let created = text("created")
            .and_then(parse_timestamp)
            .ok_or("a comment needs a `created` time like 2026-01-31T09:30:00Z")?;
        let internal = match map.get("internal") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err("`internal` must be true or false".to_owned()),
        };
        let extra = map
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "id" | "author" | "created" | "internal" | "body"
                )
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let body = yaml::normalize_body(text("body").unwrap_or_default());
        Ok((
            text("id").map(str::to_owned),
            Comment {
                author,
                created,
                internal,
                extra,
                body,
            },
        ))
    }

    pub fn print(&self) -> String {
        let mut w = Printer::new();
        w.scalar("author", &self.author);
        w.raw("created", &format_timestamp(self.created));
        if self.internal {
            w.raw("internal", "true");
        }
        for (name, value) in &self.extra {
            w.value(name, value);
        }
        w.finish(&self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_round_trips() {
        let text = "---\nauthor: Alice <alice@example.com>\ncreated: 2026-01-05T09:30:00Z\ninternal: true\n---\n\nLooks like a race in the session store.\n";
        let c = Comment::parse(text).unwrap();
        assert!(c.internal);
        assert_eq!(c.author, "Alice <alice@example.com>");
        assert_eq!(c.print(), text);
    }
}
