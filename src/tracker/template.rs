//! Issue templates: `templates/<name>.md` on the branch, a body with
//! optional front matter giving default fields.

use super::{Error, Problem, Result};
use crate::format::fields::{self, Set};
use crate::format::layout::{self, BranchPath};
use crate::format::{Issue, yaml};
use crate::store::Snapshot;

pub(super) fn apply_template(snap: &Snapshot<'_>, name: &str, issue: &mut Issue) -> Result<()> {
    let path = BranchPath::Template(name.to_owned()).path();
    let Some(text) = snap.read(&path)? else {
        let available: Vec<String> = snap
            .list(layout::TEMPLATES)?
            .into_iter()
            .filter_map(|e| e.name.strip_suffix(".md").map(str::to_owned))
            .collect();
        return Err(Error::NoTemplate {
            name: name.to_owned(),
            available,
        });
    };
    // A template is a body, optionally with front matter giving defaults.
    let doc = if text.starts_with("---") {
        yaml::parse_document(&text).map_err(|e| Error::BadFile(Problem::new(&path, e)))?
    } else {
        yaml::Document {
            fields: Vec::new(),
            body: yaml::normalize_body(&text),
        }
    };
    // Its fields are defaults for what `set` could change; the title only
    // when the command line gave none.
    for f in doc.fields {
        let Some(spec) = fields::field(&f.name).filter(|s| s.set != Set::No) else {
            continue;
        };
        if spec.name == "title" && !issue.title.is_empty() {
            continue;
        }
        if let Some(value) =
            Issue::read_value(spec, &f).map_err(|e| Error::BadFile(Problem::new(&path, e)))?
        {
            issue.put(spec, value);
        }
    }
    issue.body = doc.body;
    Ok(())
}

impl super::Tracker {
    /// The names of the templates on the branch, for a form to offer.
    pub fn template_names(&self) -> Result<Vec<String>> {
        let snap = self.snapshot()?;
        Ok(snap
            .list(layout::TEMPLATES)?
            .into_iter()
            .filter_map(|e| e.name.strip_suffix(".md").map(str::to_owned))
            .collect())
    }
}
