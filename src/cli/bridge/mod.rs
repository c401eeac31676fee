//! `git issue bridge`: GitHub, GitLab and Jira issues brought in, kept in
//! step, and local changes sent back.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use super::JsonArg;
use crate::bridge::{self, Options, PushReport, Report, Service, Step};
use crate::ui::Ui;

/// Bring issues in from GitHub, GitLab or Jira and keep them in step
///
/// `import` reads the JSON their APIs return, saved to files; `pull` and
/// `push` talk to them: GitHub through your own `gh`, GitLab through your
/// own `glab` (their logins apply), Jira over HTTPS with a token from `git
/// config issue.jira.token` or JIRA_API_TOKEN (and `issue.jira.user` or
/// JIRA_USER for Jira Cloud). Running any of them twice changes nothing the
/// second time. How values map is in tracker.yml's `bridge:` tables.
#[derive(Debug, Args)]
pub struct BridgeArgs {
    #[command(subcommand)]
    command: BridgeCommand,
}

#[derive(Debug, Subcommand)]
enum BridgeCommand {
    Import(ImportArgs),
    Pull(PullArgs),
    Push(PushArgs),
}

/// Bring in issues and comments saved from a service's API, in one commit
///
/// GitHub: what `gh api --paginate 'repos/OWNER/REPO/issues?state=all'` and
/// `.../issues/comments` print (pull requests are left out). GitLab: project
/// issues and their notes (system notes are left out). Jira: pages of
/// `/rest/api/3/search/jql` with their fields. Files may be given in any
/// order and mix; issues already brought in are updated, never doubled.
#[derive(Debug, Args)]
struct ImportArgs {
    /// github, gitlab or jira
    service: Service,
    /// Files of JSON (- for stdin)
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The project, when the data does not say (OWNER/REPO, a GitLab path,
    /// https://SITE/KEY)
    #[arg(long)]
    project: Option<String>,
    /// Say what would change, change nothing
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    json: JsonArg,
}

/// Bring in what changed on a service since the last pull
#[derive(Debug, Args)]
struct PullArgs {
    /// github, gitlab or jira
    service: Service,
    /// OWNER/REPO (GitHub), the project's path (GitLab), https://SITE/KEY
    /// (Jira)
    project: String,
    /// Ask for every issue, not only those changed since the last pull
    #[arg(long)]
    full: bool,
    /// Say what would change, change nothing
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    json: JsonArg,
}

/// Send local changes: new issues, changed fields, new comments
#[derive(Debug, Args)]
struct PushArgs {
    /// github, gitlab or jira
    service: Service,
    /// OWNER/REPO (GitHub), the project's path (GitLab), https://SITE/KEY
    /// (Jira)
    project: String,
    /// List the requests it would make, make none
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: BridgeArgs) -> Result<()> {
    let tracker = super::open()?;
    match args.command {
        BridgeCommand::Import(a) => {
            let mut texts = Vec::new();
            for f in &a.files {
                texts.push(if f.as_os_str() == "-" {
                    std::io::read_to_string(std::io::stdin()).context("cannot read stdin")?
                } else {
                    std::fs::read_to_string(f)
                        .with_context(|| format!("cannot read {}", f.display()))?
                });
            }
            let report =
                bridge::import(&tracker, a.service, &texts, a.project.as_deref(), a.dry_run)?;
            show(ui, &report, a.json.json)
        }
        BridgeCommand::Pull(a) => {
            let project = bridge::project(a.service, &a.project)?;
            let opts = Options {
                dry_run: a.dry_run,
                full: a.full,
            };
            let report = bridge::pull(&tracker, &project, &opts)?;
            show(ui, &report, a.json.json)
        }
        BridgeCommand::Push(a) => {
            let project = bridge::project(a.service, &a.project)?;
            let opts = Options {
                dry_run: a.dry_run,
                full: false,
            };
            let report = bridge::push(&tracker, &project, &opts)?;
            show_push(ui, &report, a.json.json)
        }
    }
}

/// At most this many keys are listed by name.
const LISTED: usize = 20;

fn keys(pairs: &[(String, String)]) -> String {
    let mut shown: Vec<String> = pairs
        .iter()
        .take(LISTED)
        .map(|(ours, theirs)| format!("{ours} ({theirs})"))
        .collect();
    if pairs.len() > LISTED {
        shown.push(format!("and {} more", pairs.len() - LISTED));
    }
    shown.join(", ")
}

fn show(ui: &Ui, r: &Report, json: bool) -> Result<()> {
    if json {
        ui.json(r)?;
        return Ok(());
    }
    let would = if r.dry_run { "would be " } else { "" };
    let mut line = format!(
        "{} {}: {} new, {} updated, {} unchanged; comments: {} added, {} updated",
        r.service,
        bridge::plain(&r.project),
        r.created.len(),
        r.updated.len(),
        r.unchanged,
        r.comments_added,
        r.comments_updated
    );
    if r.dry_run {
        line.push_str(" (dry run: nothing written)");
    }
    ui.status(&line);
    if !r.created.is_empty() {
        ui.status(&format!("  {would}filed: {}", keys(&r.created)));
    }
    if !r.updated.is_empty() {
        ui.status(&format!("  {would}updated: {}", keys(&r.updated)));
    }
    if !r.stale.is_empty() {
        ui.status(&format!(
            "  left alone, older than what they were last synced with: {}",
            keys(&r.stale)
        ));
    }
    let mut skipped = Vec::new();
    if r.skipped_pulls > 0 {
        skipped.push(format!("{} pull request(s)", r.skipped_pulls));
    }
    if r.skipped_comments > 0 {
        skipped.push(format!(
            "{} comment(s) on pull requests",
            r.skipped_comments
        ));
    }
    if r.skipped_system_notes > 0 {
        skipped.push(format!("{} system note(s)", r.skipped_system_notes));
    }
    if !skipped.is_empty() {
        ui.status(&format!("  left out: {}", skipped.join(", ")));
    }
    for d in &r.dropped {
        ui.status(&format!("  {}", bridge::plain(d)));
    }
    for n in &r.notes {
        ui.warn(&bridge::plain(n));
    }
    Ok(())
}

fn show_push(ui: &Ui, r: &PushReport, json: bool) -> Result<()> {
    if json {
        ui.json(r)?;
        return Ok(());
    }
    if r.dry_run {
        ui.status(&format!(
            "{} {}: {} request(s) would be made (dry run: nothing sent)",
            r.service,
            bridge::plain(&r.project),
            r.plan.len()
        ));
        for step in &r.plan {
            let line = match step {
                Step::Create {
                    key,
                    fields,
                    comments,
                } => format!(
                    "create {key}: {}{}",
                    fields.names().join(", "),
                    if *comments > 0 {
                        format!(", {comments} comment(s)")
                    } else {
                        String::new()
                    }
                ),
                Step::Update {
                    key,
                    remote,
                    fields,
                } => {
                    format!("update {key} ({remote}): {}", fields.names().join(", "))
                }
                Step::Comment {
                    key,
                    remote,
                    comment,
                } => format!("comment on {key} ({remote}): {comment}"),
            };
            ui.data(&line)?;
        }
    } else {
        ui.status(&format!(
            "{} {}: {} created, {} updated, {} comment(s) sent",
            r.service,
            bridge::plain(&r.project),
            r.created.len(),
            r.updated.len(),
            r.comments
        ));
        if !r.created.is_empty() {
            ui.status(&format!("  created: {}", keys(&r.created)));
        }
        if !r.updated.is_empty() {
            ui.status(&format!("  updated: {}", keys(&r.updated)));
        }
    }
    for n in &r.notes {
        ui.warn(&bridge::plain(n));
    }
    Ok(())
}
