//! Notifications: `tracker.yml`'s `notify:` rules run for the events that
//! arrived (a sync, a pull in a worktree of the branch) or for a range
//! asked for. A rule picks events by kind and by a query on the issue, and
//! sends each as JSON to a command's stdin or in a POST to a webhook, with
//! a timeout and retries.
//!
//! Each clone keeps, under its local folder (never on the branch), what it
//! has sent, so no event goes to a rule twice, and what failed, which the
//! next run tries again. A failing target is reported, never an error of
//! the command that ran the rules.
//!
//! `tracker.yml` travels with the branch, so anyone who can push to it
//! could make a command run on every clone: rules run by themselves (after
//! a sync or a pull) only in a clone that said yes with
//! `git config issue.notify true`. This module owns the HTTP client.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::events::{Event, Range};
use super::read::{comments_text, load, read_config};
use super::{Error, Result, Tracker};
use crate::format::config::NotifyRule;
use crate::query::{Query, TextFields};

/// How a run of the rules was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Say what would be sent; send nothing, record nothing.
    DryRun,
    /// Send: `git issue notify`, asked for by the user.
    Send,
    /// Send, if this clone said yes (`issue.notify`): after a sync or a
    /// pull.
    Automatic,
}

/// One event for one rule.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub rule: String,
    /// `command ./tell` or `webhook https://…`.
    pub target: String,
    /// The event, as sent.
    pub event: Value,
}

/// A delivery that failed, with why.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    #[serde(flatten)]
    pub delivery: Delivery,
    pub error: String,
    /// Tried [`MAX_RUNS`] times: not tried again.
    pub given_up: bool,
}

/// What a run of the rules did (or, dry, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct NotifyReport {
    /// Sent, or for a dry run, to be sent.
    pub sent: Vec<Delivery>,
    pub failed: Vec<Failure>,
    /// Rules that cannot be used, in words.
    pub problems: Vec<String>,
    /// An automatic run in a clone that has not said yes: nothing was
    /// sent. Set only when there are rules.
    pub disabled: bool,
}

/// Runs after which a failing delivery is given up.
pub const MAX_RUNS: u32 = 5;
/// Seconds a target may take when its rule does not say.
const DEFAULT_TIMEOUT: u64 = 10;
/// How long to wait for another process that is sending.
const LOCK_PATIENCE: Duration = Duration::from_secs(60);
/// A lock older than this was left by a process that died.
const STALE_LOCK: Duration = Duration::from_secs(600);

/// A delivery that failed, kept to be tried again.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    rule: String,
    event: Value,
    runs: u32,
}

struct Rule<'a> {
    /// What the record of sent events knows it by.
    id: String,
    name: String,
    target: String,
    rule: &'a NotifyRule,
    filter: Option<crate::query::Expr>,
}

impl Rule<'_> {
    fn wants(&self, e: &Event) -> bool {
        (self.rule.events.is_empty() || self.rule.events.iter().any(|k| k == e.kind))
            && (self.rule.confidential || !e.confidential)
    }
}

fn target_of(rule: &NotifyRule) -> String {
    match (&rule.command, &rule.webhook) {
        (Some(c), _) => format!("command {c}"),
        (None, Some(w)) => format!("webhook {w}"),
        (None, None) => "nothing".to_owned(),
    }
}

impl Tracker {
    /// Whether this clone runs `notify:` rules after a sync or a pull.
    pub fn notify_enabled(&self) -> bool {
        self.store.config_string("issue.notify").is_some_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "true" | "yes" | "on" | "1"
            )
        })
    }

    /// Runs the `notify:` rules for the events of `range` (and, unless dry,
    /// for deliveries that failed before).
    pub fn notify(&self, range: &Range, mode: Mode) -> Result<NotifyReport> {
        let mut report = NotifyReport::default();
        let config = self.config()?;
        if config.notify.is_empty() {
            return Ok(report);
        }
        if mode == Mode::Automatic && !self.notify_enabled() {
            report.disabled = true;
            return Ok(report);
        }
        let now = self.store.now();
        let mut rules = Vec::new();
        for (i, r) in config.notify.iter().enumerate() {
            let name = r.name.clone().unwrap_or_else(|| format!("rule {}", i + 1));
            if let Some(p) = r.problem() {
                report
                    .problems
                    .push(format!("tracker.yml: notify: {name} {p}; it is skipped"));
                continue;
            }
            let filter = match r.filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
                None => None,
                Some(f) => match Query::parse(f, &config, now) {
                    Ok(q) => Some(q.expr),
                    Err(e) => {
                        report.problems.push(format!(
                            "tracker.yml: notify: {name}'s filter: {e}; it is skipped"
                        ));
                        continue;
                    }
                },
            };
            rules.push(Rule {
                id: r.name.clone().unwrap_or_else(|| target_of(r)),
                name,
                target: target_of(r),
                rule: r,
                filter,
            });
        }
        let events = self.events(range)?;
        let end = self.store.snapshot_of(Some(&range.to))?;
        let end_config = read_config(&end).unwrap_or_else(|_| config.clone());
        let mut todo: Vec<(usize, Value, u32)> = Vec::new();
        for e in &events {
            for (i, rule) in rules.iter().enumerate() {
                if !rule.wants(e) {
                    continue;
                }
                if let Some(expr) = &rule.filter {
                    let Ok(key) = e.key.parse() else { continue };
                    let Ok(record) = load(&end, &key) else {
                        continue;
                    };
                    let comments = if expr.reads_text() {
                        comments_text(&end, &record.key)?
                    } else {
                        String::new()
                    };
                    let text = TextFields::new(&record.issue, &comments);
                    if !expr.matches(&e.key, &record.issue, &text, &end_config) {
                        continue;
                    }
                }
                let json = serde_json::to_value(e).unwrap_or(Value::Null);
                todo.push((i, json, 0));
            }
        }
        let state = State::new(self.store.local_dir().join("notify"));
        let _lock = if mode == Mode::DryRun {
            None
        } else {
            Some(state.lock()?)
        };
        let sent = state.sent();
        // What failed before goes first, once more, for rules that still are.
        let mut retry = Vec::new();
        if mode != Mode::DryRun {
            for p in state.pending() {
                if let Some(i) = rules.iter().position(|r| r.id == p.rule) {
                    retry.push((i, p.event, p.runs));
                }
            }
        }
        let mut seen: HashSet<(usize, String)> = HashSet::new();
        let mut pending = Vec::new();
        for (i, event, runs) in retry.into_iter().chain(todo) {
            let rule = &rules[i];
            let id = event["id"].as_str().unwrap_or_default().to_owned();
            if sent.contains(&(rule.id.clone(), id.clone())) || !seen.insert((i, id.clone())) {
                continue;
            }
            let delivery = Delivery {
                rule: rule.name.clone(),
                target: rule.target.clone(),
                event,
            };
            if mode == Mode::DryRun {
                report.sent.push(delivery);
                continue;
            }
            match self.deliver(rule.rule, &delivery.event) {
                Ok(()) => {
                    state.mark_sent(&rule.id, &id);
                    report.sent.push(delivery);
                }
                Err(error) => {
                    let given_up = runs + 1 >= MAX_RUNS;
                    if !given_up {
                        pending.push(Pending {
                            rule: rule.id.clone(),
                            event: delivery.event.clone(),
                            runs: runs + 1,
                        });
                    }
                    report.failed.push(Failure {
                        delivery,
                        error,
                        given_up,
                    });
                }
            }
        }
        if mode != Mode::DryRun {
            state.set_pending(&pending);
        }
        Ok(report)
    }

    /// Sends one event to a rule's target, trying again as the rule says.
    fn deliver(&self, rule: &NotifyRule, event: &Value) -> std::result::Result<(), String> {
        let timeout = Duration::from_secs(rule.timeout.unwrap_or(DEFAULT_TIMEOUT).max(1));
        let attempts = rule.retries.unwrap_or(1).min(10) + 1;
        let body = serde_json::to_vec(event).unwrap_or_default();
        let mut last = String::new();
        for attempt in 0..attempts {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(500));
            }
            let result = match (&rule.command, &rule.webhook) {
                (Some(cmd), _) => run_command(cmd, &body, event, timeout, self.store.work_dir()),
                (None, Some(url)) => post(url, &body, timeout),
                (None, None) => return Err("the rule has no target".to_owned()),
            };
            match result {
                Ok(()) => return Ok(()),
                Err(e) => last = e,
            }
        }
        Err(if attempts > 1 {
            format!("{last} ({attempts} attempts)")
        } else {
            last
        })
    }
}

/// Runs a rule's command with `sh -c`, the event on its stdin, in the
/// repository's folder; stopped when it takes longer than `timeout`.
fn run_command(
    cmd: &str,
    body: &[u8],
    event: &Value,
    timeout: Duration,
    dir: Option<&Path>,
) -> std::result::Result<(), String> {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(cmd)
        .env(
            "GIT_ISSUE_EVENT",
            event["kind"].as_str().unwrap_or_default(),
        )
        .env("GIT_ISSUE_KEY", event["key"].as_str().unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        c.current_dir(dir);
    }
    let mut child = c.spawn().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    // Written and read on their own threads: a command that reads nothing
    // or says much must not block us.
    let mut stdin = child.stdin.take();
    let body = body.to_vec();
    let writer = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(&body);
        }
    });
    let mut stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.take(64 * 1024).read_to_string(&mut text);
        }
        text
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "took longer than {}s and was stopped",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("cannot wait for {cmd:?}: {e}")),
        }
    };
    let _ = writer.join();
    let said = reader.join().unwrap_or_default();
    if status.success() {
        return Ok(());
    }
    let last = said
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let code = status.code().map_or_else(
        || "was stopped by a signal".to_owned(),
        |c| format!("exited with status {c}"),
    );
    Err(if last.is_empty() {
        code
    } else {
        format!("{code}: {}", last.trim())
    })
}

/// POSTs the event to a webhook.
fn post(url: &str, body: &[u8], timeout: Duration) -> std::result::Result<(), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .user_agent(concat!("git-issue/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    match agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(body)
    {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(format!("the server answered {}", r.status())),
        Err(ureq::Error::Timeout(_)) => Err(format!("no answer within {}s", timeout.as_secs())),
        Err(e) => Err(e.to_string()),
    }
}

/// The local record: `sent` (one `rule<TAB>event id` a line), `pending`
/// (JSON lines of failed deliveries) and a lock, so two runs at once do not
/// both send.
struct State {
    dir: PathBuf,
}

struct Lock(PathBuf);

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl State {
    fn new(dir: PathBuf) -> State {
        State { dir }
    }

    fn lock(&self) -> Result<Lock> {
        let path = self.dir.join("lock");
        let _ = std::fs::create_dir_all(&self.dir);
        let start = Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    let _ = writeln!(f, "{}", std::process::id());
                    return Ok(Lock(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE_LOCK));
                    if stale {
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    if start.elapsed() > LOCK_PATIENCE {
                        return Err(Error::Refused(format!(
                            "another git-issue has been sending notifications for a minute ({} is held); try again later",
                            path.display()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => {
                    return Err(Error::Refused(format!(
                        "cannot write {}: {e}",
                        path.display()
                    )));
                }
            }
        }
    }

    fn sent(&self) -> HashSet<(String, String)> {
        std::fs::read_to_string(self.dir.join("sent"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(r, e)| (r.to_owned(), e.to_owned()))
            .collect()
    }

    fn mark_sent(&self, rule: &str, event: &str) {
        let line = format!("{}\t{event}\n", rule.replace(['\t', '\n'], " "));
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("sent"))
        {
            let _ = f.write_all(line.as_bytes());
        }
    }

    fn pending(&self) -> Vec<Pending> {
        std::fs::read_to_string(self.dir.join("pending"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    fn set_pending(&self, pending: &[Pending]) {
        let path = self.dir.join("pending");
        if pending.is_empty() {
            let _ = std::fs::remove_file(&path);
            return;
        }
        let text: String = pending
            .iter()
            .filter_map(|p| serde_json::to_string(p).ok())
            .map(|l| l + "\n")
            .collect();
        let tmp = self.dir.join(format!("pending.tmp{}", std::process::id()));
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
