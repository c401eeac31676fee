//! How issues read: as JSON with the field names of issue-format.md, and as
//! text for a terminal.

use serde_json::Value;

use super::{Ui, block, one_line};
use crate::format::Config;
use crate::format::config::ByteSize;
use crate::format::fields::{self, FIELDS, Val};
use crate::format::occurrence::Context;
use crate::tracker::{Details, Record, Recorded, Snippet};

/// An issue as `list --json` prints it: its key and fields, without the
/// description (lists are served from the index, which does not keep it).
pub fn record_json(r: &Record) -> Value {
    let mut m = issue_json(r);
    m.remove("body");
    Value::Object(m)
}

/// A result as `search --json` prints it: the key, title and status, the
/// relevance score and the text around the words that matched.
pub fn search_hit_json(r: &Record, score: f32, snippet: Option<&Snippet>) -> Value {
    // What `list --json` prints of an issue, and how it matched.
    let mut item = record_json(r);
    item["score"] = serde_json::json!(score);
    item["snippet"] = serde_json::json!(snippet.map(|s| s.text.clone()));
    item
}

fn issue_json(r: &Record) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("key".into(), Value::String(r.key.to_string()));
    m.extend(r.issue.to_json());
    m
}

/// An issue as `show --json` prints it: its fields, key, body and comments.
pub fn details_json(d: &Details) -> Value {
    let mut v = Value::Object(issue_json(&d.record));
    let comments: Vec<Value> = d
        .comments
        .iter()
        .map(|c| Value::Object(c.comment.to_json(&c.id)))
        .collect();
    if let Value::Object(m) = &mut v {
        m.insert("comments".into(), Value::Array(comments));
        m.insert(
            "attachments".into(),
            serde_json::to_value(&d.attachments).unwrap_or_default(),
        );
        m.insert(
            "duplicates".into(),
            Value::Array(
                d.duplicates
                    .iter()
                    .map(|k| Value::String(k.to_string()))
                    .collect(),
            ),
        );
        let o = &d.occurrences;
        if o.occurrences > 0 {
            m.insert("hosts".into(), o.hosts.iter().cloned().collect());
            m.insert(
                "recent_occurrences".into(),
                o.contexts.iter().map(context_json).collect(),
            );
        }
    }
    v
}

fn context_json(c: &Context) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("at".into(), crate::format::format_timestamp(c.at).into());
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    m.insert("host".into(), text(&c.host));
    m.insert("error".into(), text(&c.error));
    m.insert(
        "context".into(),
        c.context.clone().map_or(Value::Null, Value::Object),
    );
    m.insert("stack_trace".into(), text(&c.stack_trace));
    Value::Object(m)
}

/// The error block of a recorded error: its type, message, fingerprint,
/// how often and where it happened, and the newest occurrences in detail.
fn error_text(ui: &Ui, d: &Details) -> String {
    let i = &d.record.issue;
    let o = &d.occurrences;
    let field = |name: &str| i.field_text(name);
    if field("fingerprint").is_none() && o.occurrences == 0 {
        return String::new();
    }
    let mut out = format!("\n{}\n", ui.bold("Error"));
    let mut rows: Vec<(&str, String)> = Vec::new();
    for (label, name) in [
        ("type", "error_type"),
        ("message", "error"),
        ("fingerprint", "fingerprint"),
    ] {
        if let Some(v) = field(name) {
            rows.push((label, ui.plain(&v)));
        }
    }
    if o.occurrences > 0 {
        let mut seen = format!("{}", o.occurrences);
        if let (Some(first), Some(last)) = (o.first_seen, o.last_seen) {
            seen.push_str(&format!(", first {}, last {}", when(first), when(last)));
        }
        rows.push(("occurrences", seen));
    }
    if !o.hosts.is_empty() {
        let hosts: Vec<String> = o.hosts.iter().map(|h| ui.plain(h)).collect();
        rows.push(("hosts", hosts.join(", ")));
    }
    for (label, name) in [
        ("suggested fixes", "suggested_fixes"),
        ("system changes", "system_changes"),
    ] {
        for item in i.get(fields::named(name)).texts() {
            rows.push((label, ui.plain(item)));
        }
    }
    for (label, value) in rows {
        out.push_str(&format!("  {}: {value}\n", ui.dim(label)));
    }
    if !o.contexts.is_empty() {
        out.push_str(&format!("\n{}\n", ui.bold("Recent occurrences")));
        for c in &o.contexts {
            let mut head = when(c.at);
            if let Some(h) = &c.host {
                head.push_str(&format!("  {}", ui.plain(h)));
            }
            out.push_str(&format!("  {}\n", ui.dim(&head)));
            if let Some(e) = &c.error {
                out.push_str(&format!("    {}\n", ui.plain(e)));
            }
            if let Some(m) = &c.context {
                let json = ui.plain(&Value::Object(m.clone()).to_string());
                out.push_str(&format!("    {}\n", json));
            }
            if let Some(t) = &c.stack_trace {
                for line in t.lines() {
                    out.push_str(&format!("      {}\n", ui.plain(line)));
                }
            }
        }
    }
    out
}

fn when(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// An issue for a terminal: every value someone typed goes through
/// [`one_line`] or [`block`], so it is shown, never obeyed.
pub fn details_text(ui: &Ui, d: &Details, config: &Config) -> String {
    let i = &d.record.issue;
    let mut out = String::new();
    out.push_str(&format!(
        "{}  {}{}\n",
        ui.bold(&d.record.key.to_string()),
        ui.bold(&one_line(&i.title)),
        if i.confidential {
            "  (confidential)"
        } else {
            ""
        }
    ));
    let mut line = vec![
        format!(
            "status: {}",
            ui.status_word(&one_line(&i.status), config.is_closed(&i.status))
        ),
        format!("type: {}", one_line(&i.kind)),
        format!("priority: {}", one_line(&i.priority)),
    ];
    if let Some(s) = &i.severity {
        line.push(format!("severity: {}", one_line(s)));
    }
    out.push_str(&line.join("   "));
    out.push('\n');
    // The other fields, in the table's order, under the names people read.
    let mut fields: Vec<(String, String)> = Vec::new();
    for f in FIELDS {
        let shown = match f.name {
            "id" | "title" | "type" | "status" | "priority" | "severity" | "commits" => continue,
            "created" | "updated" | "resolved" => continue,
            // In the error block.
            "fingerprint" | "error_type" | "error" | "suggested_fixes" | "system_changes" => {
                continue;
            }
            "duplicate_of" => "duplicate of",
            "prs" => "pull requests",
            "aliases" => "formerly",
            "reporter_email" => "reporter email",
            "known" => "known issue",
            // Shown as one count, with the voters: see `voters`.
            "votes" => continue,
            "voters" => "votes",
            "bridge" => "bridged",
            name => name,
        };
        let value = i.get(f);
        let count = fields::vote_count(i);
        if value.is_empty() && !(f.name == "voters" && count > 0) {
            continue;
        }
        let text = match value {
            Val::Flag(true) => "yes".to_owned(),
            Val::List(voters) if f.name == "voters" => {
                let anonymous = count.saturating_sub(voters.len() as u64);
                let mut names = voters.join(", ");
                if anonymous > 0 && !voters.is_empty() {
                    names.push_str(&format!(" and {anonymous} more"));
                }
                if names.is_empty() {
                    count.to_string()
                } else {
                    format!("{count} ({names})")
                }
            }
            // `github fjordsoft/ledgerline #12  https://…`
            Val::Map(b) if f.name == "bridge" => ["service", "project", "key"]
                .iter()
                .filter_map(|k| b.get(*k).map(String::as_str))
                .chain(b.get("url").map(String::as_str))
                .collect::<Vec<_>>()
                .join(" "),
            v => v.to_text().unwrap_or_default(),
        };
        fields.push((shown.to_owned(), one_line(&text).into_owned()));
    }
    let mut dates = format!("created {}, updated {}", when(i.created), when(i.updated));
    if let Some(r) = i.resolved {
        dates.push_str(&format!(", resolved {}", when(r)));
    }
    fields.push(("dates".to_owned(), dates));
    for (name, value) in fields {
        out.push_str(&format!("{}: {value}\n", ui.dim(&name)));
    }
    if !i.body.is_empty() {
        out.push('\n');
        out.push_str(&block(&i.body));
    }
    out.push_str(&error_text(ui, d));
    if !i.commits.is_empty() {
        out.push_str(&format!("\n{}\n", ui.bold("Commits")));
        for id in &i.commits {
            let short: String = one_line(id).chars().take(12).collect();
            match d.commits.iter().find(|c| &c.id == id) {
                Some(c) => out.push_str(&format!(
                    "  {short}  {}  ({}, {})\n",
                    one_line(&c.summary),
                    one_line(&c.author),
                    c.time.strftime("%Y-%m-%d")
                )),
                None => out.push_str(&format!("  {short}  (not in this clone)\n")),
            }
        }
    }
    if !d.attachments.is_empty() {
        out.push_str(&format!("\n{}\n", ui.bold("Attachments")));
        let rows: Vec<Vec<String>> = d
            .attachments
            .iter()
            .map(|a| {
                vec![
                    format!("  {}", one_line(&a.name)),
                    ByteSize(a.size).to_string(),
                ]
            })
            .collect();
        out.push_str(&crate::ui::table(&rows));
    }
    if !d.duplicates.is_empty() {
        let keys: Vec<String> = d.duplicates.iter().map(ToString::to_string).collect();
        out.push_str(&format!(
            "\n{} {}\n",
            ui.bold("Duplicates:"),
            keys.join(", ")
        ));
    }
    if !d.comments.is_empty() {
        out.push_str(&format!("\n{}\n", ui.bold("Comments")));
        for c in &d.comments {
            let internal = if c.comment.internal {
                " (internal)"
            } else {
                ""
            };
            out.push_str(&format!(
                "\n{}{}\n",
                ui.dim(&format!(
                    "{}, {}",
                    one_line(&c.comment.author),
                    when(c.comment.created)
                )),
                internal
            ));
            out.push_str(&block(&c.comment.body));
        }
    }
    out
}

/// `BC-12 (occurrence 37)`, `BC-13 (new)`, `BC-9 (occurrences 4-6,
/// reopened as a regression)`.
pub fn recorded_line(r: &Recorded) -> String {
    let mut parts = Vec::new();
    if r.new {
        parts.push("new".to_owned());
    }
    if !(r.new && r.added == 1) {
        parts.push(if r.added == 1 {
            format!("occurrence {}", r.occurrences)
        } else {
            format!(
                "occurrences {}-{}",
                r.occurrences + 1 - r.added,
                r.occurrences
            )
        });
    }
    if r.reopened {
        parts.push("reopened as a regression".to_owned());
    }
    format!("{} ({})", r.key, parts.join(", "))
}

/// What one record did to one issue, as `record --json` prints it.
pub fn recorded_json(r: &Recorded) -> Value {
    serde_json::json!({
        "key": r.key.to_string(),
        "new": r.new,
        "reopened": r.reopened,
        "added": r.added,
        "occurrences": r.occurrences,
        "lines": r.lines,
    })
}
