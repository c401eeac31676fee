//! Many clones syncing through a real bare repository: concurrent creates,
//! edits, deletions and pushes all converge, and nothing but a same-field
//! loser (named in the merge message) is missing.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;

use serde_json::Value;

use crate::common::{Env, Run, json};

/// A bare remote with a tracker on it, and clones of it.
pub(crate) struct Net {
    pub(crate) first: Env,
}

impl Net {
    /// `alice` creates the tracker (with issues from `setup`) and pushes it
    /// to a bare `remote.git`.
    pub(crate) fn new() -> Net {
        let first = Env::new();
        first.git_in(
            &first.root,
            &["init", "-q", "--bare", "-b", "main", "remote.git"],
        );
        first.git(&["remote", "add", "origin", "../remote.git"]);
        first.git(&["push", "-q", "origin", "main"]);
        first.ok(&["init", "--key", "BC"]);
        Net { first }
    }

    /// A fresh clone that adopts the remote's tracker.
    pub(crate) fn clone(&self, name: &str) -> Env {
        let env = self.first.sibling(name);
        env.git_in(&self.first.root, &["clone", "-q", "remote.git", name]);
        env
    }

    /// The remote's issues tree.
    fn remote_tree(&self) -> String {
        self.first
            .git_in(
                &self.first.root.join("remote.git"),
                &["rev-parse", "issues^{tree}"],
            )
            .trim()
            .to_owned()
    }
}

fn tree(env: &Env) -> String {
    env.git(&["rev-parse", "issues^{tree}"]).trim().to_owned()
}

/// Every clone syncs, twice round; then all hold the remote's tree.
fn converge(net: &Net, clones: &[&Env]) {
    for _ in 0..2 {
        for c in clones {
            c.ok(&["sync"]);
        }
    }
    let remote = net.remote_tree();
    for c in clones {
        assert_eq!(tree(c), remote, "{} did not converge", c.repo.display());
    }
}

/// The issues of a clone by title: key, labels, status, priority, comments.
fn issues(env: &Env) -> BTreeMap<String, Value> {
    let list = json(&env.ok(&["list", "--all", "--json"]));
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let key = i["key"].as_str().unwrap();
            let full = json(&env.ok(&["show", key, "--json"]));
            (i["title"].as_str().unwrap().to_owned(), full)
        })
        .collect()
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

fn comment_bodies(v: &Value) -> BTreeSet<String> {
    v["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap().trim().to_owned())
        .collect()
}

fn at(env: &Env, date: &str, args: &[&str]) -> Run {
    let r = crate::common::run(env.cmd().args(args).env("GIT_COMMITTER_DATE", date));
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r
}

fn merge_messages(env: &Env) -> String {
    env.git(&["log", "--merges", "--format=%B", "issues"])
}

#[test]
fn the_first_sync_publishes_and_clones_adopt_the_remote_tracker() {
    let net = Net::new();
    let a = &net.first;
    a.new_issue("Login fails", &[]);
    let r = a.run(&["sync"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("To origin: 1 issue added"),
        "{}",
        r.stderr
    );
    assert_eq!(net.remote_tree(), tree(a));

    // A clone made afterwards sees origin/issues: init takes it.
    let b = net.clone("bob");
    let r = b.run(&["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("Took the issue tracker from origin"),
        "{}",
        r.stderr
    );
    assert_eq!(b.tip(), a.tip(), "no second tracker");
    assert!(b.ok(&["show", "BC-1"]).contains("Login fails"));
    assert_eq!(
        b.git(&["config", "merge.git-issue.driver"]).trim(),
        "git-issue merge-driver %O %A %B %P"
    );

    // A clone that never ran init: its first sync adopts the branch.
    let c = net.clone("carol");
    let r = c.run(&["sync", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r.stdout);
    assert_eq!(v["local"], "adopted");
    assert_eq!(v["incoming"]["added"], 1);
    assert_eq!(tree(&c), tree(a));
    assert!(
        c.git(&["config", "merge.git-issue.driver"])
            .contains("merge-driver")
    );

    // Nothing new: nothing moves.
    let r = c.run(&["sync"]);
    assert!(
        r.stderr.contains("Already in step with origin"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_clone_behind_fast_forwards_and_one_ahead_just_pushes() {
    let net = Net::new();
    let a = &net.first;
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.ok(&["init"]);
    a.new_issue("From alice", &[]);
    a.ok(&["sync"]);
    let before = b.git(&["rev-list", "--count", "issues"]);
    let v = json(&b.ok(&["sync", "--json"]));
    assert_eq!(v["local"], "fast-forward");
    assert_eq!(v["pushed"], false);
    assert_eq!(b.tip(), a.tip());
    assert_ne!(b.git(&["rev-list", "--count", "issues"]), before);
    assert_eq!(merge_messages(&b), "", "a fast-forward makes no merge");

    b.new_issue("From bob", &[]);
    let v = json(&b.ok(&["sync", "--json"]));
    assert_eq!(v["pushed"], true);
    assert_eq!(v["outgoing"]["added"], 1);
    assert_eq!(net.remote_tree(), tree(&b));
}

#[test]
fn issues_created_offline_under_one_key_both_survive() {
    let net = Net::new();
    let a = &net.first;
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.ok(&["init"]);
    let c = net.clone("carol");
    c.ok(&["init"]);
    // Each files BC-1 offline, at a different time.
    at(a, "2026-01-03T00:00:00Z", &["new", "Alice's issue"]);
    at(&b, "2026-01-04T00:00:00Z", &["new", "Bob's issue"]);
    at(&c, "2026-01-05T00:00:00Z", &["new", "Carol's issue"]);
    at(
        &b,
        "2026-01-04T00:00:01Z",
        &["comment", "BC-1", "-m", "Bob's comment"],
    );
    at(&b, "2026-01-04T00:00:02Z", &["link", "BC-1", "HEAD"]);
    let commit = b.git(&["rev-parse", "HEAD"]).trim().to_owned();
    a.ok(&["sync"]);
    let r = b.run(&["sync"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("BC-1 is now BC-2: another clone filed a different issue as BC-1"),
        "{}",
        r.stderr
    );
    converge(&net, &[a, &b, &c]);

    let all = issues(a);
    assert_eq!(all.len(), 3, "{all:?}");
    // The first created keeps the key; the later ones move up, keep their id
    // and remember the key they had.
    assert_eq!(all["Alice's issue"]["key"], "BC-1");
    let bob = &all["Bob's issue"];
    let carol = &all["Carol's issue"];
    assert_ne!(bob["key"], carol["key"]);
    assert_eq!(
        strings(&bob["aliases"]),
        BTreeSet::from(["BC-1".to_owned()])
    );
    assert_eq!(
        strings(&carol["aliases"]),
        BTreeSet::from(["BC-1".to_owned()])
    );
    assert_eq!(
        comment_bodies(bob),
        BTreeSet::from(["Bob's comment".to_owned()]),
        "the comment moved with its issue"
    );
    assert!(comment_bodies(&all["Alice's issue"]).is_empty());
    assert_eq!(
        strings(&bob["commits"]),
        BTreeSet::from([commit]),
        "links follow the issue"
    );
    assert!(strings(&all["Alice's issue"]["commits"]).is_empty());
    let files = a.git(&["ls-tree", "-r", "-t", "--name-only", "issues"]);
    assert!(
        !files.contains("issues/0/0/0/BC-1/"),
        "no folder left behind: {files}"
    );
    let bob_key = bob["key"].as_str().unwrap();
    assert!(
        merge_messages(a).contains(&format!("{bob_key}: renumbered from BC-1")),
        "{}",
        merge_messages(a)
    );
    // The old key still leads people to the moved issue, from every clone.
    let r = c.run(&["show", "BC-1"]);
    assert!(r.stdout.contains("Alice's issue"));
    assert!(
        r.stderr
            .contains(&format!("BC-1 was also the key of {bob_key}")),
        "{}",
        r.stderr
    );
    assert_eq!(b.ok(&["doctor"]), "");
    // New issues take a number no clone has used.
    let next = b.new_issue("After the merge", &[]);
    assert_eq!(next, "BC-4");
}

#[test]
fn the_old_key_of_a_renumbered_issue_leads_to_it() {
    let net = Net::new();
    let a = &net.first;
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.ok(&["init"]);
    at(a, "2026-01-03T00:00:00Z", &["new", "First"]);
    at(a, "2026-01-03T00:00:00Z", &["delete", "BC-1"]);
    at(&b, "2026-01-04T00:00:00Z", &["new", "Second"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    // Alice deleted her BC-1 and a deleted key is never given out again, so
    // bob's BC-1 moves; the old key leads to it.
    let r = b.run(&["show", "BC-1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Second"), "{}", r.stdout);
    assert!(r.stderr.contains("BC-1 is now BC-2"), "{}", r.stderr);
    // Its log too is bob's issue's, not alice's deleted one's.
    let log = b.ok(&["log", "BC-1"]);
    assert!(
        log.contains("\"Second\"") && !log.contains("First"),
        "{log}"
    );
}

#[test]
fn edits_of_different_fields_labels_and_comments_all_land() {
    let net = Net::new();
    let a = &net.first;
    a.new_issue("Shared", &["--label", "auth", "--label", "ui"]);
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.ok(&["init"]);
    let c = net.clone("carol");
    c.ok(&["init"]);
    at(
        a,
        "2026-01-03T00:00:00Z",
        &["set", "BC-1", "status=in_progress", "+db"],
    );
    at(
        &b,
        "2026-01-04T00:00:00Z",
        &["set", "BC-1", "priority=p0", "-auth"],
    );
    at(
        &c,
        "2026-01-05T00:00:00Z",
        &["comment", "BC-1", "-m", "From carol"],
    );
    at(
        a,
        "2026-01-05T00:00:00Z",
        &["comment", "BC-1", "-m", "From alice"],
    );
    at(&b, "2026-01-05T00:00:00Z", &["assign", "BC-1", "bob"]);
    converge(&net, &[a, &b, &c]);
    let v = json(&c.ok(&["show", "BC-1", "--json"]));
    assert_eq!(v["status"], "in_progress");
    assert_eq!(v["priority"], "p0");
    assert_eq!(v["assignee"], "bob");
    assert_eq!(
        strings(&v["labels"]),
        BTreeSet::from(["ui".to_owned(), "db".to_owned()])
    );
    assert_eq!(
        comment_bodies(&v),
        BTreeSet::from(["From carol".to_owned(), "From alice".to_owned()])
    );
    assert!(!merge_messages(a).contains("dropped"), "no value was lost");
}

#[test]
fn the_later_change_of_one_field_wins_and_the_loser_is_recorded() {
    let net = Net::new();
    let a = &net.first;
    a.new_issue("Original title", &[]);
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.ok(&["init"]);
    at(
        &b,
        "2026-01-06T00:00:00Z",
        &["set", "BC-1", "title=Bob's later title"],
    );
    at(
        a,
        "2026-01-05T00:00:00Z",
        &["set", "BC-1", "title=Alice's title"],
    );
    b.ok(&["sync"]);
    let r = a.run(&["sync"]);
    assert!(
        r.stderr.contains("dropped \"Alice's title\""),
        "{}",
        r.stderr
    );
    converge(&net, &[a, &b]);
    let v = json(&a.ok(&["show", "BC-1", "--json"]));
    assert_eq!(v["title"], "Bob's later title");
    assert!(
        merge_messages(&b).contains(
            "BC-1: title changed on both sides; kept \"Bob's later title\" (changed 2026-01-06 00:00:00 UTC), the later change; dropped \"Alice's title\" (changed 2026-01-05 00:00:00 UTC)"
        ),
        "{}",
        merge_messages(&b)
    );
}

#[test]
fn conflicting_descriptions_keep_both_texts_and_doctor_says_so() {
    let net = Net::new();
    let a = &net.first;
    a.ok(&["new", "Doc", "-m", "Steps:\n1. open\n2. click\n"]);
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.ok(&["init"]);
    let edit = |env: &Env, text: &str| {
        let script = env.script(
            &format!("edit-{}", env.repo.file_name().unwrap().to_string_lossy()),
            &format!("sed -i 's/2. click/{text}/' \"$1\""),
        );
        let r = env.run_editor(&["edit", "BC-1"], &script, "");
        assert_eq!(r.code, 0, "{}", r.stderr);
    };
    edit(a, "2. double click");
    edit(&b, "2. right click");
    a.ok(&["sync"]);
    let r = b.run(&["sync", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r.stdout)["conflicts"][0], "BC-1");
    converge(&net, &[a, &b]);
    let body = json(&a.ok(&["show", "BC-1", "--json"]))["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        body.contains("2. double click") && body.contains("2. right click"),
        "{body}"
    );
    assert!(body.contains("<<<<<<< "), "{body}");
    let r = a.fail(&["doctor"]);
    assert!(r.stdout.contains("issues/0/0/0/BC-1.md"), "{}", r.stdout);
    assert!(r.stdout.contains("conflict markers"), "{}", r.stdout);
}

#[test]
fn an_issue_deleted_here_and_edited_there_is_kept_edited() {
    let net = Net::new();
    let a = &net.first;
    a.new_issue("Keep me", &[]);
    a.new_issue("Delete me", &[]);
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.ok(&["init"]);
    a.ok(&["delete", "BC-1"]);
    a.ok(&["delete", "BC-2"]);
    b.ok(&["set", "BC-1", "priority=p0"]);
    b.ok(&["comment", "BC-1", "-m", "Still a problem"]);
    b.ok(&["sync"]);
    let r = a.run(&["sync"]);
    assert!(
        r.stderr
            .contains("BC-1: deleted on one side and changed on the other"),
        "{}",
        r.stderr
    );
    converge(&net, &[a, &b]);
    let v = json(&b.ok(&["show", "BC-1", "--json"]));
    assert_eq!(v["priority"], "p0");
    assert_eq!(
        comment_bodies(&v),
        BTreeSet::from(["Still a problem".to_owned()])
    );
    // The untouched one stays deleted, everywhere, and its key stays used.
    b.fail(&["show", "BC-2"]);
    assert_eq!(b.new_issue("Next", &[]), "BC-3");
    let deleted = b.branch_file("issues/deleted.yml");
    assert!(
        deleted.contains("- BC-2") && !deleted.contains("- BC-1"),
        "{deleted}"
    );
}

#[test]
fn two_clones_syncing_at_once_both_land() {
    let net = Net::new();
    let a = &net.first;
    a.ok(&["sync"]);
    let clones: Vec<Env> = ["bob", "carol", "dave"]
        .iter()
        .map(|n| net.clone(n))
        .collect();
    for (i, c) in clones.iter().enumerate() {
        c.ok(&["init"]);
        for j in 0..3 {
            c.new_issue(&format!("Issue {i}.{j}"), &[]);
        }
    }
    let children: Vec<_> = clones
        .iter()
        .map(|c| {
            c.cmd()
                .args(["sync"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut all: Vec<&Env> = vec![a];
    all.extend(clones.iter());
    converge(&net, &all);
    let titles: BTreeSet<String> = issues(a).into_keys().collect();
    let expected: BTreeSet<String> = (0..3)
        .flat_map(|i| (0..3).map(move |j| format!("Issue {i}.{j}")))
        .collect();
    assert_eq!(titles, expected);
    let keys: BTreeSet<String> = issues(a)
        .values()
        .map(|v| v["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), 9, "every issue has its own key");
}

#[test]
fn plain_git_merge_in_a_worktree_uses_the_merge_driver() {
    let net = Net::new();
    let a = &net.first;
    a.new_issue("Shared", &["--label", "ui"]);
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.ok(&["init"]);
    b.ok(&["set", "BC-1", "priority=p0", "+db"]);
    b.ok(&["sync"]);
    a.ok(&["set", "BC-1", "status=in_progress", "-ui"]);
    assert!(
        a.branch_file(".gitattributes")
            .contains("issues/**/*.md merge=git-issue")
    );

    // A worktree of the branch, merged with plain git.
    let wt = a.root.join("alice-issues");
    a.git(&["worktree", "add", "-q", wt.to_str().unwrap(), "issues"]);
    a.git(&["fetch", "-q", "origin"]);
    let out = a
        .git_cmd()
        .current_dir(&wt)
        .env("PATH", crate::common::path_with_binary())
        .args(["merge", "-q", "--no-edit", "origin/issues"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&a.ok(&["show", "BC-1", "--json"]));
    assert_eq!(v["status"], "in_progress");
    assert_eq!(v["priority"], "p0");
    assert_eq!(strings(&v["labels"]), BTreeSet::from(["db".to_owned()]));
}

#[test]
fn syncing_with_a_remote_that_does_not_exist_says_so() {
    let env = Env::with_tracker();
    let r = env.fail(&["sync", "upstream"]);
    assert!(
        r.stderr.contains("no git remote named \"upstream\""),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hint: git remote -v"), "{}", r.stderr);
}

#[test]
fn sync_never_touches_the_checkout() {
    let net = Net::new();
    let a = &net.first;
    std::fs::write(a.repo.join("README"), "work in progress\n").unwrap();
    a.new_issue("Something", &[]);
    a.ok(&["sync"]);
    assert_eq!(a.git(&["status", "--porcelain"]), " M README\n");
    assert_eq!(a.git(&["symbolic-ref", "HEAD"]).trim(), "refs/heads/main");
}

/// A small deterministic generator, so a failure reruns the same way.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// What one clone believes: the key of each issue title it knows.
type Keys = BTreeMap<String, String>;

fn keys_of(env: &Env) -> Keys {
    json(&env.ok(&["list", "--all", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let s = |f: &str| i[f].as_str().unwrap().to_owned();
            (s("title"), s("key"))
        })
        .collect()
}

/// Four clones, two hundred random operations at increasing times, a third
/// of the syncs running two or three at once: every clone and the remote
/// end with the same tree, and every acknowledged issue, comment, label and
/// the later edit of every field survive.
#[test]
fn random_operations_and_syncs_converge_with_nothing_lost() {
    let seed = std::env::var("SYNC_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7u64);
    let ops: usize = std::env::var("SYNC_OPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let mut rng = Rng(seed);
    let net = Net::new();
    net.first.ok(&["sync"]);
    let others: Vec<Env> = ["c1", "c2", "c3"].iter().map(|n| net.clone(n)).collect();
    for c in &others {
        c.ok(&["init"]);
    }
    let mut all: Vec<&Env> = vec![&net.first];
    all.extend(others.iter());
    let mut known: Vec<Keys> = all.iter().map(|e| keys_of(e)).collect();
    let mut titles = BTreeSet::new();
    let mut comments = BTreeSet::new();
    let mut labels = BTreeSet::new();
    let mut deleted = BTreeSet::new();
    // (title, field) -> (time, value) of the latest acknowledged change.
    let mut latest: BTreeMap<(String, &str), (u64, String)> = BTreeMap::new();
    let mut clock = 0u64;
    let mut stamp = || {
        clock += 1;
        (clock, format!("@{} +0000", 1_800_000_000 + clock * 60))
    };
    let mut syncs = 0;
    let mut concurrent = 0;
    for step in 0..ops {
        let i = rng.below(all.len());
        let who = all[i];
        let keys: Vec<(String, String)> = known[i]
            .iter()
            .filter(|(t, _)| !deleted.contains(*t))
            .map(|(t, k)| (t.clone(), k.clone()))
            .collect();
        let (t, date) = stamp();
        let run = |args: &[&str]| at(who, &date, args);
        let roll = if keys.is_empty() { 0 } else { rng.below(12) };
        match roll {
            0 | 1 => {
                let title = format!("Issue {step}");
                let key = run(&["new", &title, "-m", "first"])
                    .stdout
                    .trim()
                    .to_owned();
                known[i].insert(title.clone(), key);
                titles.insert(title);
            }
            2 => {
                let (title, key) = &keys[rng.below(keys.len())];
                let body = format!("Comment {step}");
                run(&["comment", key, "-m", &body]);
                comments.insert((title.clone(), body));
            }
            3 => {
                let (title, key) = &keys[rng.below(keys.len())];
                let label = format!("l{}", rng.below(3));
                run(&["label", key, &format!("+{label}")]);
                labels.insert((title.clone(), label));
            }
            4..=7 => {
                let (title, key) = &keys[rng.below(keys.len())];
                let (field, value) = match roll {
                    4 => ("priority", ["p0", "p1", "p3"][rng.below(3)].to_owned()),
                    5 => ("assignee", ["ann", "bob", "cy"][rng.below(3)].to_owned()),
                    6 => (
                        "status",
                        ["triaged", "in_progress", "open"][rng.below(3)].to_owned(),
                    ),
                    _ => ("milestone", format!("v{}", rng.below(3))),
                };
                let r = run(&["set", key, &format!("{field}={value}")]);
                if !r.stderr.contains("nothing to change") {
                    latest.insert((title.clone(), field), (t, value));
                }
            }
            8 if keys.len() > 4 => {
                let (title, key) = &keys[rng.below(keys.len())];
                run(&["delete", key]);
                deleted.insert(title.clone());
            }
            9 | 10 => {
                // Two or three clones sync at once.
                let n = 2 + rng.below(2);
                let mut chosen: Vec<usize> = Vec::new();
                while chosen.len() < n {
                    let c = rng.below(all.len());
                    if !chosen.contains(&c) {
                        chosen.push(c);
                    }
                }
                let children: Vec<_> = chosen
                    .iter()
                    .map(|&c| {
                        all[c]
                            .cmd()
                            .args(["sync"])
                            .env("GIT_COMMITTER_DATE", &date)
                            .stdout(Stdio::piped())
                            .stderr(Stdio::piped())
                            .spawn()
                            .unwrap()
                    })
                    .collect();
                for child in children {
                    let out = child.wait_with_output().unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
                for &c in &chosen {
                    known[c] = keys_of(all[c]);
                }
                syncs += n;
                concurrent += n;
            }
            _ => {
                run(&["sync"]);
                known[i] = keys_of(who);
                syncs += 1;
            }
        }
    }
    converge(&net, &all);
    let got = issues(&net.first);
    let got_titles: BTreeSet<String> = got.keys().cloned().collect();
    // A deleted issue may come back when another clone changed it meanwhile;
    // every other issue is there, and nothing is invented.
    let kept: BTreeSet<String> = titles.difference(&deleted).cloned().collect();
    assert!(
        got_titles.is_superset(&kept),
        "seed {seed}: every created issue"
    );
    assert!(
        got_titles.is_subset(&titles),
        "seed {seed}: nothing invented"
    );
    let comments: BTreeSet<(String, String)> = comments
        .into_iter()
        .filter(|(t, _)| got_titles.contains(t))
        .collect();
    let got_comments: BTreeSet<(String, String)> = got
        .iter()
        .flat_map(|(t, v)| comment_bodies(v).into_iter().map(|c| (t.clone(), c)))
        .collect();
    assert_eq!(
        got_comments, comments,
        "seed {seed}: every comment, on its issue"
    );
    let labels: BTreeSet<(String, String)> = labels
        .into_iter()
        .filter(|(t, _)| got_titles.contains(t))
        .collect();
    let got_labels: BTreeSet<(String, String)> = got
        .iter()
        .flat_map(|(t, v)| strings(&v["labels"]).into_iter().map(|l| (t.clone(), l)))
        .collect();
    assert_eq!(got_labels, labels, "seed {seed}: every label, on its issue");
    for ((title, field), (_, value)) in &latest {
        if deleted.contains(title) {
            continue;
        }
        assert_eq!(
            got[title][*field].as_str(),
            Some(value.as_str()),
            "seed {seed}: the later edit of {field} of {title:?}"
        );
    }
    let keys: BTreeSet<&str> = got.values().map(|v| v["key"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), got.len(), "seed {seed}: one key an issue");
    assert_eq!(
        net.first.ok(&["doctor"]),
        "",
        "seed {seed}: a clean tracker"
    );
    assert!(
        syncs > 20 && concurrent > 5,
        "seed {seed}: {syncs} syncs, {concurrent} at once"
    );
}

#[test]
fn init_fetches_the_remote_tracker_when_the_clone_has_not_seen_it() {
    let net = Net::new();
    net.first.new_issue("Already there", &[]);
    net.first.ok(&["sync"]);
    // A repository that only knows the remote's address.
    let b = net.first.sibling("bob");
    b.git(&["init", "-q", "-b", "main"]);
    b.git(&["remote", "add", "origin", "../remote.git"]);
    let r = b.run(&["init", "--key", "XY"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("(key BC)"), "{}", r.stderr);
    assert_eq!(b.tip(), net.first.tip());
    assert!(b.ok(&["show", "BC-1"]).contains("Already there"));
}

#[test]
fn a_push_the_remote_refuses_stops_with_git_s_reason() {
    let net = Net::new();
    let a = &net.first;
    a.ok(&["sync"]);
    let hook = net.first.root.join("remote.git/hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\necho 'issues are frozen' >&2\nexit 1\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    a.new_issue("Not welcome", &[]);
    let r = a.fail(&["sync"]);
    assert!(
        r.stderr.contains("git push to origin failed"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("pre-receive hook declined"),
        "{}",
        r.stderr
    );
    // The local branch keeps the issue; nothing was lost.
    assert!(a.ok(&["show", "BC-1"]).contains("Not welcome"));
}

#[test]
fn plain_git_merge_stops_on_conflicting_descriptions_with_both_texts() {
    let net = Net::new();
    let a = &net.first;
    a.ok(&["new", "Doc", "-m", "Line one\n"]);
    a.ok(&["sync"]);
    let b = net.clone("bob");
    b.ok(&["init"]);
    for (env, text) in [(a, "Alice line"), (&b, "Bob line")] {
        let script = env.script(
            &format!("edit-{}", env.repo.file_name().unwrap().to_string_lossy()),
            &format!("sed -i 's/Line one/{text}/' \"$1\""),
        );
        let r = env.run_editor(&["edit", "BC-1"], &script, "");
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    a.ok(&["set", "BC-1", "status=in_progress"]);
    b.ok(&["set", "BC-1", "priority=p0"]);
    b.ok(&["sync"]);
    let wt = a.root.join("alice-issues");
    a.git(&["worktree", "add", "-q", wt.to_str().unwrap(), "issues"]);
    a.git(&["fetch", "-q", "origin"]);
    let out = a
        .git_cmd()
        .current_dir(&wt)
        .env("PATH", crate::common::path_with_binary())
        .args(["merge", "--no-edit", "origin/issues"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "git stops on the conflict");
    let file = std::fs::read_to_string(wt.join("issues/0/0/0/BC-1.md")).unwrap();
    assert!(
        file.contains("Alice line") && file.contains("Bob line"),
        "{file}"
    );
    assert!(file.contains("<<<<<<< "), "{file}");
    // The fields merged (git's own line merge would conflict on `updated`);
    // only the description holds markers.
    let front = file.split("\n---\n").next().unwrap();
    assert!(!front.contains("<<<<<<<"), "{file}");
    assert!(
        front.contains("status: in_progress") && front.contains("priority: p0"),
        "{file}"
    );
}

/// Keys follow the issue: an issue renumbered twice is found by its first
/// key, and a key that later belonged to another issue never leads there.
#[test]
fn renumbering_chains_lead_to_the_issue_that_had_the_key() {
    let net = Net::new();
    let a = &net.first;
    a.ok(&["sync"]);
    let b = net.clone("b");
    b.ok(&["init"]);
    at(a, "2026-01-01T00:00:00Z", &["new", "R1", "-m", "r1"]);
    a.ok(&["sync"]);
    at(a, "2026-01-02T00:00:00Z", &["new", "R2", "-m", "r2"]);
    at(&b, "2026-01-03T00:00:00Z", &["new", "P", "-m", "p"]);
    b.ok(&["sync"]); // P: BC-1 -> BC-2
    a.ok(&["sync"]); // P: BC-2 -> BC-3
    let title = |env: &Env, key: &str| json(&env.ok(&["show", key, "--json"]))["title"].clone();
    assert_eq!(title(a, "BC-1"), "R1");
    assert_eq!(title(a, "BC-2"), "R2");
    assert_eq!(title(a, "BC-3"), "P");
    let r = a.run(&["show", "BC-1"]);
    assert!(
        r.stderr.contains("BC-1 was also the key of BC-3"),
        "the other issue that had BC-1 is P, now BC-3: {}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("BC-2"),
        "R2 never had BC-1: {}",
        r.stderr
    );
    // Deleted, BC-1 names the issue deleted (R1), and points to P, which
    // had the key too; never to R2.
    a.ok(&["delete", "BC-1"]);
    let r = a.fail_with(3, &["show", "BC-1"]);
    assert!(
        r.stderr.contains("error: BC-1 was deleted on ")
            && r.stderr
                .contains("; BC-3 had that key too, before a sync renumbered it\n")
            && r.stderr
                .contains("hint: git issue show BC-3 shows the issue that has it now"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("BC-2"),
        "R2 never had BC-1: {}",
        r.stderr
    );
    // Its log is R1's: filed, deleted; not P's commits at that path.
    let log = a.ok(&["log", "BC-1"]);
    assert!(log.contains("\"R1\"") && log.contains("delete"), "{log}");
    assert!(
        !log.contains("\"P\""),
        "P's filing is not R1's history: {log}"
    );
}

/// Each field goes to the side that changed that field last, not to the
/// side whose issue changed last; and the merge message says so truly.
#[test]
fn the_later_edit_of_each_field_wins_across_three_clones() {
    let net = Net::new();
    let a = &net.first;
    a.new_issue("Shared", &[]);
    a.ok(&["sync"]);
    let b = net.clone("b");
    b.ok(&["init"]);
    let c = net.clone("c");
    c.ok(&["init"]);
    at(a, "2026-02-01T10:00:00Z", &["set", "BC-1", "priority=p0"]);
    at(&b, "2026-02-01T10:00:05Z", &["set", "BC-1", "priority=p3"]);
    at(
        a,
        "2026-02-01T10:00:10Z",
        &["set", "BC-1", "status=triaged"],
    );
    at(
        &c,
        "2026-02-01T10:00:20Z",
        &["set", "BC-1", "assignee=carol"],
    );
    at(&c, "2026-02-01T10:00:01Z", &["label", "BC-1", "+ui"]);
    a.ok(&["sync"]);
    c.ok(&["sync"]);
    b.ok(&["sync"]);
    converge(&net, &[a, &b, &c]);
    let v = json(&a.ok(&["show", "BC-1", "--json"]));
    assert_eq!(v["priority"], "p3", "b changed priority last, at 10:00:05");
    assert_eq!(v["status"], "triaged");
    assert_eq!(v["assignee"], "carol");
    assert_eq!(v["labels"], serde_json::json!(["ui"]));
    let messages = merge_messages(a) + &merge_messages(&b) + &merge_messages(&c);
    assert!(
        messages.contains(
            "BC-1: priority changed on both sides; kept \"p3\" (changed 2026-02-01 10:00:05 UTC), the later change; dropped \"p0\" (changed 2026-02-01 10:00:00 UTC)"
        ),
        "{messages}"
    );
    assert!(!messages.contains("kept \"p0\""), "{messages}");
}
