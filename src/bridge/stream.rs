//! Reading what the services' command-line tools print: not always one JSON
//! value. `gh api --paginate` prints one merged array, or the pages back to
//! back (`[…][…]`, or pretty-printed one after the other), or one object a
//! line with `--jq '.[]'`, or an array of pages with `--slurp`; `glab api
//! --paginate` prints the pages back to back. A stream of JSON values,
//! arrays flattened into their items (twice, for `--slurp`), reads all of
//! them.

use serde_json::Value;

/// The items of a stream of JSON values: each array's items, each object
/// as one item. `Err` says where the text stops being JSON.
pub fn items(text: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    loop {
        let value = match values.next() {
            None => break,
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                return Err(format!(
                    "not JSON at line {}, column {}: {}",
                    e.line(),
                    e.column(),
                    first_clause(&e.to_string())
                ));
            }
        };
        flatten(value, 0, &mut out);
    }
    Ok(out)
}

fn flatten(value: Value, depth: usize, out: &mut Vec<Value>) {
    match value {
        Value::Array(items) if depth < 2 => {
            for v in items {
                flatten(v, depth + 1, out);
            }
        }
        // A page of a `--slurp` is an array inside the array of pages;
        // anything deeper is not a list of issues.
        Value::Array(_) => {}
        other => out.push(other),
    }
}

/// serde_json's message without its own "at line … column …".
fn first_clause(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_gh_prints_reads_the_same() {
        let forms = [
            r#"[{"n":1},{"n":2},{"n":3}]"#,
            "[{\"n\":1},{\"n\":2}][{\"n\":3}]",
            "[\n  {\"n\": 1},\n  {\"n\": 2}\n]\n[\n  {\"n\": 3}\n]\n",
            "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n",
            r#"[[{"n":1},{"n":2}],[{"n":3}]]"#,
        ];
        for f in forms {
            let got: Vec<i64> = items(f)
                .unwrap()
                .iter()
                .map(|v| v["n"].as_i64().unwrap())
                .collect();
            assert_eq!(got, [1, 2, 3], "{f}");
        }
    }

    #[test]
    fn broken_json_says_where() {
        let e = items("[{\"n\":1},\n{\"n\":").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn empty_input_is_no_items() {
        assert!(items("").unwrap().is_empty());
        assert!(items("[]\n[]").unwrap().is_empty());
    }
}
