//! The resources: each issue as Markdown (`issue://BC-12`), `tracker.yml`
//! as written on the branch, and the query language's help, made from the
//! field table and the tracker's own settings so it never drifts from what
//! the parser takes.

use rmcp::ErrorData;
use rmcp::model::{
    ListResourcesResult, ReadResourceResult, Resource, ResourceContents, ResourceTemplate,
};

use super::server::Server;
use crate::format::fields::{FIELDS, FieldSpec, Kind, Search};
use crate::format::value::Val;
use crate::format::{Config, format_timestamp};
use crate::query::{Expr, Sort};
use crate::tracker::{Details, Error, Page, Quiet};

pub(super) const TRACKER_YML: &str = "git-issue://tracker.yml";
pub(super) const QUERY_HELP: &str = "git-issue://help/query";
const ISSUE_SCHEME: &str = "issue://";
/// Issues per page of `resources/list`.
const PAGE: usize = 100;

pub(super) fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new("issue://{key}", "issue")
            .with_title("An issue")
            .with_description(
                "One issue as Markdown: its fields, description and comments, e.g. issue://BC-12",
            )
            .with_mime_type("text/markdown"),
    ]
}

fn fixed() -> Vec<Resource> {
    vec![
        Resource::new(TRACKER_YML, "tracker.yml")
            .with_title("tracker.yml: this tracker's settings")
            .with_description(
                "The key, the statuses (and which are closed), types, priorities, severities and defaults issues must use",
            )
            .with_mime_type("application/yaml"),
        Resource::new(QUERY_HELP, "query-language")
            .with_title("The query language of list and search")
            .with_description(
                "Every qualifier, with the values this tracker allows; read it once before writing queries",
            )
            .with_mime_type("text/markdown"),
    ]
}

/// A page of resources: on the first, the two fixed ones; then the issues,
/// most recently updated first, `PAGE` at a time.
pub(super) async fn list(
    server: &Server,
    cursor: Option<String>,
) -> Result<ListResourcesResult, ErrorData> {
    let offset = match cursor.as_deref() {
        None => 0,
        Some(c) => c.parse::<usize>().map_err(|_| {
            ErrorData::invalid_params(format!("{c:?} is not a cursor this server gave"), None)
        })?,
    };
    let page = server
        .with_tracker(None, move |t, audience| {
            let page = Page {
                sort: "updated-desc".parse::<Sort>().unwrap_or_default(),
                by_score: false,
                offset,
                limit: Some(PAGE),
            };
            Ok(t.find_for(audience, &Expr::All, page, &Quiet)?)
        })
        .await
        .map_err(|e| protocol_error(&e))?;
    let mut resources = if offset == 0 { fixed() } else { Vec::new() };
    let shown = page.records.len();
    resources.extend(page.records.into_iter().map(|r| {
        Resource::new(format!("{ISSUE_SCHEME}{}", r.key), r.key.to_string())
            .with_title(r.issue.title.clone())
            .with_description(format!(
                "{} {}, {}, updated {}",
                r.issue.status,
                r.issue.kind,
                r.issue.priority,
                format_timestamp(r.issue.updated)
            ))
            .with_mime_type("text/markdown")
    }));
    let mut result = ListResourcesResult::with_all_items(resources);
    if offset + shown < page.total {
        result.next_cursor = Some((offset + shown).to_string());
    }
    Ok(result)
}

pub(super) async fn read(server: &Server, uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let owned = uri.to_owned();
    let (text, mime) = server
        .with_tracker(None, move |t, audience| {
            let uri = owned.as_str();
            Ok(if uri == TRACKER_YML {
                (t.config_text()?, "application/yaml")
            } else if uri == QUERY_HELP {
                (query_help(&t.config()?), "text/markdown")
            } else if let Some(key) = uri.strip_prefix(ISSUE_SCHEME) {
                let key = t.parse_key(key)?;
                (
                    issue_markdown(&t.details_for(&key, audience)?),
                    "text/markdown",
                )
            } else {
                return Err(Error::NoSuchIssue(format!("{uri} (no such resource)")).into());
            })
        })
        .await
        .map_err(|e| protocol_error(&e))?;
    Ok(ReadResourceResult::new(vec![
        ResourceContents::text(text, uri).with_mime_type(mime),
    ]))
}

/// A failure to read or list: a protocol error, resources having no other
/// way to say one; "not found" as the protocol's own code for it.
fn protocol_error(e: &anyhow::Error) -> ErrorData {
    let report = crate::ui::report::report(e);
    match e.downcast_ref::<Error>() {
        Some(Error::NoSuchIssue(_)) => ErrorData::resource_not_found(report.message, None),
        Some(Error::BadKey(..)) => ErrorData::invalid_params(report.message, None),
        _ => ErrorData::internal_error(report.message, None),
    }
}

/// A value as one line of Markdown.
fn value_text(v: Val<'_>) -> String {
    match v {
        Val::Text(s) | Val::Optional(Some(s)) => s.to_owned(),
        Val::List(items) => items.join(", "),
        Val::Flag(b) => b.to_string(),
        Val::Count(n) => n.to_string(),
        Val::Time(t) | Val::OptionalTime(Some(t)) => format_timestamp(t),
        Val::Map(m) => m
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        Val::Optional(None) | Val::OptionalTime(None) => String::new(),
    }
}

/// An issue as Markdown: a heading with its key and title, its fields (as
/// the field table lists them, the empty ones left out), its description,
/// its linked commits and its comments.
pub(super) fn issue_markdown(d: &Details) -> String {
    let i = &d.record.issue;
    let mut out = format!("# {}: {}\n\n", d.record.key, i.title);
    for spec in FIELDS {
        let v = i.get(spec);
        if spec.name == "title" || spec.name == "commits" || v.is_empty() {
            continue;
        }
        out.push_str(&format!("- {}: {}\n", spec.name, value_text(v)));
    }
    // Fields this version does not know, as the file keeps them.
    for e in &i.extra {
        let value = match &e.value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.push_str(&format!("- {}: {value}\n", e.name));
    }
    if !i.body.is_empty() {
        out.push('\n');
        out.push_str(i.body.trim_end());
        out.push('\n');
    }
    if !i.commits.is_empty() {
        out.push_str("\n## Commits\n\n");
        for id in &i.commits {
            match d.commits.iter().find(|c| &c.id == id) {
                Some(c) => out.push_str(&format!(
                    "- {id} {} ({}, {})\n",
                    c.summary,
                    c.author,
                    format_timestamp(c.time)
                )),
                None => out.push_str(&format!("- {id} (not in this clone)\n")),
            }
        }
    }
    if !d.comments.is_empty() {
        out.push_str(&format!("\n## Comments ({})\n", d.comments.len()));
        for c in &d.comments {
            let internal = if c.comment.internal {
                " (internal)"
            } else {
                ""
            };
            out.push_str(&format!(
                "\n### {}, {}{internal}\n\n{}\n",
                c.comment.author,
                format_timestamp(c.comment.created),
                c.comment.body.trim_end()
            ));
        }
    }
    out
}

/// What a qualifier takes, in this tracker.
fn qualifier_values(spec: &FieldSpec, config: &Config) -> String {
    let listed = spec.vocabulary.map(|v| config.values(v).join(", "));
    match (spec.search, listed) {
        (Search::Ranked(q), Some(values)) => format!(
            "one of {values} (in this order, so `{q}:a..b`, `{q}:>a` and `{q}:<=a` are ranges; `>` is more urgent)"
        ),
        (_, Some(values)) => format!("one of {values}"),
        (Search::Time(q), None) => format!(
            "a time: `{q}:>7d` (within the last 7 days; also h, w, m, y), `{q}:<2026-01-01`, `{q}:2026-01-01..2026-02-01`, `{q}:2026-01-05`"
        ),
        (Search::Number(q), None) => format!("a number: `{q}:5`, `{q}:>5`, `{q}:2..10`"),
        _ if spec.kind == Kind::List => {
            "a value; repeat the qualifier for all of several, or `a,b` for either".to_owned()
        }
        _ => "a value, whole and case-insensitive".to_owned(),
    }
}

/// The query language, as this tracker takes it.
pub(super) fn query_help(config: &Config) -> String {
    let mut out = String::from(
        "# The query language of `list` and `search`\n\n\
         Terms side by side must all match; case does not matter.\n\n\
         | term | matches |\n|---|---|\n\
         | `word`, `\"a phrase\"` | full text: the title, description and comments |\n",
    );
    out.push_str(&format!(
        "| `is:open`, `is:closed` | by status; closed ones here: {} |\n",
        config.closed_statuses.join(", ")
    ));
    out.push_str(
        "| `-term` | not (`-label:wontfix`, `-crash`) |\n\
         | `a OR b`, `( … )` | either |\n\
         | `key:BC-12` | one issue |\n\
         | `no:assignee`, `no:milestone`, `no:label` | the field is empty |\n\
         | `sort:updated-desc` | the order: key, created, updated, priority, status, title or type, with `-asc` or `-desc` |\n\n\
         ## Fields\n\n| qualifier | takes |\n|---|---|\n",
    );
    for spec in FIELDS {
        if let Some(q) = spec.qualifier() {
            out.push_str(&format!(
                "| `{q}:` | {}: {} |\n",
                spec.help,
                qualifier_values(spec, config)
            ));
        }
    }
    out.push_str(
        "\n## Examples\n\n\
         - `is:open label:ui -label:wontfix priority:p0..p1`\n\
         - `assignee:alice (label:regression OR priority:p0) created:>14d`\n\
         - `\"connection timeout\" is:open sort:updated-desc`\n\
         - `is:closed milestone:v0.7.0`\n\n\
         `list` shows open issues unless the query says `is:` or `status:` (or `all` is true); \
         `search` ranks by relevance unless the query says `sort:`.\n",
    );
    out
}
