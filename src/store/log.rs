//! A long history read by `git diff-tree`, a process per core.
//!
//! libgit2 unpacks a deltified object by applying every delta of its chain
//! again from the chain's base (it caches the base, not the objects between),
//! and a branch's trees are chains of up to 50 versions. `git` keeps the
//! objects between in its delta base cache: a walk of 100,000 commits took
//! 7.5–8.0 s of CPU through it (its processes included) against 9.8–9.9 s
//! in this process, whose two threads also wait on the shared pack locks. The result is the same [`Revision`]s (checked by a test against the
//! walk in this process, which stays for short walks and for when `git`
//! cannot be run or says something unexpected).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;

use git2::Oid;
use jiff::Timestamp;

use super::Revision;

/// What `git diff-tree` prints of each commit, before the paths it changed:
/// id, author, email, author time, parents, message, each ended by a NUL.
const FORMAT: &str = "--format=%H%x00%an%x00%ae%x00%at%x00%P%x00%B%x00";

/// The revisions of `ids` (newest first, as [`super::history`] walks them)
/// that changed something under `prefix` (`""`: anywhere), read by a `git`
/// process per core, each given a run of consecutive commits. `None` when
/// `git` could not be run, failed, or printed what this does not read.
pub(super) fn diff_tree(git_dir: &Path, ids: &[Oid], prefix: &str) -> Option<Vec<Revision>> {
    if ids.is_empty() {
        return Some(Vec::new());
    }
    let runs = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let per = ids.len().div_ceil(runs);
    let parts: Vec<Option<Vec<Revision>>> = std::thread::scope(|s| {
        let running: Vec<_> = ids
            .chunks(per)
            .map(|run| s.spawn(move || one_run(git_dir, run, prefix)))
            .collect();
        running
            .into_iter()
            .map(|r| r.join().ok().flatten())
            .collect()
    });
    let mut out = Vec::new();
    for part in parts {
        out.append(&mut part?);
    }
    Some(out)
}

fn one_run(git_dir: &Path, ids: &[Oid], prefix: &str) -> Option<Vec<Revision>> {
    let mut cmd = super::remote::git_at(git_dir);
    // The objects libgit2 sees: no replacements. A literal path, text in
    // UTF-8 whatever the user's log encoding.
    cmd.env("GIT_NO_REPLACE_OBJECTS", "1")
        .env("GIT_LITERAL_PATHSPECS", "1")
        .args(["-c", "i18n.logOutputEncoding=UTF-8"])
        // A merge counts the paths that differ from every parent (`-c`), as
        // the walk in this process does.
        .args([
            "diff-tree",
            "--stdin",
            "-z",
            "-r",
            "-c",
            "--root",
            "--no-renames",
        ])
        .arg(FORMAT);
    if !prefix.is_empty() {
        cmd.arg("--").arg(format!("{prefix}/"));
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let mut input = Vec::with_capacity(ids.len() * 41);
    for id in ids {
        input.extend_from_slice(id.to_string().as_bytes());
        input.push(b'\n');
    }
    // Written from a thread of its own: git answers while it reads.
    let feeding = std::thread::spawn(move || stdin.write_all(&input));
    let stdout = child.stdout.take()?;
    let parsed = parse(BufReader::with_capacity(1 << 16, stdout), ids);
    if parsed.is_none() {
        let _ = child.kill();
    }
    let fed = feeding.join().ok().is_some_and(|r| r.is_ok());
    let status = child.wait().ok()?;
    (status.success() && fed).then_some(parsed?)
}

/// Reads `git diff-tree -z` with [`FORMAT`]: per commit its six fields,
/// then `:<modes> <ids> <status>` and the path, for each path it changed.
/// Each commit must be one of `ids`, in their order.
fn parse(mut from: impl BufRead, ids: &[Oid]) -> Option<Vec<Revision>> {
    let mut token = || -> Option<Option<Vec<u8>>> {
        let mut t = Vec::new();
        match from.read_until(0, &mut t) {
            Ok(0) => Some(None),
            Ok(_) => {
                if t.last() == Some(&0) {
                    t.pop();
                }
                Some(Some(t))
            }
            Err(_) => None,
        }
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let mut out = Vec::new();
    let mut at = 0;
    let mut next = token()?;
    while let Some(commit) = next.take() {
        let id = Oid::from_str(std::str::from_utf8(&commit).ok()?).ok()?;
        // Commits come in the order given, those that changed nothing there
        // left out.
        at += ids[at..].iter().position(|i| *i == id)? + 1;
        let mut field = || token().flatten();
        let (author, email, time, parents, message) =
            (field()?, field()?, field()?, field()?, field()?);
        let time: i64 = std::str::from_utf8(&time).ok()?.parse().ok()?;
        let mut paths = Vec::new();
        while let Some(t) = token()? {
            let t = t.strip_prefix(b"\n").unwrap_or(&t);
            if t.is_empty() {
                continue;
            }
            if t.first() != Some(&b':') {
                next = Some(t.to_vec());
                break;
            }
            let path = text(&token()??);
            // A change of mode alone (the same blob), which the walk in this
            // process, comparing ids, does not count either.
            if !same_blob_as_a_parent(t) {
                paths.push(path);
            }
        }
        if paths.is_empty() {
            continue;
        }
        out.push(Revision {
            commit: id.to_string(),
            // libgit2 trims the spaces around a name and an email.
            author: text(author.trim_ascii()),
            email: text(email.trim_ascii()),
            time: Timestamp::from_second(time).unwrap_or(Timestamp::UNIX_EPOCH),
            // libgit2 drops a message's leading blank lines.
            message: text(&message)
                .trim_start_matches('\n')
                .trim_end()
                .to_owned(),
            paths,
            parents: parents
                .split(|b| *b == b' ')
                .filter(|p| !p.is_empty())
                .count(),
        });
    }
    Some(out)
}

/// Whether a raw entry `:<modes> <ids> <status>` (`::…` for a merge, one
/// colon per parent) leaves the file's id as one of its parents had it.
fn same_blob_as_a_parent(entry: &[u8]) -> bool {
    let parents = entry.iter().take_while(|b| **b == b':').count();
    let fields: Vec<&[u8]> = entry[parents..].split(|b| *b == b' ').collect();
    let ids = fields.get(parents + 1..2 * parents + 2).unwrap_or_default();
    match ids.split_last() {
        Some((result, before)) => before.contains(result),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::same_blob_as_a_parent;

    #[test]
    fn a_mode_alone_changed_is_no_change_and_a_merge_counts_every_parent() {
        let (a, b, z) = ("a".repeat(40), "b".repeat(40), "0".repeat(40));
        let raw = |s: String| same_blob_as_a_parent(s.as_bytes());
        assert!(raw(format!(":100644 100755 {a} {a} M")));
        assert!(!raw(format!(":100644 100644 {a} {b} M")));
        assert!(!raw(format!(":000000 100644 {z} {a} A")));
        assert!(raw(format!("::100644 100644 100755 {b} {a} {a} MM")));
        assert!(!raw(format!("::100644 100644 100644 {b} {z} {a} MA")));
    }
}
