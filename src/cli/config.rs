use anyhow::Result;
use clap::Args;
use serde_json::json;

use super::JsonArg;
use crate::format::config::setting_text;
use crate::tracker::SettingChange;
use crate::ui::{Ui, one_line};

/// Read or change the tracker's settings (tracker.yml on the issues branch)
///
/// With a NAME, prints its value; with a NAME and a VALUE, sets it (one
/// commit, checked as `git issue doctor` checks the file; comments and the
/// rest of the file stay as written). Names are dotted:
/// release_notes.link, defaults.priority, hooks.strict. Lists take
/// "a, b, c".
///
///   git issue config release_notes.link 'https://example.org/issues/{n}'
///   git issue config statuses 'open, doing, done' closed_statuses done
///   git issue config --unset release_notes.tags
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// A setting, like release_notes.link
    #[arg(value_name = "NAME", required_unless_present = "list")]
    name: Option<String>,
    /// Its new value; more NAME VALUE pairs may follow, set in one commit
    #[arg(
        value_name = "VALUE",
        conflicts_with_all = ["unset", "list"],
        num_args = 1..,
        allow_hyphen_values = true
    )]
    value: Vec<String>,
    /// Print every setting and its value in effect
    #[arg(long, short = 'l', conflicts_with = "unset")]
    list: bool,
    /// Remove the setting from tracker.yml, so its default applies again
    #[arg(long)]
    unset: bool,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: ConfigArgs) -> Result<()> {
    let tracker = super::open()?;
    if args.list {
        let settings = tracker.settings()?;
        if args.json.json {
            let map: serde_json::Map<String, serde_json::Value> =
                settings.into_iter().map(|s| (s.name, s.value)).collect();
            return Ok(ui.json(&map)?);
        }
        let mut out = String::new();
        for s in settings {
            out.push_str(&format!(
                "{}={}\n",
                s.name,
                one_line(&setting_text(&s.value))
            ));
        }
        return Ok(ui.data(&out)?);
    }
    let Some(name) = args.name else {
        unreachable!("clap requires NAME without --list")
    };
    let change = match (args.value.is_empty(), args.unset) {
        (false, _) => {
            if args.value.len().is_multiple_of(2) {
                return Err(crate::tracker::Error::BadFlag {
                    flag: "value".to_owned(),
                    message: format!(
                        "{} has no value: give NAME VALUE pairs",
                        args.value.last().map_or("", String::as_str)
                    ),
                }
                .into());
            }
            let mut pairs = vec![(name.clone(), args.value[0].clone())];
            for pair in args.value[1..].chunks(2) {
                pairs.push((pair[0].clone(), pair[1].clone()));
            }
            tracker.set_settings(&pairs)?
        }
        (true, true) => tracker.unset_setting(&name)?,
        (true, false) => {
            let value = tracker.setting(&name)?;
            if args.json.json {
                return Ok(ui.json(&value)?);
            }
            // Lists one item a line, as `git config --get-all` does.
            let text = match &value {
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(setting_text)
                    .collect::<Vec<_>>()
                    .join("\n"),
                v => setting_text(v),
            };
            // An empty value is an empty line, as git config prints it.
            return Ok(ui.data(&format!("{}\n", one_line_each(&text)))?);
        }
    };
    report(ui, &name, &change);
    if args.json.json {
        ui.json(&json!({
            "name": name,
            "value": tracker.setting(&name)?,
            "commit": change.commit,
        }))?;
    }
    Ok(())
}

fn one_line_each(text: &str) -> String {
    text.lines()
        .map(|l| one_line(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

fn report(ui: &Ui, name: &str, change: &SettingChange) {
    match &change.commit {
        Some(_) => ui.status(&format!("tracker.yml: {name} changed")),
        None => ui.status(&format!(
            "tracker.yml: {name} already says so; nothing to change"
        )),
    }
    for d in &change.doubts {
        ui.warn(&d.to_string());
    }
}
