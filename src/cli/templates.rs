use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use super::JsonArg;
use crate::ui::{Ui, one_line, table};

/// List, add, change and remove issue templates (templates/NAME.md)
///
/// A template is a description, optionally with front matter giving the
/// fields a new issue starts with (type, labels, priority, …):
/// `git issue new --template NAME` uses it. Each change is one commit on the
/// issues branch; no checkout needed.
#[derive(Debug, Args)]
pub struct TemplatesArgs {
    #[command(subcommand)]
    verb: Option<Verb>,
    #[command(flatten)]
    json: JsonArg,
}

#[derive(Debug, Subcommand)]
enum Verb {
    /// List the templates (the default)
    List,
    /// Print a template's text
    Show { name: String },
    /// Add a template: from -F FILE, -m TEXT, stdin, or your editor
    Add(Text),
    /// Change a template: from -F FILE or -m TEXT, else in your editor
    Edit(Text),
    /// Remove a template
    #[command(alias = "rm")]
    Remove { name: String },
}

#[derive(Debug, Args)]
struct Text {
    /// The template's name, like bug-report
    name: String,
    /// Its text
    #[arg(
        long = "message",
        short = 'm',
        value_name = "TEXT",
        conflicts_with = "file",
        allow_hyphen_values = true
    )]
    message: Option<String>,
    /// Read its text from a file (- for stdin)
    #[arg(long, short = 'F', value_name = "FILE")]
    file: Option<PathBuf>,
}

/// What a new template starts from in the editor.
const SKELETON: &str = "---\ntype: bug\nlabels: []\n---\n## What happened\n\n## What you expected\n\n## How to reproduce it\n";

pub fn run(ui: &Ui, args: TemplatesArgs) -> Result<()> {
    let tracker = super::open()?;
    match args.verb.unwrap_or(Verb::List) {
        Verb::List => {
            let templates = tracker.templates()?;
            if args.json.json {
                return Ok(ui.json(&templates)?);
            }
            if templates.is_empty() {
                ui.status("No templates yet; git issue templates add NAME adds one.");
                return Ok(());
            }
            let rows: Vec<Vec<String>> = templates
                .iter()
                .map(|t| {
                    vec![
                        ui.bold(&one_line(&t.name)),
                        one_line(t.title.as_deref().unwrap_or("")).into_owned(),
                    ]
                })
                .collect();
            ui.data(&table(&rows))?;
        }
        Verb::Show { name } => {
            let text = tracker.template_text(&name)?;
            ui.data(&crate::ui::block(&text))?;
        }
        Verb::Add(t) => {
            let text = match super::body_from(t.message, t.file)? {
                Some(text) => text,
                None if ui.interactive() => edit(ui, &tracker, &t.name, SKELETON)?,
                None => {
                    let mut s = String::new();
                    std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
                    s
                }
            };
            done(
                ui,
                &t.name,
                tracker.save_template(&t.name, &text, true)?,
                "added",
            );
            super::editor::discard(&draft(&tracker, &t.name));
        }
        Verb::Edit(t) => {
            let text = match super::body_from(t.message, t.file)? {
                Some(text) => text,
                None if ui.interactive() => {
                    let current = tracker.template_text(&t.name)?;
                    edit(ui, &tracker, &t.name, &current)?
                }
                None => bail!(
                    "not on a terminal, so no editor: give the new text with -F FILE or -m TEXT"
                ),
            };
            done(
                ui,
                &t.name,
                tracker.save_template(&t.name, &text, false)?,
                "changed",
            );
            super::editor::discard(&draft(&tracker, &t.name));
        }
        Verb::Remove { name } => {
            done(ui, &name, tracker.remove_template(&name)?, "removed");
        }
    }
    Ok(())
}

fn draft(tracker: &crate::tracker::Tracker, name: &str) -> PathBuf {
    super::editor::draft_path(tracker, &format!("template-{name}"))
}

fn edit(ui: &Ui, tracker: &crate::tracker::Tracker, name: &str, initial: &str) -> Result<String> {
    let path = draft(tracker, name);
    super::editor::edit_until_valid(ui, tracker, initial, &path, |text| {
        tracker.check_template(text)?;
        Ok(text.to_owned())
    })
}

fn done(ui: &Ui, name: &str, commit: Option<String>, what: &str) {
    match commit {
        Some(_) => ui.status(&format!("Template {} {what}", one_line(name))),
        None => ui.status(&format!("Template {} unchanged", one_line(name))),
    }
}
