//! The pages over many issues: the board, milestones, labels, release
//! notes, the dashboard and search.

use std::fmt::Write as _;

use super::*;

fn card(r: &Row, live: Option<&Live>) -> String {
    let (attrs, form) = match live {
        Some(live) => (
            format!(
                " draggable=\"true\" data-key=\"{}\" data-status=\"{}\"",
                esc(&r.key),
                esc(&r.status)
            ),
            edit::move_form(r, live),
        ),
        None => (String::new(), String::new()),
    };
    format!(
        "<li class=\"card\"{attrs}><a href=\"issues/{0}.html\"><span class=\"key\">{0}</span> {1}</a><div class=\"meta\"><span class=\"priority p-{2}\">{3}</span> {4}</div>{form}</li>\n",
        esc(&r.key),
        esc(&r.title),
        token(&r.priority),
        esc(&r.priority),
        labels_html(&r.labels, "")
    )
}

pub fn board_page(v: &BoardPage) -> String {
    let mut m = String::from("<h1>Board</h1>\n");
    m.push_str(v.frame.live.as_ref().map_or("", |l| &l.addition));
    m.push_str("<div class=\"board\">\n");
    for c in &v.columns {
        let _ = writeln!(
            m,
            "<section class=\"column s-{}\" data-status=\"{}\">\n<h2>{} <span class=\"count\">{}</span></h2>\n<ul class=\"cards\">",
            token(&c.status),
            esc(&c.status),
            esc(&c.status.replace('_', " ")),
            c.cards.len() + c.more
        );
        let live = v.frame.live.as_ref().filter(|l| !l.read_only);
        for r in &c.cards {
            m.push_str(&card(r, live));
        }
        m.push_str("</ul>\n");
        if c.more > 0 {
            // The list's own filters (list.js) on the static site; the
            // served list's answer to the board's query when it has one.
            let narrowed = if v.query.is_empty() {
                String::new()
            } else {
                format!("query={}&amp;", query_value(&v.query))
            };
            let _ = writeln!(
                m,
                "<p class=\"more\"><a href=\"index.html?{narrowed}{}\">and {} more</a></p>",
                if c.status == "closed" {
                    "state=closed".to_owned()
                } else {
                    format!("status={}", esc(&query_value(&c.status)))
                },
                c.more
            );
        }
        m.push_str("</section>\n");
    }
    m.push_str("</div>\n");
    page(
        Page {
            frame: &v.frame,
            title: "Board".to_owned(),
            root: "",
            path: "board.html",
            nav: Nav::Board,
            scripts: if v.frame.live.as_ref().is_some_and(|l| !l.read_only) {
                &["board.js"]
            } else {
                &[]
            },
        },
        &m,
    )
}

pub(super) fn progress(open: usize, closed: usize) -> String {
    let total = open + closed;
    let pct = (closed * 100).checked_div(total).unwrap_or(0);
    format!(
        "<progress max=\"{}\" value=\"{closed}\">{pct}%</progress> <span class=\"counts\">{pct}% · {open} open · {closed} closed</span>",
        total.max(1)
    )
}

pub fn milestones_page(v: &MilestonesPage) -> String {
    let mut m = String::from("<h1>Milestones</h1>\n");
    if v.milestones.is_empty() {
        m.push_str("<p class=\"empty\">No issue has a milestone yet.</p>\n");
    }
    m.push_str("<ul class=\"milestones\">\n");
    for s in &v.milestones {
        let _ = write!(
            m,
            "<li><h2><a href=\"milestones/{}.html\">{}</a></h2>{}",
            esc(&s.slug),
            esc(&s.name),
            progress(s.open, s.closed)
        );
        if s.has_notes {
            let _ = write!(
                m,
                " <a class=\"notes-link\" href=\"release-notes/{}.html\">Release notes</a>",
                esc(&s.slug)
            );
        }
        m.push_str("</li>\n");
    }
    m.push_str("</ul>\n");
    page(
        Page {
            frame: &v.frame,
            title: "Milestones".to_owned(),
            root: "",
            path: "milestones.html",
            nav: Nav::Milestones,
            scripts: &[],
        },
        &m,
    )
}

pub fn labels_page(v: &LabelsPage) -> String {
    let mut m = String::from("<h1>Labels</h1>\n");
    if v.labels.is_empty() {
        m.push_str("<p class=\"empty\">No issue has a label yet.</p>\n");
    } else {
        m.push_str("<table class=\"labels\">\n<thead><tr><th>Label</th><th>Open</th><th>Closed</th></tr></thead>\n<tbody>\n");
        for l in &v.labels {
            let _ = writeln!(
                m,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                labels_html(std::slice::from_ref(&l.name), ""),
                l.open,
                l.closed
            );
        }
        m.push_str("</tbody>\n</table>\n");
    }
    page(
        Page {
            frame: &v.frame,
            title: "Labels".to_owned(),
            root: "",
            path: "labels.html",
            nav: Nav::Labels,
            scripts: &[],
        },
        &m,
    )
}

pub fn notes_page(v: &NotesPage) -> String {
    let mut m = format!(
        "<h1>Release notes: {}</h1>\n<p><a href=\"../milestones/{}.html\">Milestone {}</a></p>\n",
        esc(&v.milestone),
        esc(&v.milestone_slug),
        esc(&v.milestone)
    );
    let line = |m: &mut String, r: &Row| {
        let _ = writeln!(
            m,
            "<li>{} <a href=\"../issues/{1}.html\">{1}</a></li>",
            esc(&r.title),
            esc(&r.key)
        );
    };
    for s in &v.sections {
        let _ = writeln!(m, "<h2>{}</h2>\n<ul class=\"notes\">", esc(&s.heading));
        for r in &s.rows {
            line(&mut m, r);
        }
        m.push_str("</ul>\n");
    }
    if !v.open.is_empty() {
        m.push_str("<h2>Known limitations</h2>\n<ul class=\"notes\">\n");
        for r in &v.open {
            line(&mut m, r);
        }
        m.push_str("</ul>\n");
    }
    let path = format!("release-notes/{}.html", v.milestone_slug);
    page(
        Page {
            frame: &v.frame,
            title: format!("Release notes {}", v.milestone),
            root: "../",
            path: &path,
            nav: Nav::Milestones,
            scripts: &[],
        },
        &m,
    )
}

/// A duration in words: `3.5 days`, `5.0 hours`, `12 minutes`.
fn duration(secs: i64) -> String {
    let hours = secs as f64 / 3600.0;
    if secs < 60 {
        "under a minute".to_owned()
    } else if secs < 3600 {
        let m = secs / 60;
        format!("{m} minute{}", if m == 1 { "" } else { "s" })
    } else if hours < 48.0 {
        format!("{hours:.1} hours")
    } else {
        format!("{:.1} days", hours / 24.0)
    }
}

/// The support metrics of `git issue stats`, as tiles: each number in a
/// `data-value` too (seconds for a duration), so a reader can check it.
fn support_tiles(m: &mut String, s: &crate::tracker::stats::SupportMetrics) {
    m.push_str(
        "<section class=\"support\" id=\"support\">\n<h2>Support</h2>\n<div class=\"tiles\">\n",
    );
    let tile = |m: &mut String, id: &str, value: String, shown: String, what: String| {
        let _ = writeln!(
            m,
            "<div class=\"tile\" id=\"{id}\" data-value=\"{}\"><span class=\"big\">{}</span> {}</div>",
            esc(&value),
            esc(&shown),
            esc(&what)
        );
    };
    tile(
        m,
        "support-unassigned",
        s.unassigned.to_string(),
        s.unassigned.to_string(),
        "open and unassigned".to_owned(),
    );
    tile(
        m,
        "support-awaiting",
        s.awaiting_response.to_string(),
        s.awaiting_response.to_string(),
        "awaiting a first response".to_owned(),
    );
    tile(
        m,
        "support-first-response",
        s.median_first_response
            .map_or_else(String::new, |x| x.to_string()),
        s.median_first_response
            .map_or_else(|| "–".to_owned(), duration),
        format!(
            "median time to a first response, over {} answered issue{} opened in the last {} weeks",
            s.responded,
            if s.responded == 1 { "" } else { "s" },
            s.weeks.len()
        ),
    );
    tile(
        m,
        "support-resolved-per-week",
        format!("{:.2}", s.resolved_per_week),
        format!("{:.1}", s.resolved_per_week),
        format!("resolved per week, over {} weeks", s.weeks.len()),
    );
    m.push_str("</div>\n</section>\n");
}

pub fn dashboard_page(v: &DashboardPage) -> String {
    let mut m = String::from("<h1>Dashboard</h1>\n<div class=\"tiles\">\n");
    let _ = writeln!(
        m,
        "<div class=\"tile\"><span class=\"big\">{}</span> open</div>\n<div class=\"tile\"><span class=\"big\">{}</span> closed</div>",
        v.open, v.closed
    );
    let _ = writeln!(
        m,
        "<div class=\"tile\"><span class=\"big\">{}</span> median time to resolve{}</div>",
        v.median_resolve.map_or_else(|| "–".to_owned(), duration),
        if v.resolved_count > 0 {
            format!(" ({} resolved issues)", v.resolved_count)
        } else {
            String::new()
        }
    );
    m.push_str("</div>\n");
    if let Some(s) = &v.support {
        support_tiles(&mut m, s);
    }
    m.push_str("<div class=\"charts\">\n");
    let _ = writeln!(
        m,
        "<section class=\"chart\"><h2>Open issues by severity</h2>\n{}</section>",
        charts::bars("Open issues by severity", &v.by_severity)
    );
    let _ = writeln!(
        m,
        "<section class=\"chart\"><h2>Open issues by priority</h2>\n{}</section>",
        charts::bars("Open issues by priority", &v.by_priority)
    );
    let _ = writeln!(
        m,
        "<section class=\"chart wide\"><h2>Created and resolved per week</h2>\n{}</section>",
        charts::weeks(&v.weeks)
    );
    let _ = writeln!(
        m,
        "<section class=\"chart\"><h2>Components with the most open issues</h2>\n{}</section>",
        charts::bars("Components with the most open issues", &v.components)
    );
    m.push_str("</div>\n");
    if !v.recurring.is_empty() {
        m.push_str("<section class=\"recurring\">\n<h2>Most recurring errors</h2>\n<table class=\"issues\" id=\"recurring\">\n<thead><tr><th>Key</th><th>Title</th><th>Status</th><th>Occurrences</th><th>Last seen</th></tr></thead>\n<tbody>\n");
        for x in &v.recurring {
            let r = &x.row;
            let _ = writeln!(
                m,
                "<tr><td class=\"key\"><a href=\"issues/{0}.html\">{0}</a></td><td class=\"title\"><a href=\"issues/{0}.html\">{1}</a></td><td>{2}</td><td class=\"count\">{3}</td><td>{4}</td></tr>",
                esc(&r.key),
                esc(&r.title),
                status_badge(&r.status, r.closed),
                x.occurrences,
                x.last_seen.map(time).unwrap_or_default()
            );
        }
        m.push_str("</tbody>\n</table>\n</section>\n");
    }
    page(
        Page {
            frame: &v.frame,
            title: "Dashboard".to_owned(),
            root: "",
            path: "dashboard.html",
            nav: Nav::Dashboard,
            scripts: &[],
        },
        &m,
    )
}

pub fn search_page(v: &SearchPage) -> String {
    let m = "<h1>Search</h1>\n<form id=\"search\" class=\"search\" action=\"search.html\" method=\"get\" role=\"search\">\n<input type=\"search\" name=\"q\" id=\"q\" placeholder=\"Words from titles, descriptions and comments\" aria-label=\"Search\" autofocus>\n<button type=\"submit\">Search</button>\n</form>\n<p id=\"search-status\" aria-live=\"polite\"></p>\n<ol id=\"results\" class=\"results\"></ol>\n<noscript><p>Search needs JavaScript; the <a href=\"index.html\">issue list</a> works without it.</p></noscript>\n";
    page(
        Page {
            frame: &v.frame,
            title: "Search".to_owned(),
            root: "",
            path: "search.html",
            nav: Nav::Search,
            scripts: &["data.js", "search.js"],
        },
        m,
    )
}

/// The Known issues page: the open known issues, most "me too" first, each
/// with its workaround; `known.js` filters them by words, in the page.
pub fn known_page(v: &KnownPage) -> String {
    let mut m = String::from("<h1>Known issues</h1>\n");
    if v.issues.is_empty() {
        m.push_str("<p class=\"empty\">No known issues.</p>\n");
    } else {
        let _ = writeln!(
            m,
            "<p class=\"summary\">{} open known {}, most &ldquo;me too&rdquo; first.</p>",
            v.issues.len(),
            if v.issues.len() == 1 {
                "issue"
            } else {
                "issues"
            }
        );
        m.push_str("<form id=\"known-filter\" class=\"filters\" role=\"search\" hidden>\n<label>Filter <input type=\"search\" id=\"known-q\" name=\"q\" placeholder=\"Words from titles and workarounds\"></label>\n<output id=\"known-count\" aria-live=\"polite\"></output>\n</form>\n");
        m.push_str("<ol class=\"known\" id=\"known-list\">\n");
        for k in &v.issues {
            let r = &k.row;
            let _ = writeln!(
                m,
                "<li class=\"known-issue\" data-key=\"{0}\">\n<h2><a href=\"issues/{0}.html\"><span class=\"key\">{0}</span> {1}</a></h2>\n<p class=\"meta\"><span class=\"votes\"><strong>{2}</strong> me too</span> {3} {4}</p>",
                esc(&r.key),
                esc(&r.title),
                k.votes,
                status_badge(&r.status, r.closed),
                labels_html(&r.labels, "")
            );
            match &k.workaround {
                Some(w) => {
                    let _ = writeln!(
                        m,
                        "<section class=\"workaround markdown\" aria-label=\"Workaround\">\n<h3>Workaround</h3>\n{}</section>",
                        markdown(w)
                    );
                }
                None => m.push_str("<p class=\"empty workaround\">No workaround yet.</p>\n"),
            }
            m.push_str("</li>\n");
        }
        m.push_str("</ol>\n<p class=\"empty\" id=\"known-none\" hidden>No known issue has these words.</p>\n");
    }
    page(
        Page {
            frame: &v.frame,
            title: "Known issues".to_owned(),
            root: "",
            path: "known.html",
            nav: Nav::Known,
            scripts: &["known.js"],
        },
        &m,
    )
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn durations_read_in_the_unit_that_fits() {
        assert_eq!(duration(30), "under a minute");
        assert_eq!(duration(60), "1 minute");
        assert_eq!(duration(12 * 60 + 59), "12 minutes");
        assert_eq!(duration(3 * 3600), "3.0 hours");
        assert_eq!(duration(3 * 86_400), "3.0 days");
    }
}
