//! Release notes as people read them: Markdown, HTML, JSON, or a user's own
//! minijinja template, all rendered from the [`ReleaseNotes`] view. Pure:
//! notes in, text out. Deciding what goes in the notes is the tracker's.

use crate::site::html::esc;
use crate::tracker::{NoteItem, ReleaseNotes};

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{name}: {message}")]
    Template { name: String, message: String },
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

/// Markdown: `# title`, a `##` section per type, one line per issue:
/// `- Title [BC-12](/issues/12)`, or `- Title BC-12` without a link setting.
pub fn markdown(notes: &ReleaseNotes) -> String {
    let mut out = format!("# {}\n", md_text(&notes.title));
    let mut section = |title: &str, items: &[NoteItem]| {
        out.push_str(&format!("\n## {title}\n\n"));
        for i in items {
            let key = match &i.link {
                Some(link) => format!("[{}]({})", i.key, md_link(link)),
                None => i.key.clone(),
            };
            out.push_str(&format!("- {} {key}\n", md_text(&i.title)));
        }
    };
    for s in &notes.sections {
        section(&s.title, &s.items);
    }
    if !notes.known_limitations.is_empty() {
        section("Known limitations", &notes.known_limitations);
    }
    if notes.sections.is_empty() && notes.known_limitations.is_empty() {
        out.push_str("\nNo issues in this release.\n");
    }
    out
}

/// HTML: a fragment to paste in a page, every text a user typed escaped.
pub fn html(notes: &ReleaseNotes) -> String {
    let mut out = format!("<h1>{}</h1>\n", esc(&notes.title));
    let mut section = |title: &str, items: &[NoteItem]| {
        out.push_str(&format!("<h2>{}</h2>\n<ul>\n", esc(title)));
        for i in items {
            let key = match &i.link {
                Some(link) => format!("<a href=\"{}\">{}</a>", esc(link), esc(&i.key)),
                None => esc(&i.key),
            };
            out.push_str(&format!("  <li>{} {key}</li>\n", esc(&i.title)));
        }
        out.push_str("</ul>\n");
    };
    for s in &notes.sections {
        section(&s.title, &s.items);
    }
    if !notes.known_limitations.is_empty() {
        section("Known limitations", &notes.known_limitations);
    }
    if notes.sections.is_empty() && notes.known_limitations.is_empty() {
        out.push_str("<p>No issues in this release.</p>\n");
    }
    out
}

/// JSON: the view itself, pretty-printed.
pub fn json(notes: &ReleaseNotes) -> Result<String, RenderError> {
    let mut s = serde_json::to_string_pretty(notes)?;
    s.push('\n');
    Ok(s)
}

/// A user's own minijinja template, with the notes' fields as its context
/// (`title`, `range`, `milestone`, `sections`, `known_limitations`).
/// Templates named `*.html`, `*.htm` or `*.xml` escape what they print, as
/// minijinja does by default.
pub fn template(notes: &ReleaseNotes, name: &str, source: &str) -> Result<String, RenderError> {
    let env = minijinja::Environment::new();
    let fail = |e: minijinja::Error| {
        let mut message = e.to_string();
        if let Some(line) = e.line()
            && !message.contains("line")
        {
            message = format!("line {line}: {message}");
        }
        RenderError::Template {
            name: name.to_owned(),
            message,
        }
    };
    let tmpl = env.template_from_named_str(name, source).map_err(fail)?;
    tmpl.render(minijinja::Value::from_serialize(notes))
        .map_err(fail)
}

/// Characters that would turn a title into markup or a link.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '[' | ']' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A link target cannot hold spaces or parentheses unescaped.
fn md_link(s: &str) -> String {
    s.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracker::NoteSection;

    fn notes(link: Option<&str>) -> ReleaseNotes {
        ReleaseNotes {
            title: "v1".into(),
            range: "v0..v1".into(),
            milestone: Some("v1".into()),
            sections: vec![NoteSection {
                title: "Bug fixes".into(),
                items: vec![NoteItem {
                    key: "BC-1".into(),
                    number: 1,
                    title: "<script>alert(1)</script> & [x]".into(),
                    kind: "bug".into(),
                    status: "resolved".into(),
                    link: link.map(str::to_owned),
                }],
            }],
            known_limitations: Vec::new(),
        }
    }

    #[test]
    fn html_escapes_what_users_typed() {
        let h = html(&notes(Some("/i?a=1&b=\"2\"")));
        assert!(
            h.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; [x]"),
            "{h}"
        );
        assert!(h.contains("href=\"/i?a=1&amp;b=&quot;2&quot;\""), "{h}");
        assert!(!h.contains("<script>"));
    }

    #[test]
    fn markdown_without_a_link_setting_prints_the_bare_key() {
        let m = markdown(&notes(None));
        assert!(
            m.ends_with("- \\<script\\>alert(1)\\</script\\> & \\[x\\] BC-1\n"),
            "{m}"
        );
    }

    #[test]
    fn html_templates_escape_and_errors_name_the_template() {
        let out = template(
            &notes(None),
            "notes.html",
            "{{ sections[0].items[0].title }}",
        )
        .unwrap();
        assert!(out.starts_with("&lt;script&gt;"), "{out}");
        let e = template(&notes(None), "mine.md", "{% for %}").unwrap_err();
        assert!(e.to_string().starts_with("mine.md: "), "{e}");
    }
}
