//! Atlassian Document Format, Jira's rich text, to Markdown and back.
//!
//! To Markdown ([`to_markdown`]) follows `tests/fixtures/bridges/jira/
//! adf-expected.md`: CommonMark with GFM's tables, task lists and alerts;
//! what Markdown cannot say (underline, colour) is dropped with its text
//! kept, and a node this converter does not know reads as
//! `[unsupported block: TYPE]` rather than vanishing. Text is never
//! normalised: decomposed accents, ZWJ sequences and RTL marks pass through.
//!
//! Back to ADF ([`from_markdown`]) covers what `to_markdown` writes for the
//! common nodes (paragraphs, headings, lists, code, quotes, rules, emphasis,
//! code spans, links), so a description sent to Jira and read back is the
//! text that was sent.

use serde_json::{Value, json};

/// Markdown for an ADF document; the empty string for none (`null`).
pub fn to_markdown(doc: &Value) -> String {
    let blocks = children(doc);
    let text = blocks_text(blocks, Mode::Normal);
    if text.is_empty() {
        String::new()
    } else {
        format!("{text}\n")
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Normal,
    /// Inside a table cell: `|` escaped, breaks as `<br>`.
    Cell,
}

fn children(node: &Value) -> &[Value] {
    node.get("content")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn kind(node: &Value) -> &str {
    node.get("type").and_then(Value::as_str).unwrap_or("")
}

fn attr<'a>(node: &'a Value, name: &str) -> Option<&'a Value> {
    node.get("attrs")?.get(name)
}

fn attr_str<'a>(node: &'a Value, name: &str) -> Option<&'a str> {
    attr(node, name)?.as_str()
}

/// Blocks separated by one blank line.
fn blocks_text(blocks: &[Value], mode: Mode) -> String {
    blocks
        .iter()
        .map(|b| block(b, mode))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn block(node: &Value, mode: Mode) -> String {
    match kind(node) {
        "paragraph" => escape_line_starts(&inlines(children(node), mode)),
        "heading" => {
            let level = attr(node, "level")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .clamp(1, 6);
            format!(
                "{} {}",
                "#".repeat(level as usize),
                inlines(children(node), mode)
            )
        }
        "bulletList" => list(node, |_| "- ".to_owned(), mode),
        "orderedList" => {
            let start = attr(node, "order").and_then(Value::as_u64).unwrap_or(1);
            list(node, |i| format!("{}. ", start + i as u64), mode)
        }
        "taskList" => children(node)
            .iter()
            .map(|item| {
                let mark = if attr_str(item, "state") == Some("DONE") {
                    "- [x] "
                } else {
                    "- [ ] "
                };
                // A task item holds inline content, or blocks (a nested
                // task list).
                let inner = children(item);
                let text = if inner.iter().all(is_inline) {
                    inlines(inner, mode)
                } else {
                    item_blocks(inner, mode)
                };
                indent_after_first(&format!("{mark}{text}"), 2)
            })
            .collect::<Vec<_>>()
            .join("\n"),
        "codeBlock" => {
            let code: String = children(node)
                .iter()
                .filter_map(|t| t.get("text").and_then(Value::as_str))
                .collect();
            let longest = longest_run(&code, '`');
            let fence = "`".repeat(longest.max(2) + 1);
            let lang = attr_str(node, "language").unwrap_or("");
            format!("{fence}{lang}\n{code}\n{fence}")
        }
        "blockquote" => quote(&blocks_text(children(node), mode)),
        "panel" => {
            let alert = match attr_str(node, "panelType").unwrap_or("info") {
                "tip" | "success" => "TIP",
                "warning" => "WARNING",
                "error" => "CAUTION",
                _ => "NOTE",
            };
            quote(&format!(
                "[!{alert}]\n{}",
                blocks_text(children(node), mode)
            ))
        }
        "rule" => "---".to_owned(),
        "table" => table(node),
        "expand" | "nestedExpand" => format!(
            "<details>\n<summary>{}</summary>\n\n{}\n\n</details>",
            escape(attr_str(node, "title").unwrap_or(""), mode),
            blocks_text(children(node), mode)
        ),
        "mediaSingle" | "mediaGroup" => children(node)
            .iter()
            .map(media)
            .collect::<Vec<_>>()
            .join("\n"),
        "media" => media(node),
        "doc" => blocks_text(children(node), mode),
        other if is_inline(node) => {
            let _ = other;
            inlines(std::slice::from_ref(node), mode)
        }
        other => format!("[unsupported block: {other}]"),
    }
}

fn media(node: &Value) -> String {
    let name = attr_str(node, "alt")
        .filter(|s| !s.is_empty())
        .or_else(|| attr_str(node, "id"))
        .unwrap_or("file");
    format!("[attachment: {name}]")
}

fn is_inline(node: &Value) -> bool {
    matches!(
        kind(node),
        "text" | "hardBreak" | "mention" | "emoji" | "inlineCard" | "status" | "date"
    )
}

/// A list: each item's first block after its marker, the rest indented to
/// the item's text; items tight.
fn list(node: &Value, marker: impl Fn(usize) -> String, mode: Mode) -> String {
    children(node)
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let m = marker(i);
            let text = item_blocks(children(item), mode);
            indent_after_first(&format!("{m}{text}"), m.chars().count())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The blocks of a list item: a nested list follows its paragraph on the
/// next line, any other block after a blank line.
fn item_blocks(blocks: &[Value], mode: Mode) -> String {
    let mut out = String::new();
    for (i, b) in blocks.iter().enumerate() {
        let text = block(b, mode);
        if i > 0 {
            let tight = matches!(kind(b), "bulletList" | "orderedList" | "taskList");
            out.push_str(if tight { "\n" } else { "\n\n" });
        }
        out.push_str(&text);
    }
    out
}

fn indent_after_first(text: &str, width: usize) -> String {
    let pad = " ".repeat(width);
    let mut lines = text.split('\n');
    let mut out = lines.next().unwrap_or("").to_owned();
    for l in lines {
        out.push('\n');
        if !l.is_empty() {
            out.push_str(&pad);
            out.push_str(l);
        }
    }
    out
}

fn quote(text: &str) -> String {
    text.split('\n')
        .map(|l| {
            if l.is_empty() {
                ">".to_owned()
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn table(node: &Value) -> String {
    let rows: Vec<Vec<String>> = children(node)
        .iter()
        .map(|row| {
            let mut cells = Vec::new();
            for cell in children(row) {
                cells.push(cell_text(cell));
                let span = attr(cell, "colspan").and_then(Value::as_u64).unwrap_or(1);
                for _ in 1..span {
                    cells.push(String::new());
                }
            }
            cells
        })
        .collect();
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if width == 0 {
        return String::new();
    }
    let line = |cells: &[String]| {
        let mut s = String::from("|");
        for i in 0..width {
            s.push(' ');
            s.push_str(cells.get(i).map_or("", String::as_str));
            s.push_str(" |");
        }
        s
    };
    let mut out = vec![line(&rows[0]), format!("|{}", "---|".repeat(width))];
    out.extend(rows[1..].iter().map(|r| line(r)));
    out.join("\n")
}

/// A cell on one line: paragraphs joined with `<br>`, list items as `•`.
fn cell_text(cell: &Value) -> String {
    let mut parts = Vec::new();
    for b in children(cell) {
        match kind(b) {
            "bulletList" | "orderedList" => {
                for item in children(b) {
                    let text: Vec<String> = children(item)
                        .iter()
                        .map(|p| inlines(children(p), Mode::Cell))
                        .collect();
                    parts.push(format!("• {}", text.join(" ")));
                }
            }
            "paragraph" | "heading" => parts.push(inlines(children(b), Mode::Cell)),
            _ => parts.push(block(b, Mode::Cell).replace('\n', "<br>")),
        }
    }
    parts.join("<br>")
}

fn inlines(nodes: &[Value], mode: Mode) -> String {
    let mut out = String::new();
    for n in nodes {
        match kind(n) {
            "text" => out.push_str(&text_node(n, mode)),
            "hardBreak" => out.push_str(if mode == Mode::Cell { "<br>" } else { "\\\n" }),
            "mention" => match attr_str(n, "text").filter(|t| !t.is_empty()) {
                Some(t) => out.push_str(t),
                None => {
                    out.push('@');
                    out.push_str(attr_str(n, "id").unwrap_or(""));
                }
            },
            "emoji" => {
                let text = attr_str(n, "text").filter(|t| !t.is_empty());
                out.push_str(text.or_else(|| attr_str(n, "shortName")).unwrap_or(""));
            }
            "inlineCard" => {
                if let Some(url) = attr_str(n, "url") {
                    out.push('<');
                    out.push_str(url);
                    out.push('>');
                }
            }
            "status" => {
                out.push('`');
                out.push_str(attr_str(n, "text").unwrap_or(""));
                out.push('`');
            }
            "date" => {
                let ms = attr(n, "timestamp").and_then(|t| match t {
                    Value::String(s) => s.parse::<i64>().ok(),
                    Value::Number(n) => n.as_i64(),
                    _ => None,
                });
                if let Some(t) = ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok()) {
                    out.push_str(&t.strftime("%Y-%m-%d").to_string());
                }
            }
            other => out.push_str(&format!("[unsupported inline: {other}]")),
        }
    }
    out
}

fn text_node(node: &Value, mode: Mode) -> String {
    let raw = node.get("text").and_then(Value::as_str).unwrap_or("");
    let marks: Vec<&Value> = node
        .get("marks")
        .and_then(Value::as_array)
        .map(|m| m.iter().collect())
        .unwrap_or_default();
    let has = |t: &str| marks.iter().any(|m| kind(m) == t);
    let mut s = if has("code") {
        let ticks = "`".repeat(longest_run(raw, '`') + 1);
        let pad = if raw.starts_with('`') || raw.ends_with('`') {
            " "
        } else {
            ""
        };
        let raw = if mode == Mode::Cell {
            raw.replace('|', "\\|")
        } else {
            raw.to_owned()
        };
        format!("{ticks}{pad}{raw}{pad}{ticks}")
    } else {
        escape(raw, mode)
    };
    if has("em") {
        s = format!("*{s}*");
    }
    if has("strong") {
        s = format!("**{s}**");
    }
    if has("strike") {
        s = format!("~~{s}~~");
    }
    for m in &marks {
        if kind(m) == "subsup" {
            let tag = if attr_str(m, "type") == Some("sup") {
                "sup"
            } else {
                "sub"
            };
            s = format!("<{tag}>{s}</{tag}>");
        }
    }
    if let Some(link) = marks.iter().find(|m| kind(m) == "link")
        && let Some(href) = attr_str(link, "href")
    {
        s = format!("[{s}]({href})");
    }
    s
}

/// Backslash-escapes what Markdown would read as markup in plain text.
fn escape(text: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' => {
                out.push('\\');
                out.push(c);
            }
            '|' if mode == Mode::Cell => out.push_str("\\|"),
            '\n' if mode == Mode::Cell => out.push_str("<br>"),
            _ => out.push(c),
        }
    }
    out
}

/// A paragraph's lines must not start what Markdown reads as a heading, a
/// list item or a quote.
fn escape_line_starts(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let hashes = line.chars().take_while(|&c| c == '#').count();
            if (1..=6).contains(&hashes)
                && matches!(line[hashes..].chars().next(), None | Some(' '))
            {
                return format!("\\{line}");
            }
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            if digits > 0 && digits <= 9 {
                let rest = &line[digits..];
                if (rest.starts_with(". ") || rest.starts_with(") ")) || rest == "." || rest == ")"
                {
                    return format!("{}\\{}", &line[..digits], rest);
                }
            }
            if line.starts_with("- ") || line.starts_with("+ ") || line.starts_with("> ") {
                return format!("\\{line}");
            }
            line.to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn longest_run(s: &str, c: char) -> usize {
    let mut best = 0;
    let mut run = 0;
    for x in s.chars() {
        if x == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

// ---------------------------------------------------------------------------
// Markdown to ADF

/// An ADF document for Markdown text: paragraphs, headings, fenced code,
/// bullet and ordered lists (nested by indentation), quotes, rules; inline
/// `**strong**`, `*em*`, `~~strike~~`, `` `code` ``, `[text](url)`, `<url>`
/// and backslash escapes. Anything else is kept as text.
pub fn from_markdown(text: &str) -> Value {
    let lines: Vec<&str> = text.lines().collect();
    json!({"type": "doc", "version": 1, "content": md_blocks(&lines)})
}

fn md_blocks(lines: &[&str]) -> Vec<Value> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            i += 1;
            continue;
        }
        // Fenced code.
        let ticks = trimmed.chars().take_while(|&c| c == '`').count();
        if ticks >= 3 {
            let lang = trimmed[ticks..].trim();
            let fence = "`".repeat(ticks);
            let mut code = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim_start().starts_with(&fence) {
                code.push(lines[i]);
                i += 1;
            }
            i += 1;
            let mut node = json!({"type": "codeBlock", "content": [{"type": "text", "text": code.join("\n")}]});
            if code.is_empty() {
                node["content"] = json!([]);
            }
            if !lang.is_empty() {
                node["attrs"] = json!({"language": lang});
            }
            out.push(node);
            continue;
        }
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
            out.push(json!({"type": "heading", "attrs": {"level": hashes},
                "content": md_inlines(trimmed[hashes..].trim())}));
            i += 1;
            continue;
        }
        if trimmed == "---" || trimmed == "***" || trimmed == "___" {
            out.push(json!({"type": "rule"}));
            i += 1;
            continue;
        }
        if trimmed.starts_with('>') {
            let mut inner = Vec::new();
            while i < lines.len() && lines[i].trim_start().starts_with('>') {
                let l = lines[i].trim_start()[1..]
                    .strip_prefix(' ')
                    .unwrap_or(&lines[i].trim_start()[1..]);
                inner.push(l);
                i += 1;
            }
            out.push(json!({"type": "blockquote", "content": md_blocks(&inner)}));
            continue;
        }
        if list_marker(line).is_some() {
            let start = i;
            let base = indent_of(line);
            i += 1;
            while i < lines.len() {
                let l = lines[i];
                if l.trim().is_empty() {
                    // A blank line inside a list continues it when the next
                    // line is indented or another item.
                    let next = lines.get(i + 1);
                    if next.is_some_and(|n| {
                        indent_of(n) > base || (indent_of(n) == base && list_marker(n).is_some())
                    }) {
                        i += 1;
                        continue;
                    }
                    break;
                }
                if indent_of(l) < base || (indent_of(l) == base && list_marker(l).is_none()) {
                    break;
                }
                i += 1;
            }
            out.extend(md_list(&lines[start..i]));
            continue;
        }
        // A paragraph: up to a blank line or another block.
        let mut para = vec![trimmed];
        i += 1;
        while i < lines.len() {
            let l = lines[i].trim_start();
            if l.is_empty()
                || l.starts_with("```")
                || l.starts_with('>')
                || list_marker(lines[i]).is_some()
                || (l.starts_with('#') && l.trim_start_matches('#').starts_with(' '))
            {
                break;
            }
            para.push(l);
            i += 1;
        }
        out.push(json!({"type": "paragraph", "content": md_paragraph(&para)}));
    }
    out
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// `- `, `* `, `+ ` or `N. `: the marker's width and the start number of an
/// ordered list.
fn list_marker(line: &str) -> Option<(usize, Option<u64>)> {
    let t = line.trim_start();
    if t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ") {
        return Some((2, None));
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits <= 9 && (t[digits..].starts_with(". ") || t[digits..].starts_with(") "))
    {
        return Some((digits + 2, t[..digits].parse().ok()));
    }
    None
}

fn md_list(lines: &[&str]) -> Vec<Value> {
    let base = indent_of(lines[0]);
    let (_, first_number) = list_marker(lines[0]).unwrap_or((2, None));
    let mut items: Vec<Vec<String>> = Vec::new();
    let mut task = true;
    let mut states = Vec::new();
    for l in lines {
        if indent_of(l) == base
            && let Some((width, _)) = list_marker(l)
        {
            let content = &l.trim_start()[width..];
            let (state, content) = match content
                .strip_prefix("[x] ")
                .or_else(|| content.strip_prefix("[X] "))
            {
                Some(rest) => (Some("DONE"), rest),
                None => match content.strip_prefix("[ ] ") {
                    Some(rest) => (Some("TODO"), rest),
                    None => (None, content),
                },
            };
            task &= state.is_some() && first_number.is_none();
            states.push(state.unwrap_or("TODO"));
            items.push(vec![content.to_owned()]);
        } else if let Some(item) = items.last_mut() {
            // Continuation, relative to the item's text.
            let strip = (base + 2).min(indent_of(l));
            item.push(l.get(strip..).unwrap_or("").to_owned());
        }
    }
    if task {
        let content: Vec<Value> = items
            .iter()
            .zip(states)
            .map(|(item, state)| {
                json!({"type": "taskItem", "attrs": {"localId": "", "state": state},
                    "content": md_inlines(&item[0])})
            })
            .collect();
        return vec![json!({"type": "taskList", "attrs": {"localId": ""}, "content": content})];
    }
    let content: Vec<Value> = items
        .iter()
        .map(|item| {
            let lines: Vec<&str> = item.iter().map(String::as_str).collect();
            // Continuation lines under an ordered marker are indented to
            // its width; strip what is left consistently.
            let min = lines[1..]
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| indent_of(l))
                .min()
                .unwrap_or(0);
            let mut norm: Vec<&str> = vec![lines[0]];
            norm.extend(lines[1..].iter().map(|l| l.get(min..).unwrap_or("")));
            json!({"type": "listItem", "content": md_blocks(&norm)})
        })
        .collect();
    match first_number {
        Some(n) => {
            let mut node = json!({"type": "orderedList", "content": content});
            if n != 1 {
                node["attrs"] = json!({"order": n});
            }
            vec![node]
        }
        None => vec![json!({"type": "bulletList", "content": content})],
    }
}

/// A paragraph's lines; a line ending in a backslash (or two spaces) is a
/// hard break, any other line end a space.
fn md_paragraph(lines: &[&str]) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let (text, hard) = match l.strip_suffix('\\') {
            Some(t) => (t, true),
            None => (l.trim_end(), l.ends_with("  ")),
        };
        out.extend(md_inlines(text));
        if i + 1 < lines.len() {
            if hard {
                out.push(json!({"type": "hardBreak"}));
            } else {
                push_text(&mut out, " ", &[]);
            }
        }
    }
    out
}

fn push_text(out: &mut Vec<Value>, text: &str, marks: &[Value]) {
    if text.is_empty() {
        return;
    }
    if marks.is_empty()
        && let Some(last) = out.last_mut()
        && kind(last) == "text"
        && last.get("marks").is_none()
    {
        let joined = format!("{}{text}", last["text"].as_str().unwrap_or(""));
        last["text"] = json!(joined);
        return;
    }
    let mut node = json!({"type": "text", "text": text});
    if !marks.is_empty() {
        node["marks"] = json!(marks);
    }
    out.push(node);
}

fn md_inlines(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    inline_into(text, &[], &mut out);
    out
}

fn inline_into(text: &str, marks: &[Value], out: &mut Vec<Value>) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut plain = String::new();
    let mut i = 0;
    let with = |extra: Value| {
        let mut m = marks.to_vec();
        m.push(extra);
        m
    };
    while i < chars.len() {
        let (at, c) = chars[i];
        let rest = &text[at..];
        if c == '\\' && i + 1 < chars.len() && chars[i + 1].1.is_ascii_punctuation() {
            plain.push(chars[i + 1].1);
            i += 2;
            continue;
        }
        if c == '`' {
            let ticks = rest.chars().take_while(|&x| x == '`').count();
            let fence = "`".repeat(ticks);
            if let Some(end) = rest[ticks..].find(&fence) {
                let code = &rest[ticks..ticks + end];
                let code = if code.starts_with(' ') && code.ends_with(' ') && code.len() > 1 {
                    &code[1..code.len() - 1]
                } else {
                    code
                };
                push_text(out, &std::mem::take(&mut plain), marks);
                push_text(out, code, &with(json!({"type": "code"})));
                i += rest[..ticks + end + ticks].chars().count();
                continue;
            }
        }
        for (delim, mark) in [("**", "strong"), ("~~", "strike"), ("*", "em"), ("_", "em")] {
            if rest.starts_with(delim)
                && let Some(end) = find_closing(&rest[delim.len()..], delim)
                && end > 0
            {
                push_text(out, &std::mem::take(&mut plain), marks);
                let inner = &rest[delim.len()..delim.len() + end];
                inline_into(inner, &with(json!({"type": mark})), out);
                i += rest[..delim.len() * 2 + end].chars().count();
                break;
            }
        }
        if i < chars.len() && chars[i].0 != at {
            continue;
        }
        if c == '['
            && let Some(close) = find_closing(&rest[1..], "]")
            && rest[1 + close + 1..].starts_with('(')
            && let Some(paren) = rest[close + 3..].find(')')
        {
            let label = &rest[1..1 + close];
            let href = &rest[close + 3..close + 3 + paren];
            push_text(out, &std::mem::take(&mut plain), marks);
            inline_into(
                label,
                &with(json!({"type": "link", "attrs": {"href": href}})),
                out,
            );
            i += rest[..close + 3 + paren + 1].chars().count();
            continue;
        }
        if c == '<'
            && let Some(end) = rest.find('>')
            && (rest[1..end].starts_with("http://") || rest[1..end].starts_with("https://"))
            && !rest[1..end].contains(' ')
        {
            push_text(out, &std::mem::take(&mut plain), marks);
            out.push(json!({"type": "inlineCard", "attrs": {"url": &rest[1..end]}}));
            i += rest[..=end].chars().count();
            continue;
        }
        plain.push(c);
        i += 1;
    }
    push_text(out, &plain, marks);
}

/// Where `delim` closes in `text`, skipping backslash escapes.
fn find_closing(text: &str, delim: &str) -> Option<usize> {
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with('\\') {
            i += text[i + 1..].chars().next().map_or(1, |c| 1 + c.len_utf8());
            continue;
        }
        if text[i..].starts_with(delim) {
            return Some(i);
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/bridges/jira/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(path).unwrap()
    }

    /// The blocks of adf-expected.md, by their name (`PROJ-101 description`).
    fn expected() -> Vec<(String, String)> {
        let text = fixture("adf-expected.md");
        let mut out = Vec::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("\n<!-- BEGIN ") {
            let after = &rest[start + 12..];
            let (name, after) = after.split_once(" -->\n").unwrap();
            let (body, after) = after.split_once("<!-- END -->").unwrap();
            out.push((name.to_owned(), body.to_owned()));
            rest = after;
        }
        out
    }

    fn documents() -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for page in ["search-page1.json", "search-page2.json"] {
            let v: Value = serde_json::from_str(&fixture(page)).unwrap();
            for issue in v["issues"].as_array().unwrap() {
                let key = issue["key"].as_str().unwrap();
                out.push((
                    format!("{key} description"),
                    issue["fields"]["description"].clone(),
                ));
                for c in issue["fields"]["comment"]["comments"].as_array().unwrap() {
                    let id = c["id"].as_str().unwrap();
                    out.push((format!("{key} comment {id}"), c["body"].clone()));
                }
            }
        }
        out
    }

    #[test]
    fn every_fixture_document_reads_as_adf_expected_md_says() {
        let docs = documents();
        let expected = expected();
        assert_eq!(docs.len(), expected.len(), "one expectation per document");
        for (name, want) in expected {
            let doc = &docs
                .iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("{name}"))
                .1;
            let got = if doc.is_null() {
                String::new()
            } else {
                to_markdown(doc)
            };
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn unknown_nodes_are_named_not_dropped() {
        let doc = json!({"type": "doc", "version": 1, "content": [
            {"type": "blockCard", "attrs": {"url": "x"}},
            {"type": "paragraph", "content": [{"type": "placeholder", "attrs": {"text": "t"}}]}
        ]});
        assert_eq!(
            to_markdown(&doc),
            "[unsupported block: blockCard]\n\n[unsupported inline: placeholder]\n"
        );
    }

    #[test]
    fn markdown_sent_to_jira_reads_back_the_same() {
        let texts = [
            "Plain text with **bold**, *em*, `code` and a [link](https://example.com).\n",
            "## Steps\n\n1. Open it\n2. See `x`\n\n```rust\nfn main() {}\n```\n",
            "- one\n- two\n  - nested\n- three\n",
            "> quoted\n>\n> twice\n",
            "Line one\\\nline two\n\n---\n\nEscaped \\*stars\\* and a \\_name\\_.\n",
            "- [x] done\n- [ ] to do\n",
            "3. third\n4. fourth\n",
            "Café with U+0301 and 東京都　渋谷区 👩‍💻\n",
            "See <https://example.com/a>.\n",
        ];
        for t in texts {
            assert_eq!(to_markdown(&from_markdown(t)), t, "{t}");
        }
    }
}
