//! The command line: one file per command, each an `XxxArgs` struct whose doc
//! comment is its help and a `run` function that turns the arguments into a
//! call on the tracker and renders what comes back. No git2 in here.

mod analyze;
mod assign;
mod blame;
mod bridge;
mod close;
mod comment;
mod completions;
mod delete;
mod doctor;
mod edit;
mod editor;
pub mod error;
mod export;
mod hook;
mod hooks;
mod import;
mod init;
mod label;
mod labels;
mod link;
mod list;
mod log;
mod man;
mod mcp;
mod merge_driver;
mod metrics;
mod milestones;
mod new;
mod record;
mod reindex;
mod release_notes;
mod reopen;
mod scan;
mod search;
mod set;
mod show;
mod sync;
mod unlink;
pub mod view;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use crate::format::Key;
use crate::tracker::{Outcome, Tracker};
use crate::ui::{self, Ui};

/// Issues as Markdown files on a branch of your repository
#[derive(Debug, Parser)]
#[command(
    name = "git-issue",
    bin_name = "git issue",
    version,
    about,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(init::InitArgs),
    New(new::NewArgs),
    List(list::ListArgs),
    Show(show::ShowArgs),
    Search(search::SearchArgs),
    Edit(edit::EditArgs),
    Set(set::SetArgs),
    Close(close::CloseArgs),
    Reopen(reopen::ReopenArgs),
    Assign(assign::AssignArgs),
    Label(label::LabelArgs),
    Comment(comment::CommentArgs),
    Link(link::LinkArgs),
    Unlink(unlink::UnlinkArgs),
    Delete(delete::DeleteArgs),
    Log(log::LogArgs),
    Milestones(milestones::MilestonesArgs),
    Labels(labels::LabelsArgs),
    Record(record::RecordArgs),
    Analyze(analyze::AnalyzeArgs),
    Metrics(metrics::MetricsArgs),
    Doctor(doctor::DoctorArgs),
    Reindex(reindex::ReindexArgs),
    Import(import::ImportArgs),
    Export(export::ExportArgs),
    Hooks(hooks::HooksArgs),
    #[command(hide = true)]
    Hook(hook::HookArgs),
    Scan(scan::ScanArgs),
    ReleaseNotes(release_notes::ReleaseNotesArgs),
    Completions(completions::CompletionsArgs),
    Man(man::ManArgs),
    Sync(sync::SyncArgs),
    Bridge(bridge::BridgeArgs),
    Blame(blame::BlameArgs),
    Mcp(mcp::McpArgs),
    #[command(hide = true)]
    MergeDriver(merge_driver::MergeDriverArgs),
}

/// `--json`, for every command that prints data.
#[derive(Debug, Args, Clone, Copy)]
pub struct JsonArg {
    /// Print JSON instead of text for people
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: Cli) -> Result<()> {
    let ui = Ui::new();
    match cli.command {
        Command::Init(a) => init::run(&ui, a),
        Command::New(a) => new::run(&ui, a),
        Command::List(a) => list::run(&ui, a),
        Command::Show(a) => show::run(&ui, a),
        Command::Search(a) => search::run(&ui, a),
        Command::Edit(a) => edit::run(&ui, a),
        Command::Set(a) => set::run(&ui, a),
        Command::Close(a) => close::run(&ui, a),
        Command::Reopen(a) => reopen::run(&ui, a),
        Command::Assign(a) => assign::run(&ui, a),
        Command::Label(a) => label::run(&ui, a),
        Command::Comment(a) => comment::run(&ui, a),
        Command::Link(a) => link::run(&ui, a),
        Command::Unlink(a) => unlink::run(&ui, a),
        Command::Delete(a) => delete::run(&ui, a),
        Command::Log(a) => log::run(&ui, a),
        Command::Milestones(a) => milestones::run(&ui, a),
        Command::Labels(a) => labels::run(&ui, a),
        Command::Record(a) => record::run(&ui, a),
        Command::Analyze(a) => analyze::run(&ui, a),
        Command::Metrics(a) => metrics::run(&ui, a),
        Command::Doctor(a) => doctor::run(&ui, a),
        Command::Reindex(a) => reindex::run(&ui, a),
        Command::Import(a) => import::run(&ui, a),
        Command::Export(a) => export::run(&ui, a),
        Command::Hooks(a) => hooks::run(&ui, a),
        Command::Hook(a) => hook::run(&ui, a),
        Command::Scan(a) => scan::run(&ui, a),
        Command::ReleaseNotes(a) => release_notes::run(&ui, a),
        Command::Completions(a) => completions::run(&ui, a),
        Command::Man(a) => man::run(&ui, a),
        Command::Sync(a) => sync::run(&ui, a),
        Command::Bridge(a) => bridge::run(&ui, a),
        Command::Blame(a) => blame::run(&ui, a),
        Command::Mcp(a) => mcp::run(&ui, a),
        Command::MergeDriver(a) => merge_driver::run(&ui, a),
    }
}

/// The tracker of the repository around the current directory.
fn open() -> Result<Tracker> {
    let cwd = std::env::current_dir()?;
    Ok(Tracker::discover(&cwd)?)
}

fn key(tracker: &Tracker, s: &str) -> Result<Key> {
    Ok(tracker.parse_key(s)?)
}

/// Says on stderr what a change did.
fn report(ui: &Ui, outcome: &Outcome) {
    if outcome.commit.is_some() {
        ui.status(&format!(
            "{}: {}",
            outcome.key,
            ui::one_line(&outcome.summary)
        ));
    } else {
        ui.status(&format!("{}: nothing to change", outcome.key));
    }
}

/// Reads a body given as `-m`, `--body-file F` (`-` for stdin), or neither.
fn body_from(message: Option<String>, file: Option<std::path::PathBuf>) -> Result<Option<String>> {
    use anyhow::Context;
    match (message, file) {
        (Some(m), _) => Ok(Some(m)),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .context("cannot read the body from stdin")?;
            Ok(Some(s))
        }
        (None, Some(path)) => {
            Ok(Some(std::fs::read_to_string(&path).with_context(|| {
                format!("cannot read {}", path.display())
            })?))
        }
        (None, None) => Ok(None),
    }
}
