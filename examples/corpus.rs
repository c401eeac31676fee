//! A deterministic corpus of issues for benchmarks, as JSON lines that
//! `git issue import` reads: realistic titles, multi-paragraph descriptions,
//! labels, milestones, statuses, assignees and comments.
//!
//!     cargo run --release --example corpus -- 100000 > corpus.jsonl
//!
//! About 1% of issues mention the word `zeppelin` (for full-text search) and
//! about 5% carry the label `regression` (for filtered lists).

use std::io::{BufWriter, Write};

use serde_json::json;

/// SplitMix64: small, fast, and the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const VERBS: &[&str] = &[
    "fails",
    "crashes",
    "hangs",
    "is slow",
    "leaks memory",
    "returns 500",
    "shows stale data",
    "ignores the timeout",
    "loses the selection",
    "double-submits",
    "renders blank",
    "times out",
];
const THINGS: &[&str] = &[
    "login form",
    "dashboard",
    "CSV export",
    "search page",
    "billing webhook",
    "password reset",
    "image upload",
    "API pagination",
    "settings dialog",
    "notification email",
    "session cache",
    "report scheduler",
    "audit log",
    "kanban board",
    "release pipeline",
    "user import",
];
const WHEN: &[&str] = &[
    "on Safari",
    "after an upgrade",
    "with a large account",
    "behind a proxy",
    "on mobile",
    "when offline",
    "for new users",
    "under load",
    "in dark mode",
    "with SSO enabled",
];
const WORDS: &[&str] = &[
    "the",
    "request",
    "handler",
    "returns",
    "before",
    "cache",
    "is",
    "warmed",
    "which",
    "means",
    "users",
    "see",
    "an",
    "empty",
    "page",
    "until",
    "they",
    "reload",
    "we",
    "traced",
    "it",
    "to",
    "connection",
    "pool",
    "exhaustion",
    "retry",
    "logic",
    "backoff",
    "queue",
    "worker",
    "database",
    "index",
    "migration",
    "timeout",
    "latency",
    "memory",
    "allocation",
    "thread",
    "lock",
    "contention",
    "serializer",
    "payload",
    "header",
    "token",
    "expiry",
    "clock",
    "skew",
    "browser",
    "render",
    "layout",
    "regression",
    "benchmark",
    "profile",
    "trace",
    "flag",
    "rollout",
];
const LABELS: &[&str] = &[
    "ui",
    "backend",
    "api",
    "auth",
    "perf",
    "docs",
    "infra",
    "good-first-issue",
    "security",
    "data",
];
const TYPES: &[&str] = &[
    "bug",
    "bug",
    "bug",
    "feature",
    "feature",
    "optimization",
    "docs",
    "question",
];
const STATUSES: &[&str] = &[
    "open",
    "open",
    "open",
    "triaged",
    "in_progress",
    "resolved",
    "closed",
    "closed",
    "wont_fix",
];
const PEOPLE: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
];
const COMPONENTS: &[&str] = &["web", "api", "worker", "mobile", "billing", "search"];

fn sentence(rng: &mut Rng) -> String {
    let n = 8 + rng.below(12);
    let mut words: Vec<&str> = (0..n).map(|_| rng.pick(WORDS)).collect();
    let mut s = words.remove(0).to_owned();
    s[..1].make_ascii_uppercase();
    for w in words {
        s.push(' ');
        s.push_str(w);
    }
    s.push('.');
    s
}

fn paragraph(rng: &mut Rng) -> String {
    let n = 2 + rng.below(4);
    (0..n).map(|_| sentence(rng)).collect::<Vec<_>>().join(" ")
}

fn main() {
    let count: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let mut rng = Rng(0x6769_742d_6973_7375);
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    let base = 1_700_000_000i64;
    for n in 1..=count {
        let title = format!(
            "{} {} {}",
            rng.pick(THINGS),
            rng.pick(VERBS),
            rng.pick(WHEN)
        );
        let mut paragraphs: Vec<String> =
            (0..1 + rng.below(4)).map(|_| paragraph(&mut rng)).collect();
        if n % 100 == 37 {
            paragraphs.push("It only happens when the zeppelin feature flag is on.".to_owned());
        }
        if rng.chance(30) {
            paragraphs.push(format!(
                "```\nError: {} at line {}\n```",
                rng.pick(WORDS),
                rng.below(900)
            ));
        }
        let mut labels: Vec<&str> = Vec::new();
        for _ in 0..rng.below(3) {
            let l = rng.pick(LABELS);
            if !labels.contains(&l) {
                labels.push(l);
            }
        }
        if rng.chance(5) {
            labels.push("regression");
        }
        let status = rng.pick(STATUSES);
        let created = base + (n as i64) * 600 + rng.below(600) as i64;
        let updated = created + rng.below(86_400 * 30) as i64;
        let closed = matches!(status, "resolved" | "closed" | "wont_fix");
        let ts = |s: i64| {
            jiff::Timestamp::from_second(s)
                .map(|t| t.to_string())
                .unwrap_or_default()
        };
        let comments: Vec<_> = (0..rng.below(4))
            .map(|i| {
                json!({
                    "author": format!("{} <{}@example.com>", rng.pick(PEOPLE), rng.pick(PEOPLE)),
                    "created": ts(created + 3600 * (i as i64 + 1)),
                    "internal": rng.chance(10),
                    "body": paragraph(&mut rng),
                })
            })
            .collect();
        let issue = json!({
            "key": format!("BC-{n}"),
            "title": title,
            "type": rng.pick(TYPES),
            "status": status,
            "priority": format!("p{}", rng.below(4)),
            "severity": if rng.chance(60) { json!(rng.pick(&["critical", "high", "medium", "low", "info"])) } else { json!(null) },
            "labels": labels,
            "milestone": if rng.chance(70) { json!(format!("v0.{}.0", 1 + n * 20 / count.max(1))) } else { json!(null) },
            "assignee": if rng.chance(60) { json!(rng.pick(PEOPLE)) } else { json!(null) },
            "reporter": format!("{} <{}@example.com>", rng.pick(PEOPLE), rng.pick(PEOPLE)),
            "component": rng.pick(COMPONENTS),
            "created": ts(created),
            "updated": ts(updated),
            "resolved": if closed { json!(ts(updated)) } else { json!(null) },
            "body": paragraphs.join("\n\n"),
            "comments": comments,
        });
        if writeln!(out, "{issue}").is_err() {
            return;
        }
    }
}
