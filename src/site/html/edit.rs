//! The forms `git issue serve` adds to the site's pages: filing an issue,
//! changing fields, commenting, closing and reopening, moving a card. Plain
//! HTML forms that post without JavaScript; every one carries the server's
//! token (CSRF) and, for field changes, the values the page showed
//! (`seen.<field>`), so a change made from a stale page is refused rather
//! than overwriting a newer one. Nothing here is written by an export: its
//! frames have no [`Live`].

use std::fmt::Write as _;

use super::*;

/// The hidden fields every form sends.
fn hidden(live: &Live, back: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"token\" value=\"{}\"><input type=\"hidden\" name=\"back\" value=\"{}\">",
        esc(&live.token),
        esc(back)
    )
}

/// The navigation's addition: a button to file an issue.
pub(super) fn nav(live: &Live, root: &str) -> String {
    if live.read_only {
        return String::new();
    }
    format!("<a class=\"new-issue\" href=\"{root}new.html\">New issue</a>\n")
}

fn options(values: &[String], current: &str, none: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(label) = none {
        let _ = write!(
            out,
            "<option value=\"\"{}>{}</option>",
            if current.is_empty() { " selected" } else { "" },
            esc(label)
        );
    }
    let mut listed = false;
    for v in values {
        let sel = if v == current {
            listed = true;
            " selected"
        } else {
            ""
        };
        let _ = write!(out, "<option value=\"{0}\"{sel}>{0}</option>", esc(v));
    }
    // A value tracker.yml no longer lists stays choosable as it is.
    if !listed && !current.is_empty() {
        let _ = write!(
            out,
            "<option value=\"{0}\" selected>{0}</option>",
            esc(current)
        );
    }
    out
}

fn datalist(id: &str, values: &[String]) -> String {
    let mut out = format!("<datalist id=\"{id}\">");
    for v in values {
        let _ = write!(out, "<option value=\"{}\">", esc(v));
    }
    out.push_str("</datalist>");
    out
}

/// A labelled control of a form.
fn control(label: &str, input: &str) -> String {
    format!("<label class=\"control\"><span>{label}</span>{input}</label>\n")
}

fn select(name: &str, values: &[String], current: &str, none: Option<&str>) -> String {
    format!(
        "<select name=\"{name}\">{}</select>",
        options(values, current, none)
    )
}

fn text(name: &str, value: &str, list: Option<&str>) -> String {
    format!(
        "<input type=\"text\" name=\"{name}\" value=\"{}\"{}>",
        esc(value),
        list.map_or_else(String::new, |l| format!(" list=\"{l}\""))
    )
}

/// The sidebar form of an issue page: its fields, changed together in one
/// commit, then closing or reopening.
pub(super) fn issue_form(v: &IssuePage, live: &Live) -> String {
    let r = &v.row;
    let c = &live.choices;
    let key = esc(&r.key);
    let back = format!("/issues/{}.html", r.key);
    let labels = r.labels.join(", ");
    let fields: [(&str, String); 8] = [
        ("Status", select("status", &c.statuses, &r.status, None)),
        ("Type", select("type", &c.types, &r.kind, None)),
        (
            "Priority",
            select("priority", &c.priorities, &r.priority, None),
        ),
        (
            "Severity",
            select(
                "severity",
                &c.severities,
                r.severity.as_deref().unwrap_or_default(),
                Some("none"),
            ),
        ),
        ("Labels", text("labels", &labels, None)),
        (
            "Milestone",
            text(
                "milestone",
                r.milestone.as_deref().unwrap_or_default(),
                Some("milestones-list"),
            ),
        ),
        (
            "Assignee",
            text(
                "assignee",
                r.assignee.as_deref().unwrap_or_default(),
                Some("assignees-list"),
            ),
        ),
        (
            "Component",
            text(
                "component",
                r.component.as_deref().unwrap_or_default(),
                Some("components-list"),
            ),
        ),
    ];
    let seen = [
        ("status", r.status.clone()),
        ("type", r.kind.clone()),
        ("priority", r.priority.clone()),
        ("severity", r.severity.clone().unwrap_or_default()),
        ("labels", labels.clone()),
        ("milestone", r.milestone.clone().unwrap_or_default()),
        ("assignee", r.assignee.clone().unwrap_or_default()),
        ("component", r.component.clone().unwrap_or_default()),
    ];
    let mut out = format!(
        "<form class=\"edit\" method=\"post\" action=\"/issues/{key}/set\" aria-label=\"Edit {key}\">\n<h2>Edit</h2>\n{}",
        hidden(live, &back)
    );
    for (name, was) in &seen {
        let _ = write!(
            out,
            "<input type=\"hidden\" name=\"seen.{name}\" value=\"{}\">",
            esc(was)
        );
    }
    out.push('\n');
    for (label, input) in &fields {
        out.push_str(&control(label, input));
    }
    out.push_str(&datalist("milestones-list", &c.milestones));
    out.push_str(&datalist("assignees-list", &c.assignees));
    out.push_str(&datalist("components-list", &c.components));
    out.push_str("\n<button type=\"submit\" class=\"primary\">Save changes</button>\n</form>\n");
    if r.closed {
        let _ = writeln!(
            out,
            "<form class=\"state\" method=\"post\" action=\"/issues/{key}/reopen\">{}<button type=\"submit\">Reopen</button></form>",
            hidden(live, &back)
        );
    } else {
        let _ = writeln!(
            out,
            "<form class=\"state\" method=\"post\" action=\"/issues/{key}/close\">{}<label class=\"control\"><span>Close as</span>{}</label><button type=\"submit\">Close issue</button></form>",
            hidden(live, &back),
            select(
                "reason",
                &c.closed_statuses,
                if c.closed_statuses.iter().any(|s| s == "closed") {
                    "closed"
                } else {
                    c.closed_statuses.first().map_or("", String::as_str)
                },
                None
            )
        );
    }
    out
}

/// The comment form under an issue's comments.
pub(super) fn comment_form(r: &Row, live: &Live) -> String {
    let key = esc(&r.key);
    format!(
        "<form class=\"comment-form\" method=\"post\" action=\"/issues/{key}/comment\" aria-label=\"Comment on {key}\">\n<h2>Add a comment</h2>\n{}\n<textarea name=\"body\" rows=\"5\" required placeholder=\"Markdown is welcome\"></textarea>\n<div class=\"row\"><label class=\"check\"><input type=\"checkbox\" name=\"internal\" value=\"true\"> Internal (left out of the published site)</label><button type=\"submit\" class=\"primary\">Comment</button></div>\n</form>\n",
        hidden(live, &format!("/issues/{}.html", r.key))
    )
}

/// A card's move menu on the board: what dragging does, for a keyboard
/// or without JavaScript.
pub(super) fn move_form(r: &Row, live: &Live) -> String {
    let key = esc(&r.key);
    let mut choices: Vec<String> = live
        .choices
        .statuses
        .iter()
        .filter(|s| !live.choices.closed_statuses.contains(s))
        .cloned()
        .collect();
    if !r.closed {
        choices.retain(|s| *s != r.status);
    }
    let mut opts = String::from("<option value=\"\" selected disabled>Move to…</option>");
    for s in &choices {
        let _ = write!(opts, "<option value=\"{0}\">{0}</option>", esc(s));
    }
    for s in &live.choices.closed_statuses {
        if *s != r.status {
            let _ = write!(opts, "<option value=\"{0}\">{0}</option>", esc(s));
        }
    }
    format!(
        "<form class=\"move\" method=\"post\" action=\"/issues/{key}/set\">{}<input type=\"hidden\" name=\"seen.status\" value=\"{}\"><label><span class=\"visually-hidden\">Move {key} to</span><select name=\"status\" aria-label=\"Move {key} to\">{opts}</select></label><button type=\"submit\">Move</button></form>",
        hidden(live, "/board.html"),
        esc(&r.status)
    )
}

/// The form to file an issue.
pub fn new_issue_page(v: &NewIssuePage) -> String {
    let mut m = String::from("<h1>New issue</h1>\n");
    let Some(live) = v.frame.live.as_ref().filter(|l| !l.read_only) else {
        m.push_str("<p class=\"empty\">This server is read-only.</p>\n");
        return new_page(v, &m);
    };
    let c = &live.choices;
    let _ = writeln!(
        m,
        "<form class=\"new-issue-form\" id=\"new-issue\" method=\"post\" action=\"/new\">\n{}",
        hidden(live, "")
    );
    let _ = writeln!(
        m,
        "<label class=\"control wide\"><span>Title</span><input type=\"text\" name=\"title\" value=\"{}\" required autofocus placeholder=\"What is wrong, or what is wanted?\"></label>",
        esc(&v.title)
    );
    m.push_str("<div class=\"grid\">\n");
    let or_default = |v: &str, d: Option<&String>| {
        if v.is_empty() {
            d.cloned().unwrap_or_default()
        } else {
            v.to_owned()
        }
    };
    m.push_str(&control(
        "Type",
        &select(
            "type",
            &c.types,
            &or_default(&v.kind, c.types.first()),
            None,
        ),
    ));
    m.push_str(&control(
        "Priority",
        &select(
            "priority",
            &c.priorities,
            &or_default(&v.priority, c.priorities.get(c.priorities.len() / 2)),
            None,
        ),
    ));
    m.push_str(&control(
        "Severity",
        &select("severity", &c.severities, &v.severity, Some("none")),
    ));
    m.push_str(&control(
        "Labels",
        &format!(
            "<input type=\"text\" name=\"labels\" value=\"{}\" placeholder=\"ui, auth\" list=\"labels-list\">",
            esc(&v.labels)
        ),
    ));
    m.push_str(&control(
        "Milestone",
        &text("milestone", &v.milestone, Some("milestones-list")),
    ));
    m.push_str(&control(
        "Assignee",
        &text("assignee", &v.assignee, Some("assignees-list")),
    ));
    m.push_str(&control(
        "Component",
        &text("component", &v.component, Some("components-list")),
    ));
    if !c.templates.is_empty() {
        m.push_str(&control(
            "Template",
            &select("template", &c.templates, &v.template, Some("none")),
        ));
    }
    m.push_str("</div>\n");
    m.push_str(&datalist("labels-list", &c.labels));
    m.push_str(&datalist("milestones-list", &c.milestones));
    m.push_str(&datalist("assignees-list", &c.assignees));
    m.push_str(&datalist("components-list", &c.components));
    let _ = writeln!(
        m,
        "\n<div class=\"editor\"><div class=\"tabs\"><span class=\"tab\">Description</span><button type=\"button\" id=\"preview-button\" hidden>Preview</button></div>\n<textarea name=\"body\" id=\"body\" rows=\"12\" placeholder=\"Steps to reproduce, what you expected, what happened. Markdown is welcome.\">{}</textarea>\n<section id=\"preview\" class=\"markdown preview\" hidden aria-live=\"polite\"></section></div>",
        esc(&v.body)
    );
    m.push_str("<div class=\"row\"><a href=\"index.html\">Cancel</a><button type=\"submit\" class=\"primary\">File issue</button></div>\n</form>\n");
    new_page(v, &m)
}

fn new_page(v: &NewIssuePage, main: &str) -> String {
    page(
        Page {
            frame: &v.frame,
            title: "New issue".to_owned(),
            root: "",
            path: "new.html",
            nav: Nav::None,
            scripts: &["new.js"],
        },
        main,
    )
}
