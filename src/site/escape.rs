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
///
/// Text that is only prose (paragraphs, headings, emphasis, lists, quotes,
/// code, breaks: no HTML, link, image, table or task list) skips the
/// sanitizer: pulldown-cmark escapes every character of it and writes no
/// attribute but a list's start number, so there is nothing to take out.
/// A code block's language, the one attribute ammonia would drop, is left
/// out, and a carriage return is written as the line feed it is to a
/// parser. Much of what people write is such prose, and the sanitizer
/// (parsing the HTML again and writing it out) was a tenth of the CPU of a
/// whole site export.
pub fn markdown(text: &str) -> String {
    render(text, true)
}

/// [`markdown`], with the sanitizer skipped for prose when `prose_as_is`.
fn render(text: &str, prose_as_is: bool) -> String {
    use pulldown_cmark::{CodeBlockKind, Event, Tag, html};
    let mut events = events(text);
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    if prose_as_is && is_prose(text, &events) {
        for e in &mut events {
            if let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) = e {
                *info = "".into();
            }
        }
        html::push_html(&mut raw, events.into_iter());
        // A carriage return left in code, or written as `&#13;`, is a line
        // feed to an HTML parser, as it was after the sanitizer.
        if raw.contains('\r') {
            raw = raw.replace("\r\n", "\n").replace('\r', "\n");
        }
        return raw;
    }
    html::push_html(&mut raw, events.into_iter());
    SANITIZER.clean(&raw).to_string()
}

fn events(text: &str) -> Vec<pulldown_cmark::Event<'_>> {
    use pulldown_cmark::{Options, Parser};
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    Parser::new_ext(text, opts).collect()
}

/// Whether `text`, parsed into `events`, is prose: written by
/// pulldown-cmark as tags the sanitizer keeps as they are, around text it
/// has escaped (a NUL, which the sanitizer drops, is not prose).
fn is_prose(text: &str, events: &[pulldown_cmark::Event<'_>]) -> bool {
    !text.contains('\0') && events.iter().all(is_prose_event)
}

fn is_prose_event(event: &pulldown_cmark::Event<'_>) -> bool {
    use pulldown_cmark::{Event, Tag};
    match event {
        Event::Text(_)
        | Event::Code(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::Rule
        | Event::End(_) => true,
        Event::Start(tag) => match tag {
            Tag::Heading {
                id, classes, attrs, ..
            } => id.is_none() && classes.is_empty() && attrs.is_empty(),
            Tag::Paragraph
            | Tag::BlockQuote(None)
            | Tag::CodeBlock(_)
            | Tag::List(_)
            | Tag::Item
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough => true,
            _ => false,
        },
        _ => false,
    }
}

/// The `Workaround` section of a description, as Markdown: what follows a
/// heading named `Workaround` (any level, any case) up to the next heading
/// of the same or a higher level (issue-format.md, Known issues). `None`
/// when there is no such heading or nothing under it.
pub fn workaround(text: &str) -> Option<String> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    // No `#` and no line of only `=` or `-` under which a heading could
    // stand: no heading at all, and no need to parse.
    let underline = |l: &[u8]| {
        let l = l.trim_ascii();
        !l.is_empty() && (l.iter().all(|&b| b == b'=') || l.iter().all(|&b| b == b'-'))
    };
    let mut lines = text.as_bytes().split(|&b| b == b'\n' || b == b'\r');
    if !text.contains('#') && !lines.any(underline) {
        return None;
    }
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
        assert_eq!(
            workaround("# Work*around*\n\nUse `a`.").as_deref(),
            Some("Use `a`.")
        );
        assert_eq!(
            workaround("Workaround\r---\rRestart.").as_deref(),
            Some("Restart.")
        );
        assert_eq!(workaround("## Workaround\n\n## Next\n"), None);
        assert_eq!(
            workaround("```\n## Workaround\n```\n"),
            None,
            "a heading inside code is text"
        );
    }

    /// What the sanitizer's HTML writer spells otherwise, without changing
    /// what the page shows.
    fn as_sanitizer_writes(html: &str) -> String {
        html.replace("<br />", "<br>")
            .replace("<hr />", "<hr>")
            .replace('\u{a0}', "&nbsp;")
    }

    #[test]
    fn prose_skips_the_sanitizer_only_where_it_would_change_nothing() {
        let prose = [
            "Plain words.\n\nA second paragraph,  \nwith a hard break\\\nand another.",
            "# Title\n\nSetext\n===\n\n## *Emphasis* and **strong** and ~~gone~~",
            "> quoted\n> > twice\n\n---\n\n***",
            "1. one\n2. two\n\n7) seven\n8) eight\n\n- a\n  - b\n\n  c",
            "`code <b>` and ``x`y``\n\n    indented <i>\n\n```rust title=\"x\"\nfn main() {}\n```",
            "5 < 6 > 4 & \"quotes\" 'single' \u{a0}nbsp \u{1b}[31m \u{7f} \\<script\\>",
            "&lt;script&gt; &#60;img src=x onerror=alert(1)&#62; &amp;amp; &copy; &#x0;",
            "Work*around*\n---\nline\r\nwith\rcarriage returns",
            "    a\rb\r\n    c\r\n\n&#13; &#x0d;&#x0a; `x\ry`",
        ];
        for text in prose {
            assert!(is_prose(text, &events(text)), "{text:?}");
            let fast = render(text, true);
            assert_eq!(as_sanitizer_writes(&fast), render(text, false), "{text:?}");
        }
        // Not prose: the sanitizer runs.
        for text in [
            "<script>alert(1)</script>",
            "a <b onclick=x>b</b>",
            "[x](javascript:alert(1))",
            "<https://example.org>",
            "![i](https://example.org/i.png)",
            "| a |\n|---|\n| b |",
            "- [ ] task",
            "a \u{0} NUL",
        ] {
            assert!(!is_prose(text, &events(text)), "{text:?}");
            assert_eq!(markdown(text), render(text, false), "{text:?}");
        }
        // Text made of Markdown's own characters, HTML's and controls,
        // a few thousand ways: where the sanitizer is skipped, it would
        // have changed nothing.
        let alphabet: Vec<char> = "ab #*_~`<>&;\"'=-+.!()[]\\/|:\n\n\r\t \u{0}\u{1b}\u{a0}éx1"
            .chars()
            .collect();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut skipped = 0;
        for _ in 0..4000 {
            let len = (seed % 40) as usize;
            let text: String = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect();
            let fast = render(&text, true);
            let slow = render(&text, false);
            if is_prose(&text, &events(&text)) {
                skipped += 1;
            }
            assert_eq!(as_sanitizer_writes(&fast), slow, "{text:?}");
        }
        assert!(skipped > 100, "the fast way was taken {skipped} times");
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
