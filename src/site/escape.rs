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

#[cfg(test)]
mod tests {
    use super::*;

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
