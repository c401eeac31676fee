//! The tools: each turns its arguments into one tracker operation, as a
//! command does, and answers with the JSON `--json` prints (structured, and
//! as text for clients that read only text) after a one-line summary.
//! Failures the agent can act on (no such issue, a value `tracker.yml` does
//! not allow, a query that does not parse) are tool errors in the command
//! line's words.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::schemars::JsonSchema;
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, tool, tool_router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::server::{Server, client_name, failure};
use crate::format::Key;
use crate::query::{Expr, Sort};
use crate::tracker::{
    Assignment, Audience, Closing, Draft, Error, Found, Occurrence, Outcome, Page, Quiet, Tracker,
};
use crate::ui::view::{details_json, record_json, recorded_json, recorded_line, search_hit_json};

/// What a tool answers: a line for people and models, and the data.
pub(super) struct Answer {
    pub summary: String,
    pub data: Value,
}

impl Answer {
    fn into_result(self) -> CallToolResult {
        let mut result = CallToolResult::structured(self.data);
        result.content.insert(0, ContentBlock::text(self.summary));
        result
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// Words and "exact phrases", with any qualifiers of the query language,
    /// e.g. `login timeout is:open label:backend`
    query: String,
    /// At most this many results (default 20, at most 100)
    limit: Option<usize>,
    /// Skip this many results first, to page (default 0)
    offset: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub struct ListArgs {
    /// A query, e.g. `label:ui assignee:alice` or `is:closed milestone:v0.7.0`
    /// (default: every open issue)
    #[serde(default)]
    query: String,
    /// Order: key, created, updated, priority, status, title or type, with
    /// -asc or -desc, e.g. `updated-desc` (default: newest first)
    sort: Option<String>,
    /// At most this many issues (default 30, at most 200)
    limit: Option<usize>,
    /// Skip this many issues first, to page (default 0)
    offset: Option<usize>,
    /// Closed issues too, when the query says nothing of is:open, is:closed
    /// or status: (default false)
    #[serde(default)]
    all: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub struct KeyArgs {
    /// The issue's key, e.g. `BC-12` (or just `12`)
    key: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub struct NewArgs {
    /// One line that says what is wrong or wanted
    title: String,
    /// The description, in Markdown
    body: Option<String>,
    /// One of tracker.yml's types (default: its first, usually `bug`)
    #[serde(rename = "type")]
    kind: Option<String>,
    /// One of tracker.yml's priorities, e.g. `p1`
    priority: Option<String>,
    /// One of tracker.yml's severities, e.g. `high`
    severity: Option<String>,
    /// Labels, e.g. ["ui", "regression"]
    #[serde(default)]
    labels: Vec<String>,
    milestone: Option<String>,
    assignee: Option<String>,
    component: Option<String>,
    /// Start from templates/NAME.md on the issues branch
    template: Option<String>,
}

/// The members of a line of `git issue record --jsonl`, by the same names.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub struct RecordArgs {
    /// The title of the issue filed when the error is new, e.g. `Database timeout`
    title: String,
    /// The part of the system that failed, e.g. `db`
    component: String,
    /// The error message; ids, numbers, times and quoted values in it may vary
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// The class of the error, e.g. `TimeoutError`
    #[serde(skip_serializing_if = "Option::is_none")]
    error_type: Option<String>,
    /// The description of a new issue, in Markdown
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// One of tracker.yml's severities: critical, high, medium, low, info
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<String>,
    /// One of tracker.yml's categories: security, performance, reliability, …
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    /// The stack trace, as text
    #[serde(skip_serializing_if = "Option::is_none")]
    stack_trace: Option<String>,
    /// Suggested fixes
    #[serde(default)]
    fix: Vec<String>,
    /// Changes the system needs
    #[serde(default)]
    change: Vec<String>,
    /// Labels for a new issue
    #[serde(default)]
    tag: Vec<String>,
    /// Details of this occurrence, e.g. {"job": "build-42"}
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<serde_json::Map<String, Value>>,
    /// Where it happened
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<String>,
    /// When it happened, e.g. `2026-01-31T09:30:00Z` (default: now)
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<String>,
    /// File it under this fingerprint instead of the computed one
    #[serde(skip_serializing_if = "Option::is_none")]
    fingerprint: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub struct CommentArgs {
    /// The issue's key, e.g. `BC-12`
    key: String,
    /// The comment, in Markdown
    body: String,
    /// For the team only: left out of the published site and of servers
    /// started without --include-confidential (default false)
    #[serde(default)]
    internal: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub struct SetArgs {
    /// The issue's key, e.g. `BC-12`
    key: String,
    /// Changes, each `field=value`, `+label` or `-label`, e.g.
    /// ["status=in_progress", "assignee=alice", "+regression", "-needs-info"]
    changes: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub struct CloseArgs {
    /// The issue's key, e.g. `BC-12`
    key: String,
    /// The closed status to set, e.g. `resolved`, `wont_fix` (default
    /// `closed`)
    reason: Option<String>,
    /// The key of the issue this one duplicates (sets status `duplicate`)
    duplicate_of: Option<String>,
    /// A comment saying why, added after closing
    comment: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub struct LinkArgs {
    /// The issue's key, e.g. `BC-12`
    key: String,
    /// A commit of this repository: any revision git understands, e.g.
    /// `HEAD` or `3f2a9c1`
    commit: Option<String>,
    /// A pull request: its number, e.g. `42`, or its URL
    pr: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub struct ReleaseNotesArgs {
    /// Commits as git takes a range, e.g. `v0.6.0..v0.7.0` (default: from
    /// the last tag to HEAD, or the last two tags when HEAD is tagged)
    range: Option<String>,
    /// The milestone whose open issues are the known limitations (default:
    /// the one named like the tag the range ends at)
    milestone: Option<String>,
}

const SEARCH: &str = "Search issues by relevance in their title, description and comments; \
each result has a score and a snippet of the matching text. Takes the whole query language: \
words, \"exact phrases\", qualifiers and -negation. Closed issues are included unless the \
query says is:open. Examples: `login timeout`, `\"connection reset\" is:open label:backend`, \
`crash -label:wontfix priority:p0..p1`. The language is in the resource \
git-issue://help/query.";

const LIST: &str = "List issues that match a query, in a given order, without ranking: \
the open ones, newest first, unless the query or `all` says otherwise. Each issue comes \
with its fields but not its description (use `show`). Examples: `label:ui assignee:alice`, \
`is:closed milestone:v0.7.0 sort:updated-desc`, `type:bug priority:p0..p1 created:>7d`, \
`no:assignee`.";

const SHOW: &str = "Read one issue: its fields, description and comments (oldest first). \
Example: {\"key\": \"BC-12\"}.";

const NEW: &str = "File a new issue; answers with its key and the issue. Only the title is \
needed; type, priority, severity must be values tracker.yml allows (resource \
git-issue://tracker.yml). Example: {\"title\": \"Login fails on Safari\", \"type\": \"bug\", \
\"labels\": [\"ui\"], \"body\": \"Steps to reproduce: …\"}.";

const COMMENT: &str = "Add a comment to an issue. `internal: true` keeps it for the team. \
Example: {\"key\": \"BC-12\", \"body\": \"Fixed by 3f2a9c1, please retest.\"}.";

const RECORD: &str = "Record an error: the first time it files an issue, each time after \
it adds an occurrence to that issue (known by a fingerprint of the component, the error type \
and the message with its ids, numbers and times left out); a resolved error that recurs is \
reopened as a regression. Answers the key and the count. Example: {\"title\": \"Database \
timeout\", \"component\": \"db\", \"error\": \"timeout after 30s on query 8812\", \
\"error_type\": \"TimeoutError\", \"severity\": \"high\", \"host\": \"ci-3\"}.";

const CLOSE: &str = "Close an issue with a closed status tracker.yml lists (default \
`closed`), optionally as a duplicate of another and with a comment saying why. Example: \
{\"key\": \"BC-12\", \"reason\": \"resolved\", \"comment\": \"Fixed in v0.7.0.\"}.";

const REOPEN: &str = "Reopen a closed issue: it gets the status new issues get. \
Example: {\"key\": \"BC-12\"}.";

const LINK: &str = "Link a commit of this repository or a pull request to an issue (one of \
the two). Examples: {\"key\": \"BC-12\", \"commit\": \"HEAD\"}, {\"key\": \"BC-12\", \
\"pr\": \"42\"}.";

const RELEASE_NOTES: &str = "Release notes for a range of commits: the issues the commits \
name and the milestone's issues resolved without a commit, grouped by type (Features, Bug \
fixes, …), then the milestone's open issues as known limitations. Answers Markdown and JSON. \
Example: {\"range\": \"v0.6.0..v0.7.0\"}, or {} for the last tag to HEAD.";

/// The description of `set`, with the fields it can change from the field
/// table.
fn set_description() -> String {
    format!(
        "Change fields and labels of one issue, in one commit. Each change is `field=value`, \
         `+label` or `-label`; an empty value clears an optional field (`milestone=`). \
         Fields: {}. Values must be ones tracker.yml allows. Example: {{\"key\": \"BC-12\", \
         \"changes\": [\"status=in_progress\", \"priority=p1\", \"+regression\", \
         \"-needs-info\"]}}.",
        crate::tracker::settable_names().join(", ")
    )
}

#[tool_router(vis = "pub(super)")]
impl Server {
    #[tool(name = "search", description = SEARCH, annotations(read_only_hint = true, open_world_hint = false))]
    async fn search(
        &self,
        Parameters(a): Parameters<SearchArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let limit = a.limit.unwrap_or(20).min(100);
        let offset = a.offset.unwrap_or(0);
        self.answer(None, move |t, audience| {
            let config = t.config()?;
            let query = t.parse_query(&a.query, &config)?;
            let page = Page {
                sort: query.sort.unwrap_or_default(),
                by_score: query.sort.is_none() && query.expr.has_text(),
                offset,
                limit: Some(limit),
            };
            let found = t.search_for(audience, &query.expr, page, &Quiet)?;
            let mut snippets = found.snippets.clone();
            snippets.resize(found.records.len(), None);
            let results: Vec<Value> = found
                .records
                .iter()
                .zip(&found.scores)
                .zip(&snippets)
                .map(|((r, score), s)| search_hit_json(r, *score, s.as_ref()))
                .collect();
            let summary = count_summary(&found, offset);
            Ok(with_warnings(
                summary,
                json!({"total": found.total, "offset": offset, "results": results}),
                &found,
            ))
        })
        .await
    }

    #[tool(name = "list", description = LIST, annotations(read_only_hint = true, open_world_hint = false))]
    async fn list(&self, Parameters(a): Parameters<ListArgs>) -> Result<CallToolResult, ErrorData> {
        let limit = a.limit.unwrap_or(30).min(200);
        let offset = a.offset.unwrap_or(0);
        self.answer(None, move |t, audience| {
            let config = t.config()?;
            let query = t.parse_query(&a.query, &config)?;
            let sort = match &a.sort {
                Some(s) => Some(s.parse::<Sort>().map_err(|message| Error::BadFlag {
                    flag: "sort".to_owned(),
                    message,
                })?),
                None => None,
            };
            let mut expr = query.expr;
            if !a.all && !expr.mentions_state() {
                expr = Expr::Open(true).and(expr);
            }
            let page = Page {
                sort: sort.or(query.sort).unwrap_or_default(),
                by_score: false,
                offset,
                limit: Some(limit),
            };
            let found = t.find_for(audience, &expr, page, &Quiet)?;
            let issues: Vec<Value> = found.records.iter().map(record_json).collect();
            let summary = count_summary(&found, offset);
            Ok(with_warnings(
                summary,
                json!({"total": found.total, "offset": offset, "issues": issues}),
                &found,
            ))
        })
        .await
    }

    #[tool(name = "show", description = SHOW, annotations(read_only_hint = true, open_world_hint = false))]
    async fn show(&self, Parameters(a): Parameters<KeyArgs>) -> Result<CallToolResult, ErrorData> {
        self.answer(None, move |t, audience| {
            let key = t.parse_key(&a.key)?;
            let d = t.details_for(&key, audience)?;
            let mut summary = format!(
                "{}: {} ({}, {} comment{})",
                d.record.key,
                d.record.issue.title,
                d.record.issue.status,
                d.comments.len(),
                if d.comments.len() == 1 { "" } else { "s" }
            );
            if let Some(old) = &d.asked_as {
                summary.push_str(&format!(
                    "; {old} was renumbered to {} by a sync",
                    d.record.key
                ));
            }
            Ok(Answer {
                summary,
                data: details_json(&d),
            })
        })
        .await
    }

    #[tool(name = "new", description = NEW, annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = false, open_world_hint = false))]
    async fn file_issue(
        &self,
        Parameters(a): Parameters<NewArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(Some(client_name(&context)), move |t, audience| {
            let draft = t.draft(Draft {
                title: a.title,
                kind: a.kind,
                priority: a.priority,
                severity: a.severity,
                labels: a.labels,
                milestone: a.milestone,
                assignee: a.assignee,
                component: a.component,
                body: a.body,
                template: a.template,
                vars: Vec::new(),
                // The support desk's reporter and environment: not asked
                // of an agent; the reporter is the user, as for `new`.
                ..Draft::default()
            })?;
            let title = draft.title.clone();
            let key = t.create(draft)?;
            let mut data = json!({"key": key.to_string()});
            if let Ok(d) = t.details_for(&key, audience) {
                data["issue"] = details_json(&d);
            }
            Ok(Answer {
                summary: format!("Filed {key}: {title}"),
                data,
            })
        })
        .await
    }

    #[tool(name = "comment", description = COMMENT, annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = false, open_world_hint = false))]
    async fn comment(
        &self,
        Parameters(a): Parameters<CommentArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(Some(client_name(&context)), move |t, audience| {
            let key = visible_key(t, &a.key, audience)?;
            let (key, id) = t.comment(&key, &a.body, a.internal)?;
            // The comment the agent just wrote, whoever may read it.
            let comment = t
                .details(&key)?
                .comments
                .into_iter()
                .find(|c| c.id == id)
                .map(|c| Value::Object(c.comment.to_json(&c.id)))
                .unwrap_or(Value::Null);
            let what = if a.internal {
                "internal comment"
            } else {
                "comment"
            };
            Ok(Answer {
                summary: format!("{key}: {what} {id}"),
                data: json!({"key": key.to_string(), "comment": comment}),
            })
        })
        .await
    }

    #[tool(name = "record", description = RECORD, annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = false, open_world_hint = false))]
    async fn record(
        &self,
        Parameters(a): Parameters<RecordArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(Some(client_name(&context)), move |t, _| {
            // Read as a line of `record --jsonl` is: one set of rules.
            let map = match serde_json::to_value(&a) {
                Ok(Value::Object(map)) => map,
                _ => serde_json::Map::new(),
            };
            let occurrence = Occurrence::from_json(&map).map_err(Error::Refused)?;
            let outcome = t.record_errors(&[occurrence])?;
            let Some(recorded) = outcome.recorded.first() else {
                return Err(Error::Internal("the record was not made".to_owned()).into());
            };
            Ok(Answer {
                summary: recorded_line(recorded),
                data: recorded_json(recorded),
            })
        })
        .await
    }

    #[tool(name = "set", description = set_description(), annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = true, open_world_hint = false))]
    async fn set(
        &self,
        Parameters(a): Parameters<SetArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(Some(client_name(&context)), move |t, audience| {
            let key = visible_key(t, &a.key, audience)?;
            let changes = a
                .changes
                .iter()
                .map(|c| c.parse::<Assignment>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(Error::Refused)?;
            if changes.is_empty() {
                return Err(Error::Refused(
                    "set needs at least one change, like \"status=triaged\" or \"+ui\"".to_owned(),
                )
                .into());
            }
            let outcome = t.set(&key, &changes)?;
            Ok(changed(t, audience, &outcome))
        })
        .await
    }

    #[tool(name = "close", description = CLOSE, annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = true, open_world_hint = false))]
    async fn close(
        &self,
        Parameters(a): Parameters<CloseArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(Some(client_name(&context)), move |t, audience| {
            let key = visible_key(t, &a.key, audience)?;
            let duplicate_of = a
                .duplicate_of
                .as_deref()
                .map(|d| visible_key(t, d, audience))
                .transpose()?;
            let closing = Closing {
                reason: a.reason,
                duplicate_of,
                comment: a.comment,
            };
            let outcome = t.close(&key, &closing)?;
            Ok(changed(t, audience, &outcome))
        })
        .await
    }

    #[tool(name = "reopen", description = REOPEN, annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = true, open_world_hint = false))]
    async fn reopen(
        &self,
        Parameters(a): Parameters<KeyArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(Some(client_name(&context)), move |t, audience| {
            let key = visible_key(t, &a.key, audience)?;
            let outcome = t.reopen(&key)?;
            Ok(changed(t, audience, &outcome))
        })
        .await
    }

    #[tool(name = "link", description = LINK, annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = true, open_world_hint = false))]
    async fn link(
        &self,
        Parameters(a): Parameters<LinkArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(Some(client_name(&context)), move |t, audience| {
            let key = visible_key(t, &a.key, audience)?;
            let outcome = match (&a.commit, &a.pr) {
                (Some(rev), None) => t.link_commit(&key, rev)?,
                (None, Some(pr)) => t.link_pr(&key, pr)?,
                _ => {
                    return Err(Error::Refused(
                        "link takes either a commit or a pr, not both and not neither".to_owned(),
                    )
                    .into());
                }
            };
            Ok(changed(t, audience, &outcome))
        })
        .await
    }

    #[tool(name = "release_notes", description = RELEASE_NOTES, annotations(read_only_hint = true, open_world_hint = false))]
    async fn notes(
        &self,
        Parameters(a): Parameters<ReleaseNotesArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        self.answer(None, move |t, audience| {
            let notes =
                t.release_notes_for(a.range.as_deref(), a.milestone.as_deref(), audience)?;
            let data: Value = serde_json::from_str(&crate::release_notes::json(&notes)?)?;
            Ok(Answer {
                summary: crate::release_notes::markdown(&notes),
                data,
            })
        })
        .await
    }
}

impl Server {
    /// Runs a tool's work on a fresh tracker and turns what it answers, or
    /// why it failed, into the tool's result.
    async fn answer(
        &self,
        via: Option<String>,
        f: impl FnOnce(&Tracker, Audience) -> anyhow::Result<Answer> + Send + 'static,
    ) -> Result<CallToolResult, ErrorData> {
        Ok(match self.with_tracker(via, f).await {
            Ok(answer) => answer.into_result(),
            Err(e) => failure(&e),
        })
    }
}

/// The key of an issue the audience may see, as it is filed.
fn visible_key(t: &Tracker, key: &str, audience: Audience) -> anyhow::Result<Key> {
    let key = t.parse_key(key)?;
    Ok(t.resolve_for(&key, audience)?)
}

/// What a change to one issue answers: what it did, its commit, and the
/// issue as it is now (unless the change hid it from this audience).
fn changed(t: &Tracker, audience: Audience, outcome: &Outcome) -> Answer {
    let summary = match &outcome.commit {
        Some(_) => format!("{}: {}", outcome.key, outcome.summary),
        None => format!("{}: nothing to change", outcome.key),
    };
    let mut data = json!({
        "key": outcome.key.to_string(),
        "change": outcome.summary,
        "commit": outcome.commit,
    });
    if let Ok(d) = t.details_for(&outcome.key, audience) {
        data["issue"] = details_json(&d);
    }
    Answer { summary, data }
}

/// "3 issues match: …", or which page of how many.
fn count_summary(found: &Found, offset: usize) -> String {
    match (found.total, found.records.len()) {
        (0, _) => "No issue matches.".to_owned(),
        (1, 1) => format!("1 issue matches: {}.", keys(found)),
        (total, n) if n == total => format!("{total} issues match: {}.", keys(found)),
        (total, 0) => format!("{total} issues match; none after offset {offset}."),
        (total, n) => format!(
            "{total} issues match; these are {} to {}: {}.",
            offset + 1,
            offset + n,
            keys(found)
        ),
    }
}

fn keys(found: &Found) -> String {
    found
        .records
        .iter()
        .map(|r| r.key.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// An answer that also says when the index could not be used and which
/// files did not parse.
fn with_warnings(mut summary: String, mut data: Value, found: &Found) -> Answer {
    let mut warnings: Vec<String> = Vec::new();
    if let Some(why) = &found.fallback {
        warnings.push(format!("{why}; answered by reading the files"));
    }
    warnings.extend(found.problems.iter().map(|p| format!("{p} (skipped)")));
    if !warnings.is_empty() {
        summary.push_str(&format!(" Warnings: {}", warnings.join("; ")));
        data["warnings"] = json!(warnings);
    }
    Answer { summary, data }
}
