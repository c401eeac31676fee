//! Issues linked to code: `link --path`, `path:` in queries (linked, or
//! touched by a linked commit), `git issue blame`.

use crate::common::{Env, json};

fn commit(env: &Env, path: &str, content: &str, message: &str) -> String {
    let file = env.repo.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, content).unwrap();
    env.git(&["add", path]);
    env.git(&["commit", "-q", "-m", message]);
    env.git(&["rev-parse", "HEAD"]).trim().to_owned()
}

fn keys(env: &Env, query: &str) -> Vec<String> {
    let query = format!("{query} sort:key-asc");
    let list = json(&env.ok(&["list", "--all", "--json", &query]));
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_owned())
        .collect()
}

/// BC-1..3 link commits touching src/db/schema.sql, src/api.rs and
/// src/db/pool.rs; BC-4 links the folder src/db, BC-5 a symbol in
/// src/api.rs.
fn setup() -> Env {
    let env = Env::with_tracker();
    let c1 = commit(
        &env,
        "src/db/schema.sql",
        "create table t();\n",
        "Add the schema",
    );
    let c2 = commit(&env, "src/api.rs", "fn handler() {}\n", "Add the API");
    let c3 = commit(&env, "src/db/pool.rs", "fn connect() {}\n", "Add the pool");
    for (title, c) in [
        ("Schema drift", &c1),
        ("API 500s", &c2),
        ("Pool leaks", &c3),
    ] {
        let key = env.new_issue(title, &["-m", "x"]);
        env.ok(&["link", &key, c]);
    }
    env.new_issue("Database layer rewrite", &["-m", "x"]);
    env.ok(&["link", "BC-4", "--path", "src/db/"]);
    env.new_issue("Handler naming", &["-m", "x"]);
    env.ok(&["link", "BC-5", "--path", "./src/api.rs:handler"]);
    env
}

#[test]
fn path_finds_issues_linked_to_a_path_or_by_commits_that_touched_it() {
    let env = setup();
    assert_eq!(keys(&env, "path:src/db/"), ["BC-1", "BC-3", "BC-4"]);
    assert_eq!(keys(&env, "path:src/api.rs"), ["BC-2", "BC-5"]);
    assert_eq!(keys(&env, "path:src/db/schema.sql"), ["BC-1", "BC-4"]);
    // A commit that touched the file may have touched the symbol.
    assert_eq!(keys(&env, "path:src/api.rs:handler"), ["BC-2", "BC-5"]);
    assert_eq!(keys(&env, "path:src/api.rs:other"), ["BC-2"]);
    assert_eq!(keys(&env, "path:src -path:src/db"), ["BC-2", "BC-5"]);
    assert_eq!(keys(&env, "path:SRC/DB/POOL.RS"), ["BC-3", "BC-4"]);
    assert_eq!(keys(&env, "no:path"), ["BC-1", "BC-2", "BC-3"]);
    let shown = json(&env.ok(&["show", "BC-5", "--json"]));
    assert_eq!(shown["paths"], serde_json::json!(["src/api.rs:handler"]));
    let text = env.ok(&["show", "BC-4"]);
    assert!(text.contains("paths: src/db\n"), "{text}");
}

#[test]
fn blame_lists_the_issues_whose_commits_touched_a_file_newest_first() {
    let env = setup();
    let out = env.ok(&["blame", "src/db"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("BC-3 ") && lines[0].contains("Pool leaks"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("BC-1 ") && lines[1].contains("Schema drift"),
        "{out}"
    );
    let found = json(&env.ok(&["blame", "src/db/schema.sql", "--json"]));
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["key"], "BC-1");
    assert_eq!(found[0]["summary"], "Add the schema");
    let r = env.run(&["blame", "README"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr
            .contains("No issue links a commit that touched README"),
        "{}",
        r.stderr
    );
    env.fail_with(1, &["blame", "no/such/file.rs"]);
}

#[test]
fn links_are_checked_relative_to_where_you_are_and_can_be_removed() {
    let env = setup();
    let r = env.fail_with(1, &["link", "BC-1", "--path", "src/nope.rs"]);
    assert!(
        r.stderr
            .contains("src/nope.rs is not a file or folder of this repository"),
        "{}",
        r.stderr
    );
    let out = crate::common::run(env.cmd().current_dir(env.repo.join("src")).args([
        "link",
        "BC-1",
        "--path",
        "db/schema.sql",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        json(&env.ok(&["show", "BC-1", "--json"]))["paths"],
        serde_json::json!(["src/db/schema.sql"])
    );
    env.ok(&["unlink", "BC-1", "--path", "src/db/schema.sql"]);
    assert_eq!(
        json(&env.ok(&["show", "BC-1", "--json"]))["paths"],
        serde_json::json!([])
    );
    env.fail_with(3, &["unlink", "BC-1", "--path", "src/db/schema.sql"]);
}
