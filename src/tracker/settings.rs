//! Settings (`tracker.yml`) and templates (`templates/<name>.md`) changed
//! without a checkout of the branch: one commit per change, each checked as
//! `doctor` checks it before it is written, so a change never leaves the
//! branch in a state every other command would refuse.
//!
//! The text edits themselves are pure and live in `format::config`
//! (settings) and `format::yaml` (templates); this file decides and commits.

use std::cell::RefCell;

use super::{Error, Problem, Result, Tracker};
use crate::format::config::{self, Setting};
use crate::format::fields::{self, Set};
use crate::format::layout::{self, BranchPath};
use crate::format::{Config, Issue, ParseError, yaml};
use crate::store::{Change, Edit, Snapshot};

/// What a change of settings did.
#[derive(Debug, Clone)]
pub struct SettingChange {
    /// The commit, or `None` when the file already said so.
    pub commit: Option<String>,
    /// What `doctor` would still warn about in the new file.
    pub doubts: Vec<Problem>,
}

/// A template on the branch.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TemplateInfo {
    pub name: String,
    /// The `title:` of its front matter, if it gives one.
    pub title: Option<String>,
    pub path: String,
}

impl Tracker {
    /// Every setting and its value in effect.
    pub fn settings(&self) -> Result<Vec<Setting>> {
        Ok(self.config()?.settings())
    }

    /// The value in effect of one setting (or group), by its dotted name.
    pub fn setting(&self, name: &str) -> Result<serde_json::Value> {
        let config = self.config()?;
        config.setting(name).ok_or_else(|| {
            // The same sentence as for setting it.
            Error::Refused(
                config::setting_yaml(name, "")
                    .err()
                    .unwrap_or_else(|| format!("{name:?} is not a setting of tracker.yml")),
            )
        })
    }

    /// Sets one setting, keeping the rest of the file as it is written.
    /// Refused, with nothing written, when the result is a `tracker.yml`
    /// that `doctor` calls broken.
    pub fn set_setting(&self, name: &str, value: &str) -> Result<SettingChange> {
        self.set_settings(&[(name.to_owned(), value.to_owned())])
    }

    /// Sets several settings in one commit: settings that depend on each
    /// other (`statuses` and `closed_statuses`) change together, and the
    /// file is checked once they all have.
    pub fn set_settings(&self, pairs: &[(String, String)]) -> Result<SettingChange> {
        let mut edits = Vec::new();
        for (name, value) in pairs {
            let yaml_value = config::setting_yaml(name, value).map_err(Error::Refused)?;
            edits.push((
                name.split('.').map(str::to_owned).collect::<Vec<_>>(),
                yaml_value,
            ));
        }
        let message = pairs
            .iter()
            .map(|(n, v)| format!("{n} to {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        self.change_config(&format!("Set {message}"), |text| {
            let mut text = text.to_owned();
            for (path, value) in &edits {
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                text = config::set_in_text(&text, &path, value).map_err(Error::Refused)?;
            }
            Ok(Some(text))
        })
    }

    /// Removes one setting from the file, so its default applies again.
    pub fn unset_setting(&self, name: &str) -> Result<SettingChange> {
        config::setting_yaml(name, "").or_else(|e| {
            if e.contains("not a setting") {
                Err(Error::Refused(e))
            } else {
                Ok(String::new())
            }
        })?;
        let path: Vec<&str> = name.split('.').collect();
        self.change_config(&format!("Unset {name}"), |text| {
            Ok(config::unset_in_text(text, &path))
        })
    }

    fn change_config(
        &self,
        message: &str,
        edit: impl Fn(&str) -> Result<Option<String>>,
    ) -> Result<SettingChange> {
        let doubts = RefCell::new(Vec::new());
        let commit = self.commit(|snap: &Snapshot<'_>| {
            if !snap.exists() {
                return Err(Error::NotInitialized {
                    branch: self.store.branch_name().to_owned(),
                });
            }
            let text = snap.read(layout::CONFIG)?.unwrap_or_default();
            // A file already broken is reported as it is, not blamed on
            // this change.
            Config::parse(&text).map_err(|e| super::read::config_error(&text, e))?;
            let Some(new) = edit(&text)? else {
                return Ok(None);
            };
            if new == text {
                return Ok(None);
            }
            let parsed = Config::parse(&new).map_err(|e| {
                Error::Refused(format!(
                    "tracker.yml would not be valid: {}; settings that depend on each other change together: git issue config NAME VALUE NAME VALUE",
                    e.message
                ))
            })?;
            *doubts.borrow_mut() = parsed
                .doubts(&new)
                .into_iter()
                .map(|e| Problem::new(layout::CONFIG, e))
                .collect();
            Ok(Some(Change {
                message: message.to_owned(),
                edits: vec![Edit::Write {
                    path: layout::CONFIG.to_owned(),
                    content: new.into_bytes(),
                }],
            }))
        })?;
        Ok(SettingChange {
            commit,
            doubts: doubts.into_inner(),
        })
    }

    /// The templates on the branch, in name order.
    pub fn templates(&self) -> Result<Vec<TemplateInfo>> {
        let snap = self.snapshot()?;
        let mut out = Vec::new();
        for entry in snap.list(layout::TEMPLATES)? {
            let path = format!("{}/{}", layout::TEMPLATES, entry.name);
            let BranchPath::Template(name) = BranchPath::parse(&path) else {
                continue;
            };
            let title = snap
                .read(&path)?
                .and_then(|text| yaml::parse_document(&text).ok())
                .and_then(|doc| {
                    doc.fields
                        .into_iter()
                        .find(|f| f.name == "title")
                        .and_then(|f| f.value.as_str().map(str::to_owned))
                });
            out.push(TemplateInfo { name, title, path });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The text of a template; `NoTemplate` when there is none.
    pub fn template_text(&self, name: &str) -> Result<String> {
        check_template_name(name)?;
        let snap = self.snapshot()?;
        snap.read(&BranchPath::Template(name.to_owned()).path())?
            .ok_or_else(|| no_template(&snap, name))
    }

    /// Whether `text` reads as a template: a body, or front matter whose
    /// fields are ones `set` could change, with values `tracker.yml`
    /// allows. Positions are in the template.
    pub fn check_template(&self, text: &str) -> std::result::Result<(), ParseError> {
        if !text.starts_with("---") {
            return Ok(());
        }
        let doc = yaml::parse_document(text)?;
        let config = self.config().unwrap_or_default();
        let mut issue = Issue::new(
            String::new(),
            String::new(),
            config.default_type().to_owned(),
            config.initial_status().to_owned(),
            config.default_priority().to_owned(),
            jiff::Timestamp::UNIX_EPOCH,
        );
        for f in &doc.fields {
            let Some(spec) = fields::field(&f.name).filter(|s| s.set != Set::No) else {
                return Err(ParseError::new(
                    f.line,
                    1,
                    format!(
                        "a template cannot set {:?}; it can set {}",
                        f.name,
                        super::settable_names().join(", ")
                    ),
                ));
            };
            if let Some(value) = Issue::read_value(spec, f)? {
                issue.put(spec, value);
            }
            if let Some(vocab) = spec.vocabulary {
                for v in issue.get(spec).texts() {
                    config
                        .check(vocab, v)
                        .map_err(|m| ParseError::new(f.line, 1, m))?;
                }
            }
        }
        Ok(())
    }

    /// Writes a template: `create` refuses to replace one, otherwise it must
    /// exist already. One commit.
    pub fn save_template(&self, name: &str, text: &str, create: bool) -> Result<Option<String>> {
        check_template_name(name)?;
        self.check_template(text).map_err(|e| {
            Error::BadFile(Problem::new(
                &BranchPath::Template(name.to_owned()).path(),
                e,
            ))
        })?;
        let path = BranchPath::Template(name.to_owned()).path();
        let text = if text.ends_with('\n') || text.is_empty() {
            text.to_owned()
        } else {
            format!("{text}\n")
        };
        self.commit(|snap: &Snapshot<'_>| {
            if !snap.exists() {
                return Err(Error::NotInitialized {
                    branch: self.store.branch_name().to_owned(),
                });
            }
            let old = snap.read(&path)?;
            match (&old, create) {
                (Some(_), true) => {
                    return Err(Error::Refused(format!(
                        "there is a template {name:?} already; git issue templates edit {name} changes it"
                    )));
                }
                (None, false) => return Err(no_template(snap, name)),
                (Some(old), false) if *old == text => return Ok(None),
                _ => {}
            }
            Ok(Some(Change {
                message: format!(
                    "{} the template {name}",
                    if create { "Add" } else { "Change" }
                ),
                edits: vec![Edit::Write {
                    path: path.clone(),
                    content: text.clone().into_bytes(),
                }],
            }))
        })
    }

    /// Removes a template. One commit.
    pub fn remove_template(&self, name: &str) -> Result<Option<String>> {
        check_template_name(name)?;
        let path = BranchPath::Template(name.to_owned()).path();
        self.commit(|snap: &Snapshot<'_>| {
            if !snap.exists() {
                return Err(Error::NotInitialized {
                    branch: self.store.branch_name().to_owned(),
                });
            }
            if !snap.contains(&path) {
                return Err(no_template(snap, name));
            }
            Ok(Some(Change {
                message: format!("Remove the template {name}"),
                edits: vec![Edit::Remove { path: path.clone() }],
            }))
        })
    }
}

/// A template's name is one file name: letters, digits, `-`, `_`, `.`.
fn check_template_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::Refused(format!(
            "{name:?} cannot name a template: use letters, digits, -, _ and . (like bug-report)"
        )))
    }
}

fn no_template(snap: &Snapshot<'_>, name: &str) -> Error {
    let available = snap
        .list(layout::TEMPLATES)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| e.name.strip_suffix(".md").map(str::to_owned))
        .collect();
    Error::NoTemplate {
        name: name.to_owned(),
        available,
    }
}
