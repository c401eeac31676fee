//! Issue templates: `templates/<name>.md` on the branch, a body with
//! optional front matter giving default fields. `{name}` in a template's
//! title or body is a variable that `new --template NAME --var name=VALUE`
//! fills in ([`fill_variables`]); `{{` and `}}` are literal braces.

use std::collections::{BTreeMap, BTreeSet};

use super::{Error, Problem, Result};
use crate::format::fields::{self, Set};
use crate::format::layout::{self, BranchPath};
use crate::format::{Issue, yaml};
use crate::store::Snapshot;

/// Fills each `{name}` of `text` with its value in `vars` and records the
/// names it used; `{{` and `}}` stand for `{` and `}`, and a brace around
/// anything but a name (`{ }`, `{"a": 1}`) is text. `Err` is the first
/// name that has no value.
pub fn fill_variables(
    text: &str,
    vars: &BTreeMap<String, String>,
    used: &mut BTreeSet<String>,
) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('{')
            && let Some(end) = tail.find('}')
            && is_variable_name(&tail[1..end])
        {
            let name = &tail[1..end];
            let value = vars.get(name).ok_or_else(|| name.to_owned())?;
            used.insert(name.to_owned());
            out.push_str(value);
            rest = &tail[end + 1..];
            continue;
        }
        out.push_str(&tail[..1]);
        rest = &tail[1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn is_variable_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The variables a template uses, in order of first use.
fn variables_of(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            rest = after;
            continue;
        }
        match tail.find('}') {
            Some(end) if is_variable_name(&tail[1..end]) => {
                let n = tail[1..end].to_owned();
                if !names.contains(&n) {
                    names.push(n);
                }
                rest = &tail[end + 1..];
            }
            _ => rest = &tail[1..],
        }
    }
    names
}

pub(super) fn apply_template(
    snap: &Snapshot<'_>,
    name: &str,
    issue: &mut Issue,
    vars: &[(String, String)],
) -> Result<()> {
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
    // Variables are checked against the whole template before anything
    // is filled: none unknown, none missing.
    let mut values = BTreeMap::new();
    for (k, v) in vars {
        if values.insert(k.clone(), v.clone()).is_some() {
            return Err(Error::Refused(format!("--var {k} is given twice")));
        }
    }
    let uses = variables_of(&text);
    if let Some((unknown, _)) = vars.iter().find(|(k, _)| !uses.contains(k)) {
        return Err(Error::Refused(format!(
            "the template {name} has no variable {{{unknown}}}; {}",
            uses_text(&uses)
        )));
    }
    let mut used = BTreeSet::new();
    let fill = |text: &str, used: &mut BTreeSet<String>| {
        fill_variables(text, &values, used).map_err(|missing| {
            Error::Refused(format!(
                "the template {name} needs --var {missing}=VALUE; {}",
                uses_text(&uses)
            ))
        })
    };
    let mut doc = doc;
    doc.body = fill(&doc.body, &mut used)?;
    for f in &mut doc.fields {
        if let serde_json::Value::String(s) = &f.value {
            f.value = serde_json::Value::String(fill(s, &mut used)?);
        }
    }
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

fn uses_text(uses: &[String]) -> String {
    if uses.is_empty() {
        "it uses none".to_owned()
    } else {
        let names: Vec<String> = uses.iter().map(|u| format!("{{{u}}}")).collect();
        format!("it uses {}", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn variables_fill_and_braces_that_are_not_names_stay() {
        let mut used = BTreeSet::new();
        let out = fill_variables(
            "Drift in {table}: {{literal}} {\"json\": 1} { spaced } {table}",
            &vars(&[("table", "users")]),
            &mut used,
        );
        assert_eq!(
            out.unwrap(),
            "Drift in users: {literal} {\"json\": 1} { spaced } users"
        );
        assert_eq!(used.into_iter().collect::<Vec<_>>(), ["table"]);
        let missing = fill_variables("{a} {b}", &vars(&[("a", "1")]), &mut BTreeSet::new());
        assert_eq!(missing.unwrap_err(), "b");
        assert_eq!(variables_of("{a} {{b}} {c.d} {a}"), ["a", "c.d"]);
    }
}
