//! Writes a `git fast-import` stream of an issues branch with N issues (the
//! first argument, 10000 by default): one commit a new issue, a comment on
//! every third, closing every fourth. Deterministic: the same N gives the
//! same branch. Used by `bench/site.sh`.
//!
//! Files are where git-issue files them today (`issues/12/3/4/BC-12345.md`);
//! `--first-layout` writes the first layout's paths (`issues/12/BC-12345.md`,
//! a folder of 1,000 issues), the history of a tracker made before the
//! second one and moved by `doctor --fix`.

use std::io::{self, BufWriter, Write};

const WORDS: &[&str] = &[
    "login",
    "timeout",
    "cache",
    "pagination",
    "dashboard",
    "crash",
    "memory",
    "export",
    "search",
    "sync",
    "merge",
    "render",
    "slow",
    "token",
    "session",
    "upload",
    "retry",
    "index",
    "query",
    "layout",
    "button",
    "scroll",
    "font",
    "locale",
    "webhook",
    "api",
];
const LABELS: &[&str] = &[
    "ui",
    "auth",
    "perf",
    "api",
    "docs",
    "infra",
    "good-first-issue",
];
const TYPES: &[&str] = &["bug", "feature", "optimization", "docs", "question"];
const STATUSES: &[&str] = &["open", "triaged", "in_progress"];
const COMPONENTS: &[&str] = &["login", "billing", "search", "editor", "sync", "cli"];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn data(out: &mut impl Write, s: &str) -> io::Result<()> {
    write!(out, "data {}\n{s}\n", s.len())
}

fn time(t: i64) -> String {
    // 2025-01-01 plus t minutes, as RFC 3339.
    let secs = 1_735_689_600 + t * 60;
    let days = secs / 86400;
    let rem = secs % 86400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[allow(dead_code)]
fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: u64 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let first_layout = args.iter().any(|a| a == "--first-layout");
    let mut out = BufWriter::new(io::stdout().lock());
    stream_in(n, first_layout, &mut out)?;
    out.flush()
}

/// The stream for `n` issues. The browser tests include this file to make
/// their corpus (`tests/cli/browser.rs`).
pub fn stream<W: Write>(n: u64, out: &mut W) -> io::Result<()> {
    stream_in(n, false, out)
}

/// The stream for `n` issues, in the first layout's folders when asked.
pub fn stream_in<W: Write>(n: u64, first_layout: bool, out: &mut W) -> io::Result<()> {
    use git_issue::format::layout;
    let folder = |i: u64| {
        if first_layout {
            layout::bucket_dir(layout::bucket(i))
        } else {
            layout::number_dir(i)
        }
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut minute: i64 = 0;
    let commit =
        |out: &mut W, minute: i64, msg: &str, files: &[(String, String)]| -> io::Result<()> {
            writeln!(out, "commit refs/heads/issues")?;
            let when = 1_735_689_600 + minute * 60;
            writeln!(out, "author Bench <bench@example.com> {when} +0000")?;
            writeln!(out, "committer Bench <bench@example.com> {when} +0000")?;
            data(out, msg)?;
            for (path, content) in files {
                writeln!(out, "M 100644 inline {path}")?;
                data(out, content)?;
            }
            writeln!(out)
        };
    commit(
        out,
        0,
        "Create the issue tracker with key BC",
        &[("tracker.yml".into(), "key: BC\n".into())],
    )?;
    for i in 1..=n {
        // Five and a half minutes apart on average: 100,000 issues fit in
        // 2025, before any clock reading this. A history dated in the
        // future is not what a project has, and git's and libgit2's walks,
        // which stop by dates, read all of it after such a commit.
        minute += 1 + (rng.next() % 10) as i64;
        let title: Vec<&str> = (0..3 + rng.next() % 5).map(|_| rng.pick(WORDS)).collect();
        let title = format!("{} {}", title.join(" "), i);
        let kind = rng.pick(TYPES);
        let mut status = rng.pick(STATUSES).to_owned();
        let labels: Vec<&str> = (0..rng.next() % 3)
            .map(|_| rng.pick(LABELS))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let milestone = format!("v0.{}.0", 1 + rng.next() % 9);
        let component = rng.pick(COMPONENTS);
        let created = time(minute);
        let key = format!("BC-{i}");
        let path = format!("{}/{key}.md", folder(i));
        let paragraphs: Vec<String> = (0..1 + rng.next() % 4)
            .map(|_| {
                let words: Vec<&str> = (0..20 + rng.next() % 40).map(|_| rng.pick(WORDS)).collect();
                words.join(" ")
            })
            .collect();
        let body = format!(
            "Steps to reproduce:\n\n1. Open the **{}** page\n2. Wait\n\n{}\n\n```\nerror: {} failed\n```\n",
            rng.pick(WORDS),
            paragraphs.join("\n\n"),
            rng.pick(WORDS)
        );
        let mut resolved = String::new();
        let close = i % 4 == 0;
        let mut updated = created.clone();
        if close {
            status = "resolved".into();
            updated = time(minute + 600 + (rng.next() % 20000) as i64);
            resolved = format!("resolved: {updated}\n");
        }
        let labels_yaml = if labels.is_empty() {
            String::new()
        } else {
            format!(
                "labels:\n{}",
                labels
                    .iter()
                    .map(|l| format!("  - {l}\n"))
                    .collect::<String>()
            )
        };
        let issue = format!(
            "---\nid: 01BENCH{i:019}\ntitle: {title}\ntype: {kind}\nstatus: {status}\npriority: p{}\nseverity: {}\n{labels_yaml}milestone: {milestone}\nassignee: {}\nreporter: Bench <bench@example.com>\ncomponent: {component}\ncreated: {created}\nupdated: {updated}\n{resolved}---\n\n{body}",
            rng.next() % 4,
            rng.pick(&["critical", "high", "medium", "low"]),
            rng.pick(&["alice", "bob", "carol", "dave"]),
        );
        let mut files = vec![(path, issue)];
        if i % 3 == 0 {
            files.push((
                format!("{}/{key}/comments/01BENCHC{i:018}.md", folder(i)),
                format!("---\nauthor: Bob <bob@example.com>\ncreated: {created}\n---\n\nI can reproduce this with the {} setting.\n", rng.pick(WORDS)),
            ));
        }
        commit(out, minute, &format!("{key}: new {kind} {title:?}"), &files)?;
    }
    Ok(())
}
