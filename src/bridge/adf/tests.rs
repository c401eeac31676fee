//! ADF to Markdown against the maintainers' adf-expected.md, and back.

use serde_json::{Value, json};

use super::{from_markdown, to_markdown};

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
