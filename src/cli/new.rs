use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::JsonArg;
use crate::format::Issue;
use crate::tracker::Draft;
use crate::ui::Ui;

/// File a new issue and print its key
///
/// The description comes from -m, --body-file, or, on a terminal, your
/// editor (which then shows the whole file, fields included).
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The title
    title: Option<String>,
    /// Type, one of tracker.yml's `types` (default: bug)
    #[arg(long = "type", short = 't', value_name = "TYPE")]
    kind: Option<String>,
    /// Priority, one of tracker.yml's `priorities` (default: p2)
    #[arg(long, short = 'p', value_name = "PRIORITY")]
    priority: Option<String>,
    /// Severity, one of tracker.yml's `severities`
    #[arg(long, short = 's', value_name = "SEVERITY")]
    severity: Option<String>,
    /// A label; repeat for more
    #[arg(long = "label", short = 'l', value_name = "LABEL")]
    labels: Vec<String>,
    /// The milestone it is planned for, like v0.7.0
    #[arg(long, value_name = "MILESTONE")]
    milestone: Option<String>,
    /// Who works on it
    #[arg(long, short = 'a', value_name = "WHO")]
    assignee: Option<String>,
    /// The part of the project it concerns
    #[arg(long, value_name = "COMPONENT")]
    component: Option<String>,
    /// The description
    #[arg(
        long = "message",
        short = 'm',
        value_name = "BODY",
        conflicts_with = "body_file"
    )]
    body: Option<String>,
    /// Read the description from a file (- for stdin)
    #[arg(long, short = 'F', value_name = "FILE")]
    body_file: Option<PathBuf>,
    /// Start from templates/NAME.md on the issues branch
    #[arg(long, value_name = "TEMPLATE")]
    template: Option<String>,
    /// Who reported it, when not you (a customer's name)
    #[arg(long, value_name = "NAME")]
    reporter: Option<String>,
    /// The email to answer the reporter at; they become the reporter
    /// unless --reporter names them
    #[arg(long, value_name = "EMAIL")]
    reporter_email: Option<String>,
    /// Where it happens, as name=value (browser, os, url, version); repeat
    /// for more
    #[arg(long = "env", value_name = "NAME=VALUE", value_parser = env_pair)]
    env: Vec<(String, String)>,
    /// Fill {NAME} in the template's title and body; repeat for more (a
    /// variable the template lacks, or one it uses and is not given, is
    /// refused)
    #[arg(long = "var", value_name = "NAME=VALUE", requires = "template", value_parser = parse_var)]
    vars: Vec<(String, String)>,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: NewArgs) -> Result<()> {
    let tracker = super::open()?;
    let body = super::body_from(args.body, args.body_file)?;
    let use_editor = body.is_none() && ui.interactive();
    if args.title.is_none() && !use_editor && args.template.is_none() {
        bail!("a new issue needs a title: git issue new \"Login fails on Safari\"");
    }
    for label in &args.labels {
        crate::tracker::check_label(label).map_err(crate::tracker::Error::Refused)?;
    }
    let draft = tracker.draft(Draft {
        title: args.title.unwrap_or_default(),
        kind: args.kind,
        priority: args.priority,
        severity: args.severity,
        labels: args.labels,
        milestone: args.milestone,
        assignee: args.assignee,
        component: args.component,
        body,
        template: args.template,
        reporter: args.reporter,
        reporter_email: args.reporter_email,
        env: args.env.into_iter().collect(),
        vars: args.vars,
    })?;
    let key = if use_editor {
        let save = super::editor::draft_path(&tracker, "new-issue");
        // A draft kept from an earlier try is reopened, but the title given
        // now is the one the user wants.
        if !draft.title.is_empty() && super::editor::has_draft(&save) {
            super::editor::retitle(&save, &draft.title)?;
        }
        let issue = super::editor::edit_until_valid(ui, &tracker, &draft.print(), &save, |text| {
            let issue = Issue::parse(text)?;
            tracker.check_edit(&issue, text)?;
            Ok(issue)
        })?;
        let key = tracker.create(issue)?;
        super::editor::discard(&save);
        key
    } else {
        tracker.create(draft)?
    };
    if args.json.json {
        let details = tracker.details(&key)?;
        ui.json(&crate::ui::view::details_json(&details))?;
    } else {
        ui.data(&key.to_string())?;
    }
    Ok(())
}

/// `--env browser=Firefox`: a name and a value.
fn env_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() && !name.contains(',') => {
            Ok((name.trim().to_owned(), value.trim().to_owned()))
        }
        _ => Err(format!("{s:?} is not name=value, like browser=Firefox")),
    }
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        _ => Err(format!("{s:?} is not NAME=VALUE")),
    }
}
