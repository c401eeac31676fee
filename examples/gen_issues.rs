//! Fills the tracker of the repository around the current directory with
//! N generated issues (default 10,000) in one commit of the issues branch,
//! for benchmarks: `cargo run --release --example gen_issues -- 10000`.
//! Goes through the library's own store and file format, so the files are
//! exactly what `git issue new` would write.

use git_issue::format::{Issue, Key};
use git_issue::store::{Change, Edit, Store, StoreError};

fn main() -> anyhow::Result<()> {
    let n: u64 = match std::env::args().nth(1) {
        Some(s) => s.parse()?,
        None => 10_000,
    };
    let store = Store::discover(&std::env::current_dir()?)?;
    let now = store.now();
    let kinds = ["bug", "feature", "optimization", "docs", "question"];
    store.commit(|_| {
        let edits = (1..=n)
            .map(|i| {
                let mut issue = Issue::new(
                    format!("01BENCH{i:019}"),
                    format!("Generated issue number {i}"),
                    kinds[(i % 5) as usize].to_owned(),
                    "open".to_owned(),
                    "p2".to_owned(),
                    now,
                );
                issue.labels = vec![format!("area-{}", i % 17)];
                issue.body = format!("Steps to reproduce issue {i}.\n");
                Edit::Write {
                    path: Key::new("BC", i).path(),
                    content: issue.print().into_bytes(),
                }
            })
            .collect();
        Ok::<_, StoreError>(Some(Change {
            message: format!("Generate {n} issues for a benchmark"),
            edits,
        }))
    })?;
    println!("{n} issues");
    Ok(())
}
