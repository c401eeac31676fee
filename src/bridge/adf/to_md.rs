//! ADF to Markdown.

use serde_json::Value;

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

pub(super) fn kind(node: &Value) -> &str {
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
