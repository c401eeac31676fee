//! `git issue __complete -- WORDS…`: what the shell scripts of
//! `git issue completions` call on TAB. Reads the command line as clap
//! knows it (so every command, including ones added later, completes by
//! itself) and asks the tracker for keys and values only when the word
//! being completed needs them. Prints one candidate a line; prints nothing,
//! never an error, when there is nothing to offer.

use anyhow::Result;
use clap::{Arg, Args, Command, CommandFactory};

use crate::format::config::Vocabulary;
use crate::format::fields;
use crate::tracker::{Completable, Tracker};
use crate::ui::Ui;

/// Complete a command line (used by the completion scripts)
#[derive(Debug, Args)]
pub struct CompleteArgs {
    /// The words after `git issue`, the last being the one to complete
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    words: Vec<String>,
}

pub fn run(ui: &Ui, args: CompleteArgs) -> Result<()> {
    let mut words = args.words;
    let cur = words.pop().unwrap_or_default();
    let tracker = std::env::current_dir()
        .ok()
        .and_then(|d| Tracker::discover(&d).ok());
    let mut out: Vec<String> = candidates(&words, &cur, tracker.as_ref())
        .into_iter()
        .filter(|c| c.to_lowercase().starts_with(&cur.to_lowercase()))
        // A candidate is shown, never obeyed: one line, no controls.
        .filter(|c| crate::format::control_char(c, false).is_none())
        .collect();
    out.dedup();
    let mut text = out.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    ui.data(&text)?;
    Ok(())
}

/// What may stand where `cur` is, after `words`.
fn candidates(words: &[String], cur: &str, tracker: Option<&Tracker>) -> Vec<String> {
    let root = super::Cli::command();
    let mut cmd = &root;
    let mut positional = 0;
    let mut pending: Option<&Arg> = None;
    let mut after_dashes = false;
    for w in words {
        // The value of the flag before it.
        if pending.take().is_some() {
            continue;
        }
        if !after_dashes && w == "--" {
            after_dashes = true;
        } else if !after_dashes && w.starts_with("--") {
            let name = w.trim_start_matches("--");
            if !name.contains('=') {
                pending = cmd
                    .get_arguments()
                    .find(|a| a.get_long() == Some(name))
                    .filter(|a| takes_value(a));
            }
        } else if !after_dashes && w.starts_with('-') && w.len() == 2 {
            let short = w.chars().nth(1);
            pending = cmd
                .get_arguments()
                .find(|a| a.get_short() == short)
                .filter(|a| takes_value(a));
        } else if let Some(sub) = cmd.find_subcommand(w).filter(|_| positional == 0) {
            cmd = sub;
        } else {
            positional += 1;
        }
    }
    if let Some(arg) = pending {
        return values(arg, cur, tracker);
    }
    if cur.starts_with('-') && !(cmd.get_name() == "label" || cmd.get_name() == "set") {
        return flags(cmd);
    }
    if cmd.has_subcommands() && positional == 0 {
        let mut subs: Vec<String> = cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| s.get_name().to_owned())
            .collect();
        if cur.starts_with('-') {
            subs = flags(cmd);
        }
        return subs;
    }
    let positionals: Vec<&Arg> = cmd.get_positionals().collect();
    let arg = positionals.get(positional).or_else(|| {
        positionals
            .last()
            .filter(|a| a.get_num_args().is_some_and(|n| n.max_values() > 1))
    });
    match arg {
        Some(arg) => values(arg, cur, tracker),
        None if cur.starts_with('-') => flags(cmd),
        None => Vec::new(),
    }
}

fn takes_value(a: &Arg) -> bool {
    a.get_num_args().is_none_or(|n| n.takes_values())
        && !matches!(
            a.get_action(),
            clap::ArgAction::SetTrue | clap::ArgAction::SetFalse | clap::ArgAction::Count
        )
}

fn flags(cmd: &Command) -> Vec<String> {
    cmd.get_arguments()
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .chain(["--help".to_owned()])
        .collect()
}

/// The values an argument takes, by what it names.
fn values(arg: &Arg, cur: &str, tracker: Option<&Tracker>) -> Vec<String> {
    let possible = arg.get_possible_values();
    if !possible.is_empty() {
        return possible
            .iter()
            .filter(|p| !p.is_hide_set())
            .map(|p| p.get_name().to_owned())
            .collect();
    }
    let name = arg.get_value_names().and_then(|v| v.first()).map_or_else(
        || arg.get_id().to_string().to_uppercase(),
        |v| v.to_string(),
    );
    let id = arg.get_id().as_str();
    let Some(tracker) = tracker else {
        return Vec::new();
    };
    let get = |what| tracker.completions(what).unwrap_or_default();
    match (name.as_str(), id) {
        (_, "key" | "keys" | "other" | "issue") | ("KEY", _) => get(Completable::Key),
        ("LABEL", _) => get(Completable::Label),
        ("+LABEL|-LABEL", _) => {
            let sign = if cur.starts_with('-') { "-" } else { "+" };
            get(Completable::Label)
                .into_iter()
                .map(|l| format!("{sign}{l}"))
                .collect()
        }
        ("MILESTONE", _) => get(Completable::Milestone),
        ("WHO" | "ASSIGNEE", _) => get(Completable::Assignee),
        ("COMPONENT", _) => get(Completable::Component),
        ("STATUS", _) => get(Completable::Listed(Vocabulary::Status)),
        ("TYPE", _) | (_, "kind") => get(Completable::Listed(Vocabulary::Type)),
        ("PRIORITY", _) | (_, "priority") => get(Completable::Listed(Vocabulary::Priority)),
        ("SEVERITY", _) | (_, "severity") => get(Completable::Listed(Vocabulary::Severity)),
        ("CHANGE", _) => field_values(tracker, cur, '='),
        ("QUERY", _) => field_values(tracker, cur, ':'),
        ("NAME", "template") | ("TEMPLATE", _) => templates(tracker),
        _ => Vec::new(),
    }
}

fn templates(tracker: &Tracker) -> Vec<String> {
    tracker
        .templates()
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.name)
        .collect()
}

/// `status=` and `label:` words: the field names first, then, once the
/// separator is typed, the values of that field.
fn field_values(tracker: &Tracker, cur: &str, sep: char) -> Vec<String> {
    let Some((name, _)) = cur.split_once(sep) else {
        let names: Vec<String> = if sep == '=' {
            crate::tracker::settable_names()
                .into_iter()
                .map(|n| format!("{n}="))
                .collect()
        } else {
            ["is:open", "is:closed"]
                .into_iter()
                .map(str::to_owned)
                .chain(
                    fields::FIELDS
                        .iter()
                        .filter_map(|f| f.qualifier())
                        .map(|q| format!("{q}:")),
                )
                .collect()
        };
        return names;
    };
    let what = match name {
        "label" | "labels" => Completable::Label,
        "milestone" => Completable::Milestone,
        "assignee" => Completable::Assignee,
        "component" => Completable::Component,
        "status" => Completable::Listed(Vocabulary::Status),
        "type" => Completable::Listed(Vocabulary::Type),
        "priority" => Completable::Listed(Vocabulary::Priority),
        "severity" => Completable::Listed(Vocabulary::Severity),
        "category" => Completable::Listed(Vocabulary::Category),
        "key" | "duplicate_of" | "related" => Completable::Key,
        _ => return Vec::new(),
    };
    tracker
        .completions(what)
        .unwrap_or_default()
        .into_iter()
        .map(|v| format!("{name}{sep}{v}"))
        .collect()
}
