//! `tracker.yml` as `git issue config` reads and writes it: settings by
//! dotted name, changed in place so the file keeps its comments.

use super::*;

/// A setting of `tracker.yml` by its dotted name (`release_notes.link`), as
/// `git issue config` reads and writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub name: String,
    pub value: serde_json::Value,
}

impl Config {
    /// Every setting, with its value in effect (the default where the file
    /// says nothing), in the order of the file `init` writes.
    pub fn settings(&self) -> Vec<Setting> {
        let mut out = Vec::new();
        if let Ok(value) = serde_json::to_value(self) {
            flatten("", &value, &mut out);
        }
        out
    }

    /// The value in effect of one setting, or of a group (`release_notes`).
    pub fn setting(&self, name: &str) -> Option<serde_json::Value> {
        let mut value = serde_json::to_value(self).ok()?;
        for part in name.split('.') {
            value = value.get(part)?.clone();
        }
        Some(value)
    }
}

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<Setting>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&name, v, out);
            }
        }
        v => out.push(Setting {
            name: prefix.to_owned(),
            value: v.clone(),
        }),
    }
}

/// A setting's value as one line of text: lists as `a, b, c`, an unset
/// optional value as nothing.
pub fn setting_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(setting_text)
            .collect::<Vec<_>>()
            .join(", "),
        v => v.to_string(),
    }
}

/// How `git issue config NAME VALUE` reads VALUE for a setting: by the kind
/// of the setting's default. `Err` says what is wrong, in a sentence.
pub fn setting_yaml(name: &str, value: &str) -> Result<String, String> {
    let Some(default) = Config::default()
        .setting(name)
        .or_else(|| table_entry(name))
    else {
        let names: Vec<String> = Config::default()
            .settings()
            .into_iter()
            .map(|s| s.name)
            .collect();
        return Err(format!(
            "{name:?} is not a setting of tracker.yml; there are: {}",
            names.join(", ")
        ));
    };
    Ok(match default {
        serde_json::Value::Object(m) if m.is_empty() => {
            return Err(format!(
                "{name:?} is a table of names to values; set one entry, like {name}.NAME"
            ));
        }
        serde_json::Value::Object(_) => {
            return Err(format!(
                "{name:?} is a group of settings; set one of them, like {name}.{}",
                default
                    .as_object()
                    .and_then(|m| m.keys().next().cloned())
                    .unwrap_or_default()
            ));
        }
        serde_json::Value::Array(_) => {
            // `a, b, c` or YAML's own `[a, b, c]`.
            let inner = value.trim();
            let inner = inner
                .strip_prefix('[')
                .and_then(|v| v.strip_suffix(']'))
                .unwrap_or(inner);
            let items: Vec<String> = inner
                .split(',')
                .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\''))
                .filter(|v| !v.is_empty())
                .map(crate::format::yaml::quote)
                .collect();
            format!("[{}]", items.join(", "))
        }
        serde_json::Value::Bool(_) => match value.trim() {
            "true" | "yes" | "on" | "1" => "true".to_owned(),
            "false" | "no" | "off" | "0" => "false".to_owned(),
            v => return Err(format!("{name} is true or false, not {v:?}")),
        },
        serde_json::Value::Number(_) => match value.trim().parse::<u64>() {
            Ok(n) => n.to_string(),
            Err(_) => return Err(format!("{name} is a number, not {value:?}")),
        },
        _ => crate::format::yaml::quote(value),
    })
}

/// An entry of a table whose names are the user's (`bridge.people.LOGIN`,
/// `bridge.jira.statuses.NAME`): a table is empty by default, where a group
/// of settings never is. Its value is text.
fn table_entry(name: &str) -> Option<serde_json::Value> {
    let (table, entry) = name.rsplit_once('.')?;
    let is_table = Config::default()
        .setting(table)
        .is_some_and(|t| t.as_object().is_some_and(serde_json::Map::is_empty));
    (is_table && !entry.trim().is_empty()).then(|| serde_json::Value::String(String::new()))
}

/// `text` (a `tracker.yml`) with the setting at `path` (`["release_notes",
/// "link"]`) given `value` (YAML), in place: every other line, comments
/// included, stays as it was. A missing setting is added at the end of its
/// group (the group at the end of the file).
pub fn set_in_text(text: &str, path: &[&str], value: &str) -> Result<String, String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut parent_end = lines.len();
    let mut indent = 0;
    let mut found: Option<(usize, usize)> = None;
    let mut start = 0;
    for (depth, part) in path.iter().enumerate() {
        match find_entry(&lines[start..parent_end], part, indent) {
            Some((at, end)) => {
                let (at, end) = (start + at, start + end);
                if depth + 1 == path.len() {
                    found = Some((at, end));
                } else {
                    if !entry_value(&lines[at]).is_empty() {
                        return Err(format!(
                            "{} is written on one line in tracker.yml; change it there by hand",
                            path[..=depth].join(".")
                        ));
                    }
                    start = at + 1;
                    parent_end = end;
                    indent = child_indent(&lines[start..parent_end]).unwrap_or(indent + 2);
                }
            }
            None => {
                // Add what is missing from here down, at the end of the group.
                let at = trim_blank_end(&lines[..parent_end], start);
                for (insert, (d, p)) in (at..).zip(path.iter().enumerate().skip(depth)) {
                    let pad = " ".repeat(indent + 2 * (d - depth));
                    let line = if d + 1 == path.len() {
                        format!("{pad}{p}: {value}")
                    } else {
                        format!("{pad}{p}:")
                    };
                    lines.insert(insert, line);
                }
                return Ok(join(&lines));
            }
        }
    }
    let (at, end) = found.ok_or_else(|| "an empty setting name".to_owned())?;
    let pad = " ".repeat(indent);
    lines.splice(at..end, [format!("{pad}{}: {value}", path[path.len() - 1])]);
    Ok(join(&lines))
}

/// `text` without the setting at `path`; `None` when it has none. A group
/// left empty goes too.
pub fn unset_in_text(text: &str, path: &[&str]) -> Option<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut ranges = Vec::new();
    let (mut start, mut end, mut indent) = (0, lines.len(), 0);
    for part in path {
        let (at, stop) = find_entry(&lines[start..end], part, indent)?;
        ranges.push((start + at, start + stop));
        start += at + 1;
        end = ranges.last()?.1;
        indent = child_indent(&lines[start..end]).unwrap_or(indent + 2);
    }
    let (at, stop) = ranges.pop()?;
    lines.drain(at..stop);
    // Groups left with nothing but blank lines and comments go as well;
    // each ends as many lines earlier as were taken out inside it.
    let mut removed = stop - at;
    while let Some((gat, gend)) = ranges.pop() {
        let gend = gend - removed;
        let empty = lines[gat + 1..gend]
            .iter()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        if !empty {
            break;
        }
        lines.drain(gat..gend);
        removed += gend - gat;
    }
    Some(join(&lines))
}

/// The entry `name:` at `indent` among `lines`: its first line and the
/// line after its last (its block: the lines indented deeper).
fn find_entry(lines: &[String], name: &str, indent: usize) -> Option<(usize, usize)> {
    let at = lines.iter().position(|l| {
        indent_of(l) == indent
            && l.trim_start()
                .strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })?;
    let mut end = at + 1;
    while end < lines.len() {
        let l = &lines[end];
        let blank = l.trim().is_empty();
        if !blank && indent_of(l) <= indent {
            break;
        }
        end += 1;
    }
    // Blank lines and comments before the next entry are not part of this one.
    while end > at + 1 && {
        let t = lines[end - 1].trim();
        t.is_empty() || t.starts_with('#')
    } {
        end -= 1;
    }
    Some((at, end))
}

fn entry_value(line: &str) -> &str {
    line.split_once(':').map_or("", |(_, v)| {
        let v = v.trim();
        if v.starts_with('#') { "" } else { v }
    })
}

fn child_indent(lines: &[String]) -> Option<usize> {
    lines
        .iter()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| indent_of(l))
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn trim_blank_end(lines: &[String], start: usize) -> usize {
    let mut end = lines.len();
    while end > start && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    end
}

fn join(lines: &[String]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// Validation runs on the parsed value, which has no positions; the line of
/// the top-level setting is what a user needs to find it.
pub(super) fn find_line(text: &str, name: &str) -> usize {
    let prefix = format!("{name}:");
    text.lines()
        .position(|l| l.starts_with(&prefix))
        .map_or(1, |i| i + 1)
}
