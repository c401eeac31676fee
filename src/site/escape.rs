//! Everything a user typed, made safe for a page: text escaped for HTML,
//! Markdown rendered and sanitized. The only module that knows
//! pulldown-cmark and ammonia; the pages and the charts both use it.

use std::sync::LazyLock;

/// Escapes text for element content and for double- or single-quoted
/// attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    esc_into(&mut out, s);
    out
}

pub fn esc_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .add_generic_attributes(["align"]);
    b
});

/// Markdown as safe HTML: CommonMark with tables, strikethrough and task
/// lists, then sanitized, so raw HTML in a description keeps its harmless
/// tags and loses scripts, event handlers, styles and `javascript:` links.
pub fn markdown(text: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(text, opts));
    SANITIZER.clean(&raw).to_string()
}

/// The `Workaround` section of a description, as Markdown: what follows a
/// heading named `Workaround` (any level, any case) up to the next heading
/// of the same or a higher level (issue-format.md, Known issues). `None`
/// when there is no such heading or nothing under it.
pub fn workaround(text: &str) -> Option<String> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut heading: Option<(pulldown_cmark::HeadingLevel, usize, String)> = None;
    let mut found: Option<(pulldown_cmark::HeadingLevel, usize)> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                if let Some((at, start)) = found
                    && level <= at
                {
                    return section(&text[start..range.start]);
                }
                heading = Some((level, range.end, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, words)) = &mut heading {
                    words.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, end, words)) = heading.take()
                    && found.is_none()
                    && words.trim().eq_ignore_ascii_case("workaround")
                {
                    found = Some((level, end));
                }
            }
            _ => {}
        }
    }
    found.and_then(|(_, start)| section(&text[start..]))
}

fn section(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workaround_is_its_section_up_to_the_next_heading_of_its_level() {
        let body = "Intro.\n\n## Steps\n\n1. Log in\n\n## workaround\n\nUse the **reset** link.\n\n### Details\n\nUntil 0.7.1.\n\n## Notes\n\nLater.\n";
        assert_eq!(
            workaround(body).as_deref(),
            Some("Use the **reset** link.\n\n### Details\n\nUntil 0.7.1.")
        );
        assert_eq!(
            workaround("Workaround\n==========\n\nRestart it.").as_deref(),
            Some("Restart it.")
        );
        assert_eq!(workaround("No heading.\n\nWorkaround: none"), None);
        assert_eq!(workaround("## Workaround\n\n## Next\n"), None);
        assert_eq!(
            workaround("```\n## Workaround\n```\n"),
            None,
            "a heading inside code is text"
        );
    }

    #[test]
    fn escaping_covers_text_and_both_quotes() {
        assert_eq!(
            esc(r#"<a href='x' title="y">&</a>"#),
            "&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn markdown_keeps_formatting_and_drops_script() {
        let html = markdown(
            "**bold** <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) <a href=\"https://e.org\" style=\"color:red\">e</a>",
        );
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        for bad in ["<script", "onerror", "javascript:", "style="] {
            assert!(!html.to_lowercase().contains(bad), "{bad} in {html}");
        }
    }
}
