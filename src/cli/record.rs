use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use jiff::Timestamp;
use serde_json::{Map, Value};

use super::JsonArg;
use crate::tracker::{Occurrence, parse_at, parse_context, read_records};
use crate::ui::Ui;
use crate::ui::view::{recorded_json, recorded_line};

/// Record an error: file it once, count it each time it recurs
///
/// An error is known by its fingerprint: the component, the error type and
/// the message with ids, numbers, times, temporary paths and quoted values
/// left out (issue-format.md, "Fingerprints"). A known error gets an
/// occurrence instead of a new issue, and prints `BC-12 (occurrence 37)`. A
/// resolved error that recurs is reopened with the label `regression`.
///
///   git issue record "Database timeout" --component db --severity high \
///       --error "$message" --error-type TimeoutError --host "$HOSTNAME"
///   my-log-shipper | git issue record --jsonl -
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The title of the issue filed for a new error
    #[arg(required_unless_present = "jsonl", conflicts_with = "jsonl")]
    title: Option<String>,
    /// Its description
    #[arg(conflicts_with = "jsonl")]
    description: Option<String>,
    /// The part of the system that failed (required)
    #[arg(long, required_unless_present = "jsonl", conflicts_with = "jsonl")]
    component: Option<String>,
    /// One of tracker.yml's severities: critical, high, medium, low, info
    #[arg(long, short = 's', conflicts_with = "jsonl")]
    severity: Option<String>,
    /// One of tracker.yml's categories: security, performance, reliability, …
    #[arg(long, conflicts_with = "jsonl")]
    category: Option<String>,
    /// The error message (ids, numbers and times in it may vary)
    #[arg(long, value_name = "MESSAGE", conflicts_with = "jsonl")]
    error: Option<String>,
    /// The class of the error, like TimeoutError
    #[arg(long, value_name = "TYPE", conflicts_with = "jsonl")]
    error_type: Option<String>,
    /// Read a stack trace from a file (- for stdin)
    #[arg(long, value_name = "FILE", conflicts_with = "jsonl")]
    stack_trace: Option<PathBuf>,
    /// A suggested fix; repeat for more
    #[arg(long = "fix", value_name = "TEXT", conflicts_with = "jsonl")]
    fixes: Vec<String>,
    /// A change the system needs; repeat for more
    #[arg(long = "change", value_name = "TEXT", conflicts_with = "jsonl")]
    changes: Vec<String>,
    /// A label; repeat for more
    #[arg(long = "tag", value_name = "TAG", conflicts_with = "jsonl")]
    tags: Vec<String>,
    /// Details of this occurrence, a JSON object: '{"job": "build-42"}'
    #[arg(long, value_name = "JSON", value_parser = parse_context, conflicts_with = "jsonl")]
    context: Option<Map<String, Value>>,
    /// Where it happened
    #[arg(long, conflicts_with = "jsonl")]
    host: Option<String>,
    /// When it happened, like 2026-01-31T09:30:00Z (default: now)
    #[arg(long, value_name = "TIME", value_parser = parse_at, conflicts_with = "jsonl")]
    at: Option<Timestamp>,
    /// File it under this fingerprint instead of the computed one
    #[arg(long, conflicts_with = "jsonl")]
    fingerprint: Option<String>,
    /// Record many errors in one commit: one JSON object a line, with the
    /// flags' names as members (- for stdin); a bad line stops it all
    #[arg(long, value_name = "FILE")]
    jsonl: Option<PathBuf>,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: RecordArgs) -> Result<()> {
    let tracker = super::open()?;
    let batch = args.jsonl.is_some();
    let items = match &args.jsonl {
        Some(path) => read_jsonl(path)?,
        None => vec![Occurrence {
            line: None,
            title: args.title.unwrap_or_default(),
            description: args.description,
            component: args.component.unwrap_or_default(),
            severity: args.severity,
            category: args.category,
            error: args.error,
            error_type: args.error_type,
            stack_trace: super::body_from(None, args.stack_trace)?,
            fixes: args.fixes,
            changes: args.changes,
            tags: args.tags,
            context: args.context,
            host: args.host,
            at: args.at,
            fingerprint: args.fingerprint,
        }],
    };
    let outcome = tracker.record_errors(&items)?;
    if let Some(why) = &outcome.fallback {
        ui.warn(&format!("{why}; looked the fingerprints up in the files"));
    }
    if args.json.json {
        let items: Vec<Value> = outcome.recorded.iter().map(recorded_json).collect();
        return match (batch, items.as_slice()) {
            (false, [one]) => Ok(ui.json(one)?),
            _ => Ok(ui.json(&items)?),
        };
    }
    let lines: Vec<String> = outcome.recorded.iter().map(recorded_line).collect();
    ui.data(&lines.join("\n"))?;
    Ok(())
}

/// The text of a batch, from a file or stdin.
fn read_jsonl(path: &PathBuf) -> Result<Vec<Occurrence>> {
    let text = if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .context("cannot read the records from stdin")?;
        s
    } else {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?
    };
    Ok(read_records(&text)?)
}
