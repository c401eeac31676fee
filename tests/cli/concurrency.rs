//! Writers at the same moment all land; a killed writer leaves the branch at
//! the old tip or the new one.

use std::collections::BTreeSet;
use std::process::Stdio;

use crate::common::Env;

#[test]
fn eight_concurrent_new_commands_all_land_with_distinct_keys() {
    let env = Env::with_tracker();
    let children: Vec<_> = (0..8)
        .map(|i| {
            env.cmd()
                .args(["new", &format!("Concurrent {i}")])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut keys = BTreeSet::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        keys.insert(String::from_utf8(out.stdout).unwrap().trim().to_owned());
    }
    let expected: BTreeSet<String> = (1..=8).map(|n| format!("BC-{n}")).collect();
    assert_eq!(keys, expected);
    let titles: BTreeSet<String> = env
        .ok(&["list", "--json"])
        .lines()
        .filter_map(|l| l.trim().strip_prefix("\"title\": \"Concurrent "))
        .map(str::to_owned)
        .collect();
    assert_eq!(titles.len(), 8, "every issue is on the branch");
    assert_eq!(env.git(&["rev-list", "--count", "issues"]).trim(), "9");
}

#[test]
fn concurrent_changes_to_one_issue_are_all_kept() {
    let env = Env::with_tracker();
    env.new_issue("Shared", &[]);
    let children: Vec<_> = (0..6)
        .map(|i| {
            env.cmd()
                .args(["label", "BC-1", &format!("+l{i}")])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .chain((0..4).map(|i| {
            env.cmd()
                .args(["comment", "BC-1", "-m", &format!("comment {i}")])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        }))
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v = crate::common::json(&env.ok(&["show", "BC-1", "--json"]));
    let labels: BTreeSet<&str> = v["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        (0..6)
            .map(|i| format!("l{i}"))
            .collect::<BTreeSet<_>>()
            .iter()
            .map(String::as_str)
            .collect()
    );
    assert_eq!(v["comments"].as_array().unwrap().len(), 4);
}

#[test]
fn writers_killed_at_any_moment_leave_a_consistent_branch() {
    let env = Env::with_tracker();
    env.new_issue("Before", &[]);
    for round in 0..6u64 {
        let mut children: Vec<_> = (0..4)
            .map(|i| {
                env.cmd()
                    .args(["new", &format!("Round {round} writer {i}")])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        // Kill at staggered moments: before start, mid-write, after.
        std::thread::sleep(std::time::Duration::from_millis(round * 3));
        for child in children.iter_mut().step_by(2) {
            let _ = child.kill();
        }
        for mut child in children {
            let _ = child.wait();
        }
    }
    env.git(&["fsck", "--no-dangling", "--strict"]);
    let r = env.run(&["doctor"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let n = env.ok(&["list"]).lines().count();
    let commits: usize = env
        .git(&["rev-list", "--count", "issues"])
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        commits,
        n + 1,
        "one commit per issue plus init: nothing half-written"
    );
    assert!(n >= 13, "the writers that were not killed landed: {n}");
    // A writer killed while it held the ref lock leaves the lock file and
    // its mark; the next writer must not be stuck behind it.
    let lock = env.repo.join(".git/refs/heads/issues.lock");
    std::fs::write(&lock, "0000000000000000000000000000000000000000\n").unwrap();
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    gone.wait().unwrap();
    let marks = env.repo.join(".git/git-issue/writers");
    std::fs::create_dir_all(&marks).unwrap();
    std::fs::write(marks.join(gone.id().to_string()), "").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&lock)
        .unwrap()
        .set_modified(old)
        .unwrap();
    env.new_issue("After", &[]);
    assert!(!lock.exists(), "the stale lock was cleared");
}
