//! The command line: one file per command, each an `XxxArgs` struct whose doc
//! comment is its help and a `run` function that turns the arguments into a
//! call on the tracker and renders what comes back. No git2 in here.

mod analyze;
mod assign;
mod attach;
mod attachment;
mod attachments;
mod blame;
mod board;
mod bridge;
mod close;
mod comment;
mod complete;
mod completions;
mod config;
mod delete;
mod detach;
mod doctor;
mod edit;
mod editor;

mod events;
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
mod merge;
mod merge_driver;
mod metrics;
mod milestones;
mod new;
mod notify;
mod record;
mod reindex;
mod release_notes;
mod reopen;
mod replies;
mod scan;
mod search;
mod serve;
mod set;
mod show;
mod stats;
mod sync;
mod templates;
mod unlink;
mod unvote;

mod vote;

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
    Replies(replies::RepliesArgs),
    Vote(vote::VoteArgs),
    Unvote(unvote::UnvoteArgs),
    Attach(attach::AttachArgs),
    Attachments(attachments::AttachmentsArgs),
    Attachment(attachment::AttachmentArgs),
    Detach(detach::DetachArgs),
    Merge(merge::MergeArgs),
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
    Serve(serve::ServeArgs),
    Config(config::ConfigArgs),
    #[command(name = "__complete", hide = true)]
    Complete(complete::CompleteArgs),
    Templates(templates::TemplatesArgs),
    Board(board::BoardArgs),
    Events(events::EventsArgs),
    Notify(notify::NotifyArgs),
    Stats(stats::StatsArgs),
    Bridge(bridge::BridgeArgs),
    Blame(blame::BlameArgs),
    Mcp(mcp::McpArgs),
    #[command(hide = true)]
    MergeDriver(merge_driver::MergeDriverArgs),
}

impl Cli {
    /// Parses the command line as [`Parser::parse`] does, except that a
    /// mistyped command is answered with the visible commands nearest to it
    /// (`lsit`: `list`), never a hidden one. (clap weighs hidden commands
    /// too and ranks by a similarity that puts `merge-driver` first.)
    /// Shadows the trait's `parse`, so `main` needs no change.
    pub fn parse() -> Cli {
        if let Some(cli) = Cli::parse_everyday() {
            return cli;
        }
        match <Cli as Parser>::try_parse() {
            Ok(cli) => cli,
            Err(e) if e.kind() == clap::error::ErrorKind::InvalidSubcommand => {
                let word = e
                    .get(clap::error::ContextKind::InvalidSubcommand)
                    .map(ToString::to_string)
                    .unwrap_or_default();
                suggest(&word).exit()
            }
            Err(e) => e.exit(),
        }
    }
}

impl Cli {
    /// The commands run most (and by every commit, `hook`), parsed by a
    /// parser that knows only the one asked for: building every command's
    /// arguments costs more than the rest of `git issue show`'s start.
    /// Whatever it does not accept as it is (help, a mistake) goes to the
    /// whole parser, so every message stays the same.
    fn parse_everyday() -> Option<Cli> {
        Cli::parse_everyday_from(std::env::args_os().collect())
    }

    fn parse_everyday_from(args: Vec<std::ffi::OsString>) -> Option<Cli> {
        use clap::{Args, FromArgMatches};
        let c = clap::Command::new;
        let sub = match args.get(1)?.to_str()? {
            "show" => show::ShowArgs::augment_args(c("show")),
            "list" => list::ListArgs::augment_args(c("list")),
            "search" => search::SearchArgs::augment_args(c("search")),
            "hook" => hook::HookArgs::augment_args(c("hook")),
            "new" => new::NewArgs::augment_args(c("new")),
            "record" => record::RecordArgs::augment_args(c("record")),
            "set" => set::SetArgs::augment_args(c("set")),
            "label" => label::LabelArgs::augment_args(c("label")),
            "comment" => comment::CommentArgs::augment_args(c("comment")),
            "close" => close::CloseArgs::augment_args(c("close")),
            _ => return None,
        };
        let matches = clap::Command::new("git-issue")
            .bin_name("git issue")
            .subcommand_required(true)
            .subcommand(sub)
            .try_get_matches_from(args)
            .ok()?;
        Command::from_arg_matches(&matches)
            .ok()
            .map(|command| Cli { command })
    }
}

/// The error for an unknown command, with the nearest visible ones.
fn suggest(word: &str) -> clap::Error {
    use clap::CommandFactory;
    use clap::error::{ContextKind, ContextValue, Error, ErrorKind};
    let mut cmd = Cli::command();
    cmd.build();
    let mut near: Vec<(usize, String)> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .flat_map(|s| std::iter::once(s.get_name()).chain(s.get_visible_aliases()))
        .map(|name| (strsim::osa_distance(word, name), name.to_owned()))
        .filter(|(d, name)| *d <= 2.max(word.len() / 3) && *d < name.len())
        .collect();
    near.sort();
    // The nearest only: `lsit` is one swap from `list`, two edits from `edit`.
    if let Some(best) = near.first().map(|(d, _)| *d) {
        near.retain(|(d, _)| *d == best);
    }
    let mut err = Error::new(ErrorKind::InvalidSubcommand).with_cmd(&cmd);
    err.insert(
        ContextKind::InvalidSubcommand,
        ContextValue::String(word.to_owned()),
    );
    if !near.is_empty() {
        err.insert(
            ContextKind::SuggestedSubcommand,
            ContextValue::Strings(near.into_iter().take(3).map(|(_, n)| n).collect()),
        );
    }
    err.insert(
        ContextKind::Usage,
        ContextValue::StyledStr(cmd.render_usage()),
    );
    err
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
        Command::Replies(a) => replies::run(&ui, a),
        Command::Vote(a) => vote::run(&ui, a),
        Command::Unvote(a) => unvote::run(&ui, a),
        Command::Attach(a) => attach::run(&ui, a),
        Command::Attachments(a) => attachments::run(&ui, a),
        Command::Attachment(a) => attachment::run(&ui, a),
        Command::Detach(a) => detach::run(&ui, a),
        Command::Merge(a) => merge::run(&ui, a),
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
        Command::Serve(a) => serve::run(&ui, a),
        Command::Completions(a) => completions::run(&ui, a),
        Command::Man(a) => man::run(&ui, a),
        Command::Sync(a) => sync::run(&ui, a),
        Command::Config(a) => config::run(&ui, a),
        Command::Complete(a) => complete::run(&ui, a),
        Command::Templates(a) => templates::run(&ui, a),
        Command::Board(a) => board::run(&ui, a),
        Command::Events(a) => events::run(&ui, a),
        Command::Notify(a) => notify::run(&ui, a),
        Command::Stats(a) => stats::run(&ui, a),
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

/// `set` and `label` take words that start with `-` (`-backend` removes a
/// label), so clap passes their flags through as words: `--json` is taken
/// here, and any other `--word` is refused as the unknown flag it is,
/// never read as a label to remove.
fn flags_among_changes(words: &mut Vec<String>, json: &mut JsonArg) -> Result<Vec<String>> {
    let mut rest = Vec::with_capacity(words.len());
    for w in words.drain(..) {
        match w.as_str() {
            "--json" => json.json = true,
            "--" => {}
            f if f.starts_with("--") => {
                return Err(crate::tracker::Error::BadFlag {
                    flag: f.trim_start_matches('-').to_owned(),
                    message: "no such flag; to remove a label, write -label with one dash"
                        .to_owned(),
                }
                .into());
            }
            _ => rest.push(w),
        }
    }
    if rest.is_empty() {
        return Err(crate::tracker::Error::Refused("say what to change".to_owned()).into());
    }
    Ok(rest)
}

/// With `--json`, prints the issue as a write left it (the shape of
/// `show --json`), for scripts that go on from there.
fn print_issue(ui: &Ui, tracker: &Tracker, key: &Key, json: JsonArg) -> Result<()> {
    if json.json {
        let details = tracker.details(key)?;
        ui.json(&ui::view::details_json(&details))?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The parser of one command reads every command line it accepts as
    /// the whole parser does, and hands every other to it.
    #[test]
    fn the_everyday_parser_agrees_with_the_whole_one() {
        let lines: &[&[&str]] = &[
            &["show", "BC-1", "--json"],
            &["list", "--label", "security", "--all", "priority:p0"],
            &["search", "kerberos", "--json"],
            &["hook", "commit-msg", ".git/COMMIT_EDITMSG"],
            &["new", "Title", "-m", "Body", "--label", "a", "--label", "b"],
            &[
                "record",
                "Timeout",
                "--component",
                "db",
                "--error",
                "timed out",
                "--fix",
                "a",
                "--fix",
                "b",
                "--tag",
                "t",
                "--host",
                "ci-1",
            ],
            &["set", "BC-1", "priority=p0", "title=x"],
            &["label", "BC-1", "bug", "ui"],
            &["comment", "BC-1", "-m", "Seen on Linux too.", "--internal"],
            &["close", "BC-1", "--reason", "wont_fix"],
            &["new"],
            &["show", "--nope"],
            &["record", "--help"],
            &["close", "BC-1", "--reason"],
        ];
        for line in lines {
            let args: Vec<std::ffi::OsString> = std::iter::once("git-issue")
                .chain(line.iter().copied())
                .map(Into::into)
                .collect();
            let whole = <Cli as Parser>::try_parse_from(&args).ok();
            let everyday = Cli::parse_everyday_from(args);
            assert_eq!(format!("{everyday:?}"), format!("{whole:?}"), "{line:?}");
        }
    }
}
