//! Settings of the support desk: how large an attachment may be, and the
//! rules that send events to a command or a webhook.

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachmentSettings {
    /// The largest file `git issue attach` takes: `10 MB`, `512 KiB`, or
    /// a number of bytes.
    pub max_size: ByteSize,
}

impl Default for AttachmentSettings {
    fn default() -> Self {
        AttachmentSettings {
            max_size: ByteSize(10_000_000),
        }
    }
}

/// A size in bytes, written as a number of bytes or with a unit (`10 MB`,
/// `1.5 MiB`, `800 kB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct ByteSize(pub u64);

impl From<ByteSize> for String {
    fn from(b: ByteSize) -> String {
        b.to_string()
    }
}

impl std::fmt::Display for ByteSize {
    /// `10 MB`, `1.5 kB`, `12 bytes`: decimal units, as people read sizes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0;
        let (unit, size) = [("GB", 1e9), ("MB", 1e6), ("kB", 1e3)]
            .into_iter()
            .find(|(_, size)| n as f64 >= *size)
            .unwrap_or(("bytes", 1.0));
        if unit == "bytes" {
            return write!(f, "{n} {}", if n == 1 { "byte" } else { "bytes" });
        }
        let v = n as f64 / size;
        if (v - v.round()).abs() < 0.05 {
            write!(f, "{} {unit}", v.round())
        } else {
            write!(f, "{v:.1} {unit}")
        }
    }
}

impl std::str::FromStr for ByteSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let number: f64 = number
            .parse()
            .map_err(|_| format!("{s:?} is not a size like 10 MB"))?;
        let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" | "byte" | "bytes" => 1.0,
            "k" | "kb" => 1e3,
            "m" | "mb" => 1e6,
            "g" | "gb" => 1e9,
            "kib" => 1024.0,
            "mib" => 1024.0 * 1024.0,
            "gib" => 1024.0 * 1024.0 * 1024.0,
            _ => return Err(format!("{s:?} is not a size like 10 MB")),
        };
        let bytes = number * factor;
        if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
            return Err(format!("{s:?} is not a size like 10 MB"));
        }
        Ok(ByteSize(bytes.round() as u64))
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bytes(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bytes(n) => Ok(ByteSize(n)),
            Raw::Text(t) => t.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// The kinds of event `git issue events` reports and `notify:` rules name.
pub const EVENT_KINDS: &[&str] = &[
    "created",
    "status",
    "assigned",
    "commented",
    "voted",
    "unvoted",
    "merged",
    "attached",
    "detached",
    "edited",
    "deleted",
];

/// One rule of `notify:`: which events, of which issues, go where.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyRule {
    /// A name for messages and for the record of what was sent; by default
    /// the rule's place in the list (`rule 1`).
    pub name: Option<String>,
    /// Event kinds (`created`, `commented`, …); none means every kind.
    pub events: Vec<String>,
    /// A query in the language of `list` that the issue must match, as it
    /// is after the changes (`label:billing priority:p0..p1`).
    pub filter: Option<String>,
    /// A shell command run with the event as JSON on stdin.
    pub command: Option<String>,
    /// An http(s) URL the event is POSTed to as JSON.
    pub webhook: Option<String>,
    /// Seconds a target may take (default 10).
    pub timeout: Option<u64>,
    /// Attempts after a failed one (default 1).
    pub retries: Option<u32>,
    /// Events of confidential issues and internal comments too.
    pub confidential: bool,
}

impl NotifyRule {
    /// What is wrong with the rule, in words; `None` when it can be used.
    /// The filter's query is checked where the query language lives.
    pub fn problem(&self) -> Option<String> {
        match (&self.command, &self.webhook) {
            (None, None) => return Some("needs a command or a webhook".to_owned()),
            (Some(_), Some(_)) => {
                return Some("has both a command and a webhook; give one".to_owned());
            }
            (Some(c), None) if c.trim().is_empty() => {
                return Some("has an empty command".to_owned());
            }
            (None, Some(url)) => {
                let lower = url.to_ascii_lowercase();
                if !(lower.starts_with("http://") || lower.starts_with("https://"))
                    || url.chars().any(|c| c.is_whitespace() || c.is_control())
                {
                    return Some(format!(
                        "webhook {url:?} is not an http:// or https:// address"
                    ));
                }
            }
            _ => {}
        }
        if let Some(k) = self
            .events
            .iter()
            .find(|k| !EVENT_KINDS.contains(&k.as_str()))
        {
            return Some(format!(
                "event {k:?} is not one of {}",
                EVENT_KINDS.join(", ")
            ));
        }
        None
    }
}
