//! Markdown to ADF: what Jira is sent.

use serde_json::{Value, json};

use super::to_md::kind;

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
