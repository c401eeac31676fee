//! HTML of every page, from the views. Hand-written builders around one
//! escaping function rather than a template engine: every value a user
//! typed reaches the page through [`esc`] (text and attribute values alike)
//! or through [`markdown`] (both in [`super::escape`]), and nothing else
//! writes user data.
//!
//! No inline script or style anywhere: the Content-Security-Policy forbids
//! them, so charts and progress bars use attributes and classes.

use std::fmt::Write as _;

use super::charts;
pub use super::escape::{esc, esc_into, markdown};
use super::views::*;

/// What every page allows itself: its own scripts, styles and images, and
/// nothing from anywhere else.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'";

/// Which link of the navigation is the current page.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nav {
    Issues,
    Board,
    Milestones,
    Labels,
    Dashboard,
    Known,
    Search,
    None,
}

struct Page<'a> {
    frame: &'a Frame,
    title: String,
    /// `""` at the top of the site, `"../"` one folder down.
    root: &'static str,
    /// The page's own path, for its canonical link.
    path: &'a str,
    nav: Nav,
    scripts: &'a [&'a str],
}

fn page(p: Page<'_>, main: &str) -> String {
    let mut out = String::with_capacity(main.len() + 2048);
    let r = p.root;
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
    );
    // A live page sends its origin with its forms (the server checks it);
    // with no-referrer, browsers would send `Origin: null`.
    let _ = writeln!(
        out,
        "<meta name=\"referrer\" content=\"{}\">",
        if p.frame.live.is_some() {
            "same-origin"
        } else {
            "no-referrer"
        }
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>{} · {}</title>",
        esc(&p.title),
        esc(&p.frame.project)
    );
    let _ = writeln!(out, "<link rel=\"stylesheet\" href=\"{r}style.css\">");
    let _ = writeln!(
        out,
        "<link rel=\"icon\" href=\"{r}favicon.svg\" type=\"image/svg+xml\">"
    );
    if let Some(base) = &p.frame.base_url {
        let _ = writeln!(
            out,
            "<link rel=\"canonical\" href=\"{}/{}\">",
            esc(base),
            esc(p.path)
        );
    }
    out.push_str("</head>\n<body>\n<header class=\"top\">\n<nav>\n");
    let _ = writeln!(
        out,
        "<a class=\"brand\" href=\"{r}index.html\">{}</a>",
        esc(&p.frame.project)
    );
    for (nav, href, label) in [
        (Nav::Issues, "index.html", "Issues"),
        (Nav::Board, "board.html", "Board"),
        (Nav::Milestones, "milestones.html", "Milestones"),
        (Nav::Labels, "labels.html", "Labels"),
        (Nav::Dashboard, "dashboard.html", "Dashboard"),
        (Nav::Known, "known.html", "Known issues"),
        (Nav::Search, "search.html", "Search"),
    ] {
        let current = if nav == p.nav {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = writeln!(out, "<a href=\"{r}{href}\"{current}>{label}</a>");
    }
    if let Some(live) = &p.frame.live {
        out.push_str(&edit::nav(live, r));
    }
    let _ = writeln!(
        out,
        "<form class=\"quick-search\" action=\"{r}search.html\" method=\"get\" role=\"search\"><input type=\"search\" name=\"q\" placeholder=\"Search issues\" aria-label=\"Search issues\"></form>"
    );
    out.push_str("</nav>\n</header>\n<main>\n");
    if let Some(notice) = p.frame.live.as_ref().and_then(|l| l.notice.as_ref()) {
        let _ = writeln!(
            out,
            "<p class=\"notice\" role=\"alert\">{}</p>",
            esc(notice)
        );
    }
    out.push_str(main);
    out.push_str("</main>\n");
    for s in p.scripts {
        let _ = writeln!(out, "<script src=\"{r}{s}\"></script>");
    }
    if p.frame.live.is_some() {
        let _ = writeln!(out, "<script src=\"{r}live.js\"></script>");
    }
    out.push_str("</body>\n</html>\n");
    out
}

pub fn date(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn time(t: i64) -> String {
    let Ok(ts) = jiff::Timestamp::from_second(t) else {
        return String::new();
    };
    format!(
        "<time datetime=\"{}\">{}</time>",
        ts,
        ts.strftime("%Y-%m-%d %H:%M UTC")
    )
}

/// A class name for a value from `tracker.yml`: letters, digits and dashes
/// only, so a status can never break out of the attribute or name another
/// class than `s-…`.
fn token(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn status_badge(status: &str, closed: bool) -> String {
    format!(
        "<span class=\"status s-{} {}\">{}</span>",
        token(status),
        if closed { "closed" } else { "open" },
        esc(status)
    )
}

fn labels_html(labels: &[String], root: &str) -> String {
    let mut out = String::new();
    for l in labels {
        let _ = write!(
            out,
            "<a class=\"label\" href=\"{root}labels/{}.html\">{}</a> ",
            slug(l),
            esc(l)
        );
    }
    out.trim_end().to_owned()
}

/// Percent-encodes a value for a query string.
pub(crate) fn query_value(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A person as the site shows them: the name of `Name <email>`, so that a
/// published site does not hand out everyone's address.
fn person(s: &str) -> String {
    match s.split_once('<') {
        Some((name, _)) if !name.trim().is_empty() => esc(name.trim()),
        _ => esc(s),
    }
}

fn opt(v: &Option<String>) -> String {
    v.as_deref().map_or_else(String::new, esc)
}

/// The issue table of the listings. The list script fills the same table
/// with the same markup (`list.js`'s `row`) when a filter is set.
fn issue_table(rows: &[Row], root: &str, id: &str) -> String {
    let mut out = String::with_capacity(rows.len() * 500 + 512);
    let _ = writeln!(out, "<table class=\"issues\" id=\"{id}\">");
    out.push_str("<thead><tr>");
    for (field, label) in [
        (Some("number"), "Key"),
        (Some("title"), "Title"),
        (None, "Status"),
        (None, "Type"),
        (Some("priority"), "Priority"),
        (None, "Labels"),
        (None, "Milestone"),
        (None, "Assignee"),
        (Some("updated"), "Updated"),
    ] {
        match field {
            Some(f) => {
                let _ = write!(out, "<th data-sort=\"{f}\">{label}</th>");
            }
            None => {
                let _ = write!(out, "<th>{label}</th>");
            }
        }
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        let _ = writeln!(
            out,
            "<tr data-number=\"{}\"><td class=\"key\"><a href=\"{root}issues/{}.html\">{}</a></td>\
<td class=\"title\"><a href=\"{root}issues/{}.html\">{}</a></td>\
<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.number,
            esc(&r.key),
            esc(&r.key),
            esc(&r.key),
            esc(&r.title),
            status_badge(&r.status, r.closed),
            esc(&r.kind),
            esc(&r.priority),
            labels_html(&r.labels, root),
            r.milestone.as_deref().map_or_else(String::new, |m| format!(
                "<a href=\"{root}milestones/{}.html\">{}</a>",
                slug(m),
                esc(m)
            )),
            opt(&r.assignee),
            time(r.updated),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

fn empty_select(name: &str, label: &str) -> String {
    format!(
        "<label>{label} <select name=\"{name}\" data-filter=\"{name}\"><option value=\"\">any</option></select></label>\n"
    )
}

/// One page of a listing: the whole list, a label's or a milestone's issues.
pub fn listing_page(v: &ListingPage) -> String {
    let mut main = String::new();
    let name = v.name.as_deref().unwrap_or_default();
    let (title, nav) = match v.kind {
        ListingKind::All => ("Issues".to_owned(), Nav::Issues),
        ListingKind::Label => (format!("Label {name}"), Nav::Labels),
        ListingKind::Milestone => (format!("Milestone {name}"), Nav::Milestones),
    };
    let _ = writeln!(main, "<h1>{}</h1>", esc(&title));
    if let Some(s) = &v.milestone {
        let _ = write!(main, "<p>{}", overview::progress(s.open, s.closed));
        if s.has_notes {
            let _ = write!(
                main,
                " <a class=\"notes-link\" href=\"../release-notes/{}.html\">Release notes</a>",
                esc(&s.slug)
            );
        }
        main.push_str("</p>\n");
    } else if let Some(t) = &v.totals {
        let _ = writeln!(
            main,
            "<p class=\"summary\">{} open, {} closed.</p>",
            t.open, t.closed
        );
    }
    if let Some(t) = v.totals.as_ref().filter(|t| t.problems > 0) {
        let _ = writeln!(
            main,
            "<p class=\"warning\">{} issue files did not parse and are not shown; <code>git issue doctor</code> lists them.</p>",
            t.problems
        );
    }
    if v.narrowed {
        main.push_str(v.frame.live.as_ref().map_or("", |l| &l.addition));
    }
    let scripts: &[&str] = if v.narrowed {
        &[]
    } else if v.kind == ListingKind::All {
        // Without JavaScript the form stays hidden and the pages link each
        // other; with it, the form filters and sorts every issue.
        main.push_str("<form id=\"filters\" class=\"filters\" hidden>\n");
        main.push_str("<label>Text <input type=\"search\" name=\"q\" data-filter=\"q\" placeholder=\"Filter by words\"></label>\n");
        main.push_str("<label>State <select name=\"state\" data-filter=\"state\"><option value=\"\">any</option><option value=\"open\">open</option><option value=\"closed\">closed</option></select></label>\n");
        for (field, label) in [
            ("status", "Status"),
            ("label", "Label"),
            ("milestone", "Milestone"),
            ("assignee", "Assignee"),
            ("type", "Type"),
            ("priority", "Priority"),
        ] {
            main.push_str(&empty_select(field, label));
        }
        main.push_str("<output id=\"count\" aria-live=\"polite\"></output>\n</form>\n");
        &["data.js", "list.js"]
    } else {
        let field = if v.kind == ListingKind::Label {
            "label"
        } else {
            "milestone"
        };
        let _ = writeln!(
            main,
            "<p class=\"filter-link\"><a href=\"{}index.html?{field}={}\">Filter and sort these issues</a></p>",
            v.root,
            esc(&query_value(name))
        );
        &[]
    };
    main.push_str(&issue_table(&v.rows, v.root, "issue-list"));
    if v.rows.is_empty() {
        main.push_str("<p class=\"empty\">No issues yet.</p>\n");
    }
    if v.newer.is_some() || v.older.is_some() {
        main.push_str("<nav class=\"pager\" aria-label=\"Pages\">");
        if let Some(h) = &v.newer {
            let _ = write!(main, "<a rel=\"prev\" href=\"{}\">← Newer</a>", esc(h));
        }
        if let Some(h) = &v.older {
            let _ = write!(main, "<a rel=\"next\" href=\"{}\">Older →</a>", esc(h));
        }
        main.push_str("</nav>\n");
    }
    page(
        Page {
            frame: &v.frame,
            title,
            root: v.root,
            path: &v.path,
            nav,
            scripts,
        },
        &main,
    )
}

fn field(out: &mut String, name: &str, value: &str) {
    if !value.is_empty() {
        let _ = writeln!(out, "<dt>{name}</dt><dd>{value}</dd>");
    }
}

fn issue_link(l: &IssueLink) -> String {
    match (&l.href, &l.title) {
        (Some(href), Some(title)) => format!(
            "<a href=\"{}\"{}>{}</a> {}",
            esc(href),
            if l.closed { " class=\"closed\"" } else { "" },
            esc(&l.key),
            esc(title)
        ),
        _ => esc(&l.key),
    }
}

/// A pull request: a link when it is a web address, text otherwise.
fn pr(s: &str) -> String {
    let lower = s.trim().to_ascii_lowercase();
    if (lower.starts_with("https://") || lower.starts_with("http://"))
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        format!(
            "<a href=\"{0}\" rel=\"noopener noreferrer nofollow\">{0}</a>",
            esc(s.trim())
        )
    } else {
        esc(s)
    }
}

pub fn issue_page(v: &IssuePage) -> String {
    let r = &v.row;
    let mut m = String::with_capacity(4096 + v.body.len() * 2);
    let _ = writeln!(
        m,
        "<article class=\"issue\">\n<header class=\"issue-head\">\n<h1><span class=\"key\">{}</span> {}</h1>\n<p>{}{}</p>\n</header>",
        esc(&r.key),
        esc(&r.title),
        status_badge(&r.status, r.closed),
        if v.confidential {
            " <span class=\"badge confidential\">confidential</span>"
        } else {
            ""
        }
    );
    m.push_str("<div class=\"issue-grid\">\n<div class=\"issue-main\">\n");
    let _ = writeln!(
        m,
        "<section class=\"body markdown\" aria-label=\"Description\">\n{}</section>",
        if v.body.trim().is_empty() {
            "<p class=\"empty\">No description.</p>\n".to_owned()
        } else {
            markdown(&v.body)
        }
    );
    if let Some(o) = v.occurrences.as_ref().filter(|o| !o.weeks.is_empty()) {
        let _ = writeln!(
            m,
            "<section class=\"chart occurrences\" id=\"occurrences-per-week\">\n<h2>Occurrences per week</h2>\n{}</section>",
            charts::occurrences(&o.weeks)
        );
    }
    if !v.comments.is_empty() {
        let _ = writeln!(m, "<section class=\"comments\">\n<h2>Comments</h2>");
        for c in &v.comments {
            let _ = writeln!(
                m,
                "<article class=\"comment{}\" id=\"c-{}\">\n<header><strong>{}</strong> {}{}</header>\n<div class=\"markdown\">\n{}</div>\n</article>",
                if c.internal { " internal" } else { "" },
                esc(&token(&c.id)),
                person(&c.author),
                time(c.created),
                if c.internal {
                    " <span class=\"badge confidential\">internal</span>"
                } else {
                    ""
                },
                markdown(&c.body)
            );
        }
        m.push_str("</section>\n");
    }
    if let Some(live) = v.frame.live.as_ref().filter(|l| !l.read_only) {
        m.push_str(&edit::comment_form(r, live));
    }
    if !v.history.is_empty() {
        m.push_str("<section class=\"history\">\n<h2>History</h2>\n<ol>\n");
        for h in &v.history {
            let _ = writeln!(
                m,
                "<li>{} <span class=\"who\">{}</span> <span class=\"what\">{}</span> <code class=\"sha\">{}</code></li>",
                time(h.time),
                esc(&h.author),
                esc(h.message.lines().next().unwrap_or_default()),
                esc(&h.commit[..h.commit.len().min(10)])
            );
        }
        m.push_str("</ol>\n</section>\n");
    }
    m.push_str("</div>\n<aside class=\"issue-side\">\n");
    if let Some(live) = v.frame.live.as_ref().filter(|l| !l.read_only) {
        m.push_str(&edit::issue_form(v, live));
        m.push_str(&live.addition);
    }
    m.push_str("<dl class=\"fields\">\n");
    field(&mut m, "Type", &esc(&r.kind));
    field(&mut m, "Priority", &esc(&r.priority));
    field(&mut m, "Severity", &opt(&r.severity));
    field(&mut m, "Labels", &labels_html(&r.labels, "../"));
    if let (Some(ms), Some(slug)) = (&r.milestone, &v.milestone_slug) {
        field(
            &mut m,
            "Milestone",
            &format!(
                "<a href=\"../milestones/{}.html\">{}</a>",
                esc(slug),
                esc(ms)
            ),
        );
    }
    field(&mut m, "Assignee", &opt(&r.assignee));
    field(
        &mut m,
        "Reporter",
        &v.reporter.as_deref().map(person).unwrap_or_default(),
    );
    field(&mut m, "Component", &opt(&r.component));
    if v.votes > 0 {
        field(&mut m, "Votes", &v.votes.to_string());
    }
    if let Some(o) = &v.occurrences {
        field(
            &mut m,
            "Occurrences",
            &format!("<span class=\"occurrences\">{}</span>", o.count),
        );
        if let Some(t) = o.first_seen {
            field(&mut m, "First seen", &time(t));
        }
        if let Some(t) = o.last_seen {
            field(&mut m, "Last seen", &time(t));
        }
        if !o.hosts.is_empty() {
            let items: Vec<String> = o
                .hosts
                .iter()
                .map(|h| format!("<li><code>{}</code></li>", esc(h)))
                .collect();
            field(
                &mut m,
                "Hosts",
                &format!("<ul class=\"hosts\">{}</ul>", items.concat()),
            );
        }
    }
    field(&mut m, "Created", &time(r.created));
    field(&mut m, "Updated", &time(r.updated));
    if let Some(t) = r.resolved {
        field(&mut m, "Resolved", &time(t));
    }
    field(&mut m, "Also known as", &esc(&v.aliases.join(", ")));
    if let Some(d) = &v.duplicate_of {
        field(&mut m, "Duplicate of", &issue_link(d));
    }
    if !v.duplicates.is_empty() {
        let items: Vec<String> = v
            .duplicates
            .iter()
            .map(|l| format!("<li>{}</li>", issue_link(l)))
            .collect();
        field(
            &mut m,
            "Duplicates",
            &format!("<ul class=\"duplicates\">{}</ul>", items.concat()),
        );
    }
    if !v.related.is_empty() {
        let items: Vec<String> = v
            .related
            .iter()
            .map(|l| format!("<li>{}</li>", issue_link(l)))
            .collect();
        field(&mut m, "Related", &format!("<ul>{}</ul>", items.concat()));
    }
    if !v.commits.is_empty() {
        let items: Vec<String> = v
            .commits
            .iter()
            .map(|c| {
                let short = esc(&c.id[..c.id.len().min(10)]);
                match &c.summary {
                    Some(s) => format!(
                        "<li><code class=\"sha\" title=\"{}\">{short}</code> {} <span class=\"who\">{}</span></li>",
                        esc(&c.id),
                        esc(s),
                        opt(&c.author)
                    ),
                    None => format!("<li><code class=\"sha\" title=\"{}\">{short}</code></li>", esc(&c.id)),
                }
            })
            .collect();
        field(&mut m, "Commits", &format!("<ul>{}</ul>", items.concat()));
    }
    if !v.prs.is_empty() {
        let items: Vec<String> = v
            .prs
            .iter()
            .map(|p| format!("<li>{}</li>", pr(p)))
            .collect();
        field(
            &mut m,
            "Pull requests",
            &format!("<ul>{}</ul>", items.concat()),
        );
    }
    if !v.paths.is_empty() {
        let items: Vec<String> = v
            .paths
            .iter()
            .map(|p| format!("<li><code>{}</code></li>", esc(p)))
            .collect();
        field(&mut m, "Code", &format!("<ul>{}</ul>", items.concat()));
    }
    if let Some(b) = &v.bridge {
        let label = format!("{} {}", b.service, b.key);
        let shown = match &b.url {
            Some(u) if pr(u) != esc(u) => format!(
                "<a href=\"{}\" rel=\"noopener noreferrer nofollow\">{}</a>",
                esc(u.trim()),
                esc(&label)
            ),
            _ => esc(&label),
        };
        field(&mut m, "Elsewhere", &shown);
    }
    if !v.attachments.is_empty() {
        let items: Vec<String> = v
            .attachments
            .iter()
            .map(|a| {
                // Relative to the page, which is in `issues/`.
                let href = esc(a.path.strip_prefix("issues/").unwrap_or(&a.path));
                if a.image {
                    format!(
                        "<li><a href=\"{href}\">{0}<img class=\"attachment\" src=\"{href}\" alt=\"{0}\" loading=\"lazy\"></a></li>",
                        esc(&a.name)
                    )
                } else {
                    format!("<li><a href=\"{href}\" download>{}</a></li>", esc(&a.name))
                }
            })
            .collect();
        field(
            &mut m,
            "Attachments",
            &format!("<ul class=\"attachments\">{}</ul>", items.concat()),
        );
    }
    m.push_str("</dl>\n</aside>\n</div>\n</article>\n");
    let path = format!("issues/{}.html", r.key);
    page(
        Page {
            frame: &v.frame,
            title: format!("{} {}", r.key, r.title),
            root: "../",
            path: &path,
            nav: Nav::None,
            scripts: &[],
        },
        &m,
    )
}

pub mod edit;
mod overview;

pub use overview::{
    board_page, dashboard_page, known_page, labels_page, milestones_page, notes_page, search_page,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_class_safe() {
        assert_eq!(token("in_progress"), "in-progress");
        assert_eq!(token("\" onclick=x"), "--onclick-x");
    }
}
