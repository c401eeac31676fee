//! The store against real repositories made in temporary folders: commits
//! by compare-and-swap, snapshots, the one tree diff and the one history
//! walk.

use std::cell::Cell;

use super::*;

/// A repository with an identity in its own config and one commit on
/// `main`, and the store on it.
fn repo() -> (tempfile::TempDir, Store) {
    let (dir, repo) = test_repository();
    std::fs::write(dir.path().join("README"), "hello\n").unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(Path::new("README")).unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = repo.signature().unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "Initial commit", &tree, &[])
        .unwrap();
    index.write().unwrap();
    let store = Store::discover(dir.path()).unwrap();
    (dir, store)
}

fn write(path: &str, content: &str) -> Edit {
    Edit::Write {
        path: path.to_owned(),
        content: content.as_bytes().to_vec(),
    }
}

fn change(message: &str, edits: Vec<Edit>) -> Change {
    Change {
        message: message.to_owned(),
        edits,
    }
}

fn commit(store: &Store, message: &str, edits: Vec<Edit>) -> String {
    store
        .commit(|_| Ok::<_, StoreError>(Some(change(message, edits.clone()))))
        .unwrap()
        .unwrap()
}

#[test]
fn a_change_is_one_commit_on_the_branch_and_never_touches_the_checkout() {
    let (dir, store) = repo();
    let head_before = std::fs::read(dir.path().join(".git/HEAD")).unwrap();
    let index_before = std::fs::read(dir.path().join(".git/index")).unwrap();
    let first = commit(&store, "one", vec![write("a/x.md", "x\n")]);
    let second = commit(&store, "two", vec![write("a/y.md", "y\n")]);
    assert_eq!(store.tip().unwrap().unwrap().to_string(), second);
    assert!(store.is_ancestor(&first, &second));
    let snap = store.snapshot().unwrap();
    assert_eq!(snap.read("a/x.md").unwrap().as_deref(), Some("x\n"));
    assert_eq!(snap.read("a/y.md").unwrap().as_deref(), Some("y\n"));
    assert_eq!(
        std::fs::read(dir.path().join(".git/HEAD")).unwrap(),
        head_before
    );
    assert_eq!(
        std::fs::read(dir.path().join(".git/index")).unwrap(),
        index_before
    );
    assert!(
        !dir.path().join("a").exists(),
        "the working tree is untouched"
    );
}

#[test]
fn a_change_built_on_an_old_tip_is_built_again_on_the_new_one() {
    let (_dir, store) = repo();
    commit(&store, "base", vec![write("n.txt", "0\n")]);
    let attempts = Cell::new(0);
    store
        .commit(|snap| {
            attempts.set(attempts.get() + 1);
            let n: u32 = snap.read("n.txt")?.unwrap().trim().parse().unwrap();
            if attempts.get() == 1 {
                // Another writer gets there first.
                commit(&store, "other", vec![write("n.txt", "10\n")]);
            }
            Ok::<_, StoreError>(Some(change(
                "inc",
                vec![write("n.txt", &format!("{}\n", n + 1))],
            )))
        })
        .unwrap();
    assert_eq!(attempts.get(), 2);
    let text = store.snapshot().unwrap().read("n.txt").unwrap();
    assert_eq!(
        text.as_deref(),
        Some("11\n"),
        "built on the other writer's value"
    );
}

#[test]
fn the_tip_moves_only_from_where_the_caller_saw_it() {
    let (_dir, store) = repo();
    let a = commit(&store, "a", vec![write("f", "a")]);
    let b = commit(&store, "b", vec![write("f", "b")]);
    assert!(!store.swap_tip(Some(&a), &a, "stale").unwrap());
    assert_eq!(store.tip().unwrap().unwrap().to_string(), b);
    assert!(store.swap_tip(Some(&b), &a, "back").unwrap());
    assert_eq!(store.tip().unwrap().unwrap().to_string(), a);
}

#[test]
fn the_tree_diff_names_changed_files_only() {
    let (_dir, store) = repo();
    let a = commit(
        &store,
        "a",
        vec![
            write("issues/0/A.md", "1"),
            write("issues/0/B.md", "1"),
            write("other/C", "1"),
        ],
    );
    let b = commit(
        &store,
        "b",
        vec![
            write("issues/0/B.md", "2"),
            write("issues/1/D/comments/x.md", "new"),
            Edit::Remove {
                path: "other/C".to_owned(),
            },
        ],
    );
    let mut all = store.changed_files(Some(&a), Some(&b)).unwrap();
    all.sort();
    assert_eq!(
        all,
        ["issues/0/B.md", "issues/1/D/comments/x.md", "other/C"]
    );
    let tree = |c: &str| store.snapshot_of(Some(c)).unwrap().tree_id();
    let under = store
        .tree_diff(tree(&a).as_deref(), tree(&b).as_deref(), "issues")
        .unwrap();
    assert_eq!(under, ["issues/0/B.md", "issues/1/D/comments/x.md"]);
    assert!(store.changed_files(Some(&b), Some(&b)).unwrap().is_empty());
}

#[test]
fn history_lists_the_commits_that_touched_a_path_newest_first() {
    let (_dir, store) = repo();
    commit(&store, "x1", vec![write("i/x.md", "1")]);
    commit(&store, "y1", vec![write("i/y.md", "1")]);
    commit(&store, "x2", vec![write("i/x/comments/c.md", "c")]);
    let messages: Vec<String> = store
        .history(&["i/x.md".to_owned(), "i/x".to_owned()])
        .unwrap()
        .into_iter()
        .map(|r| r.message)
        .collect();
    assert_eq!(messages, ["x2", "x1"]);
    let tip = store.tip().unwrap().unwrap().to_string();
    let all = store.changes(&tip, None, "i").unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].paths, ["i/x/comments/c.md"]);
}

#[test]
fn a_file_removed_beside_its_unchanged_folder_is_the_one_path_changed() {
    // Git sorts folder `BC-12` after file `BC-12.md` (as `BC-12/`): a diff
    // that ordered them the other way met the folder twice, as added and
    // as removed, and named every comment in it.
    let (_dir, store) = repo();
    let a = commit(
        &store,
        "a",
        vec![
            write("issues/0/BC-12.md", "issue"),
            write("issues/0/BC-12/comments/c.md", "comment"),
            write("issues/0/BC-12-b.md", "other"),
        ],
    );
    let b = commit(
        &store,
        "b",
        vec![Edit::Remove {
            path: "issues/0/BC-12.md".to_owned(),
        }],
    );
    assert_eq!(
        store.changed_files(Some(&a), Some(&b)).unwrap(),
        ["issues/0/BC-12.md"]
    );
}

#[test]
fn a_folder_written_with_a_zero_padded_mode_is_still_a_folder() {
    // `040000`, as some tools wrote it: git reads it as a folder, and so
    // does the diff.
    let (_dir, store) = repo();
    let odb = store.repo.odb().unwrap();
    let blob = |text: &str| odb.write(git2::ObjectType::Blob, text.as_bytes()).unwrap();
    let tree = |entries: Vec<(&str, &str, Oid)>| {
        let mut raw = Vec::new();
        for (mode, name, id) in entries {
            raw.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            raw.extend_from_slice(id.as_bytes());
        }
        odb.write(git2::ObjectType::Tree, &raw).unwrap()
    };
    let inner_a = tree(vec![("100644", "x.md", blob("1"))]);
    let inner_b = tree(vec![("100644", "x.md", blob("2"))]);
    let a = tree(vec![("040000", "d", inner_a)]);
    let b = tree(vec![("040000", "d", inner_b)]);
    let changed = store
        .tree_diff(Some(&a.to_string()), Some(&b.to_string()), "")
        .unwrap();
    assert_eq!(changed, ["d/x.md"]);
}

#[test]
fn a_walk_under_a_folder_finds_it_among_names_that_sort_around_it() {
    // The folder `d/5` is looked up by halving among `5-x`, `5.md`, `50`
    // (git sorts `5` as `5/`, after `5.md`): the walk reports the commits
    // under `d/5` only.
    let (_dir, store) = repo();
    let mut siblings = vec![
        write("d/5-x/a", "1"),
        write("d/5.md", "1"),
        write("d/50/a", "1"),
        write("d/4/a", "1"),
    ];
    siblings.extend((0..40).map(|n| write(&format!("d/{n}x/a"), "1")));
    commit(&store, "siblings", siblings);
    commit(&store, "inside", vec![write("d/5/a", "1")]);
    commit(
        &store,
        "beside",
        vec![write("d/5.md", "2"), write("d/50/a", "2")],
    );
    let tip = commit(&store, "inside again", vec![write("d/5/a", "2")]);
    let walked: Vec<(String, Vec<String>)> = store
        .changes(&tip, None, "d/5")
        .unwrap()
        .into_iter()
        .map(|r| (r.message, r.paths))
        .collect();
    assert_eq!(
        walked,
        [
            ("inside again".to_owned(), vec!["d/5/a".to_owned()]),
            ("inside".to_owned(), vec!["d/5/a".to_owned()]),
        ]
    );
}

#[test]
fn a_long_history_walked_on_every_core_is_the_history_walked_in_order() {
    // Over LONG_WALK commits (16 in tests) the walk is cut into runs, each
    // read by a `git` process of its own (by a thread, without git).
    let (_dir, store) = repo();
    let mut expected = Vec::new();
    let mut ids = Vec::new();
    for n in 0..40 {
        let path = format!("i/{}/{n}.md", n % 3);
        ids.push(commit(
            &store,
            &format!("c{n}"),
            vec![write(&path, &n.to_string())],
        ));
        expected.push((format!("c{n}"), vec![path]));
    }
    // A commit that touches nothing under `i` is left out.
    let tip = commit(&store, "elsewhere", vec![write("j/x", "x")]);
    let walk = |since: Option<&str>| -> Vec<(String, Vec<String>)> {
        store
            .changes(&tip, since, "i")
            .unwrap()
            .into_iter()
            .map(|r| (r.message, r.paths))
            .collect()
    };
    expected.reverse();
    assert_eq!(walk(None), expected);
    // Since the 20th commit: the 20 after it, newest first.
    assert_eq!(walk(Some(&ids[19])), expected[..20]);
}

#[test]
fn a_walk_reads_only_the_files_it_is_asked_for() {
    let (_dir, store) = repo();
    commit(
        &store,
        "files",
        vec![
            write("d/a.md", "A"),
            write("d/sub/b.bin", "B"),
            write("e/c", "C"),
        ],
    );
    let snap = store.snapshot().unwrap();
    let files = snap.files("d", |p| p.ends_with(".md")).unwrap();
    assert_eq!(
        files,
        [
            ("d/a.md".to_owned(), Some(b"A".to_vec())),
            ("d/sub/b.bin".to_owned(), None)
        ]
    );
    assert_eq!(snap.files("", |_| false).unwrap().len(), 3);
    assert!(snap.files("nowhere", |_| true).unwrap().is_empty());
}

#[test]
fn files_listed_once_are_read_from_the_listing_and_listed_again_for_another_tree() {
    let (_dir, store) = repo();
    let first = commit(
        &store,
        "one",
        vec![write("d/a.md", "A"), write("d/b.md", "B")],
    );
    let snap = store.snapshot_of(Some(&first)).unwrap();
    let listed = snap.list_files("d").unwrap();
    let read = snap
        .listed_files(&listed, |p| p != "d/b.md", |_| true)
        .unwrap();
    assert_eq!(read, [("d/a.md".to_owned(), Some(b"A".to_vec()))]);
    // A listing of another commit's tree is not trusted: the files are
    // those of the snapshot read.
    commit(
        &store,
        "two",
        vec![write("d/a.md", "A2"), write("d/c.md", "C")],
    );
    let now = store.snapshot().unwrap();
    let read = now.listed_files(&listed, |_| true, |_| true).unwrap();
    assert_eq!(
        read,
        [
            ("d/a.md".to_owned(), Some(b"A2".to_vec())),
            ("d/b.md".to_owned(), Some(b"B".to_vec())),
            ("d/c.md".to_owned(), Some(b"C".to_vec())),
        ]
    );
}

#[test]
fn a_change_of_many_files_is_one_pack_not_thousands_of_loose_objects() {
    let (dir, store) = repo();
    let loose = || -> usize {
        std::fs::read_dir(dir.path().join(".git/objects"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().len() == 2)
            .map(|e| std::fs::read_dir(e.path()).unwrap().count())
            .sum()
    };
    let before = loose();
    let edits: Vec<Edit> = (0..write::PACK_FROM)
        .map(|i| {
            write(
                &format!("issues/{}/{i}.md", i / 10),
                &format!("issue {i}\n"),
            )
        })
        .collect();
    let tip = commit(&store, "bulk", edits);
    assert!(
        loose() - before < 5,
        "{} new loose objects",
        loose() - before
    );
    let snap = store.snapshot().unwrap();
    let last = write::PACK_FROM - 1;
    assert_eq!(
        snap.read(&format!("issues/{}/{last}.md", last / 10))
            .unwrap()
            .as_deref(),
        Some(format!("issue {last}\n").as_str())
    );
    assert_eq!(store.tip().unwrap().unwrap().to_string(), tip);
    // A change after it builds on the packed tree, as usual.
    commit(
        &store,
        "one more",
        vec![write("issues/0/0.md", "changed\n")],
    );
    assert_eq!(
        store
            .snapshot()
            .unwrap()
            .files("issues", |_| false)
            .unwrap()
            .len(),
        write::PACK_FROM
    );
    let fsck = std::process::Command::new("git")
        .args(["fsck", "--strict", "--no-dangling"])
        .current_dir(dir.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        fsck.status.success(),
        "{}",
        String::from_utf8_lossy(&fsck.stderr)
    );
}

#[test]
fn a_store_named_as_the_way_changes_came_signs_each_commit_with_a_via_trailer() {
    let (dir, mut store) = repo();
    let plain = commit(&store, "BC-1: new bug \"a\"", vec![write("a.md", "a\n")]);
    store.set_via("Claude\nCode\u{1b}[31m  ");
    let via = commit(
        &store,
        "BC-1: status open -> closed",
        vec![write("a.md", "b\n")],
    );
    let repo = Repository::open(dir.path()).unwrap();
    let message = |id: &str| {
        let c = repo.find_commit(Oid::from_str(id).unwrap()).unwrap();
        (
            c.message().unwrap().to_owned(),
            c.author().name().unwrap().to_owned(),
        )
    };
    assert_eq!(
        message(&plain),
        (
            "BC-1: new bug \"a\"\n".to_owned(),
            "Alice Example".to_owned()
        )
    );
    assert_eq!(
        message(&via),
        (
            "BC-1: status open -> closed\n\nVia: Claude Code [31m\n".to_owned(),
            "Alice Example".to_owned()
        )
    );
    store.set_via(" ");
    let after = commit(&store, "again", vec![write("a.md", "c\n")]);
    assert_eq!(message(&after).0, "again\n");
}

#[test]
fn a_bulk_change_on_a_tracker_packs_only_what_is_new() {
    let (dir, store) = repo();
    // Objects in the packs, by counting `git verify-pack` lines of each.
    let packed = || -> Vec<usize> {
        let mut counts: Vec<usize> = std::fs::read_dir(dir.path().join(".git/objects/pack"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "idx"))
            .map(|idx| {
                let out = std::process::Command::new("git")
                    .args(["verify-pack", "-v"])
                    .arg(&idx)
                    .current_dir(dir.path())
                    .output()
                    .unwrap();
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .filter(|l| l.split_whitespace().nth(1).is_some_and(|k| k == "blob"))
                    .count()
            })
            .collect();
        counts.sort();
        counts
    };
    let files = |n: usize, text: &str| -> Vec<Edit> {
        (0..n)
            .map(|i| {
                write(
                    &format!("issues/{}/{i}.md", i / 10),
                    &format!("{text} {i}\n"),
                )
            })
            .collect()
    };
    commit(&store, "a thousand issues", files(1000, "issue"));
    assert_eq!(packed(), [1000]);
    // A change of 300 of them, as a sync bringing them in writes it: the
    // new pack holds the 300 new files, not the 700 the tracker had.
    commit(&store, "three hundred change", files(300, "changed"));
    assert_eq!(packed(), [300, 1000]);
    assert_eq!(
        store
            .snapshot()
            .unwrap()
            .read("issues/99/999.md")
            .unwrap()
            .as_deref(),
        Some("issue 999\n")
    );
}

#[test]
fn holds_says_what_read_bytes_would_without_reading() {
    let (_dir, store) = repo();
    commit(
        &store,
        "files",
        vec![write("a/x.md", "x\n"), write("a/b/y.md", "y\n")],
    );
    let snap = store.snapshot().unwrap();
    assert!(snap.holds("a/x.md", Some(b"x\n")).unwrap());
    assert!(!snap.holds("a/x.md", Some(b"x")).unwrap());
    assert!(!snap.holds("a/x.md", None).unwrap());
    assert!(snap.holds("a/none.md", None).unwrap());
    assert!(!snap.holds("a/none.md", Some(b"")).unwrap());
    // A folder is no file.
    assert!(snap.holds("a/b", None).unwrap());
    assert!(!snap.holds("a/b", Some(b"y\n")).unwrap());
}

#[test]
fn git_walks_a_long_history_as_the_walk_in_this_process_does() {
    // Two lines joined by a merge that changed a file of its own, a file
    // that became a folder, removals, a name git would quote, a non-ASCII
    // author: `git diff-tree` (log.rs) and the walk through
    // libgit2 give the same revisions, in the same order.
    let (_dir, store) = repo();
    for n in 0..12 {
        commit(
            &store,
            &format!("c{n}\n\nbody {n}"),
            vec![write(&format!("i/{}/{n}.md", n % 3), "x")],
        );
    }
    commit(
        &store,
        "a file",
        vec![write("i/s", "file"), write("i/tab\there ü.md", "t")],
    );
    let fork = store.tip().unwrap().unwrap();
    let repo = &store.repo;
    let set_tip = |id: Oid| {
        repo.reference("refs/heads/issues", id, true, "test")
            .unwrap();
    };
    let one = commit(
        &store,
        "line one",
        vec![write("i/1/a.md", "1"), write("j/x", "out")],
    );
    set_tip(fork);
    commit(&store, "line two", vec![write("i/2/b.md", "2")]);
    let two = commit(
        &store,
        "merged",
        vec![
            write("i/1/a.md", "1"),
            write("j/x", "out"),
            write("i/0/m.md", "own"),
        ],
    );
    let sig = Signature::now("Zoë Ünicode", "z@example.com").unwrap();
    let merged_tree = repo
        .find_commit(oid(&two).unwrap())
        .unwrap()
        .tree()
        .unwrap();
    let parents = [
        &repo.find_commit(oid(&one).unwrap()).unwrap(),
        &repo
            .find_commit(
                repo.find_commit(oid(&two).unwrap())
                    .unwrap()
                    .parent_id(0)
                    .unwrap(),
            )
            .unwrap(),
    ];
    let merge = repo
        .commit(None, &sig, &sig, "Merge line one\n", &merged_tree, &parents)
        .unwrap();
    set_tip(merge);
    commit(
        &store,
        "no file",
        vec![Edit::Remove {
            path: "i/s".to_owned(),
        }],
    );
    commit(&store, "a folder now", vec![write("i/s/x.md", "in")]);
    commit(
        &store,
        "removed",
        vec![Edit::Remove {
            path: "i/0/0.md".to_owned(),
        }],
    );
    let tip = commit(&store, "outside", vec![write("j/y", "y")]);

    let ids = history::listed(repo, oid(&tip).unwrap(), None).unwrap();
    for prefix in ["i", ""] {
        let here = history::revisions(repo, &ids, prefix).unwrap();
        let by_git = log::diff_tree(repo.path(), &ids, prefix).expect("git ran");
        assert_eq!(by_git, here, "under {prefix:?}");
        let merge_seen = here.iter().find(|r| r.parents == 2).expect("the merge");
        assert_eq!(merge_seen.paths, ["i/0/m.md"]);
        assert_eq!(merge_seen.author, "Zoë Ünicode");
    }
    assert!(ids.len() >= 16, "long enough for the walk to ask git");
    assert_eq!(
        store.changes(&tip, None, "i").unwrap(),
        history::revisions(repo, &ids, "i").unwrap()
    );
}
