//! What commit-msg refuses and warns about, and how it knows without
//! starting a process on every commit: `hooks.strict`, keys that name no
//! issue, and the mark git-issue leaves while the branch is not strict.

use crate::common::{Env, Run};
use crate::hooks::{commit, commits_of, git, git_with_path, head, installed};

/// How many times `needle` is in `haystack`.
fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn strict_mode_refuses_an_unknown_key_with_one_line() {
    let env = installed();
    let r = commit(&env, "BC-99: typo in the key");
    assert_eq!(
        count(&r.stderr, "git-issue: warning: BC-99 names no issue"),
        1,
        "warned once: {}",
        r.stderr
    );

    let config = env
        .branch_file("tracker.yml")
        .replace("strict: false", "strict: true");
    env.commit_by_hand("tracker.yml", &config);
    let before = head(&env);
    let r = git(
        &env,
        &["commit", "-q", "--allow-empty", "-m", "BC-98: another typo"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "error: BC-98 names no issue, and hooks.strict in tracker.yml refuses such commits\n"
    );
    assert_eq!(head(&env), before, "no commit was made");

    commit(&env, "BC-1: a key that exists");
    assert_eq!(commits_of(&env, "BC-1"), [head(&env)]);
}

/// A git-issue on PATH that logs each hook it runs, then runs the real one.
fn logging_git_issue(env: &Env) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = env.root.join("logging-bin");
    std::fs::create_dir_all(&dir).unwrap();
    let log = env.root.join("hooks.log");
    let tool = dir.join("git-issue");
    std::fs::write(
        &tool,
        format!(
            "#!/bin/sh\necho \"$2\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            env!("CARGO_BIN_EXE_git-issue")
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    (dir, log)
}

/// Commits through the logging git-issue, and says which hooks ran it.
fn commit_logged(
    env: &Env,
    dir: &std::path::Path,
    log: &std::path::Path,
    message: &str,
) -> (Run, String) {
    let _ = std::fs::remove_file(log);
    let r = git_with_path(
        env,
        dir,
        &[],
        &["commit", "-q", "--allow-empty", "-m", message],
    );
    let ran = std::fs::read_to_string(log).unwrap_or_default();
    (r, ran)
}

#[test]
fn commit_msg_asks_git_issue_only_when_the_issues_branch_has_moved() {
    let env = installed();
    let (dir, log) = logging_git_issue(&env);

    // Nothing known yet: commit-msg asks, post-commit links.
    let (r, ran) = commit_logged(&env, &dir, &log, "BC-1: first");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(ran, "commit-msg\npost-commit\n");
    assert_eq!(commits_of(&env, "BC-1"), [head(&env)]);

    // The branch is where post-commit left it, and not strict: no process
    // for commit-msg, and a key that names no issue is still warned about,
    // once.
    let (r, ran) = commit_logged(&env, &dir, &log, "BC-2: second");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(ran, "post-commit\n");
    assert_eq!(commits_of(&env, "BC-2"), [head(&env)]);
    let (r, ran) = commit_logged(&env, &dir, &log, "BC-77: a typo");
    assert_eq!(ran, "post-commit\n");
    assert_eq!(
        count(&r.stderr, "git-issue: warning: BC-77 names no issue"),
        1,
        "{}",
        r.stderr
    );

    // Only the prefix prepare-commit-msg would fill in is refused, as git
    // refuses an empty message, even while commit-msg needs no process.
    let before = head(&env);
    let (r, _) = commit_logged(&env, &dir, &log, "BC-1:");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("empty commit message"), "{}", r.stderr);
    assert_eq!(head(&env), before);

    // Made strict elsewhere (the branch moved): the very next commit with an
    // unknown key is refused.
    let strict = env
        .branch_file("tracker.yml")
        .replace("strict: false", "strict: true");
    env.commit_by_hand("tracker.yml", &strict);
    let (r, ran) = commit_logged(&env, &dir, &log, "BC-78: another typo");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(ran, "commit-msg\n");
    assert_eq!(head(&env), before, "no commit was made");
    // Strict stays strict commit after commit.
    let (r, ran) = commit_logged(&env, &dir, &log, "BC-1: fine");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(ran, "commit-msg\npost-commit\n");
    let (r, _) = commit_logged(&env, &dir, &log, "BC-79: refused again");
    assert_eq!(r.code, 1, "{}", r.stderr);

    // Lenient again: asked once, then not.
    let lenient = strict.replace("strict: true", "strict: false");
    env.commit_by_hand("tracker.yml", &lenient);
    let (r, ran) = commit_logged(&env, &dir, &log, "BC-80: warned");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(ran, "commit-msg\npost-commit\n");
    assert_eq!(count(&r.stderr, "BC-80 names no issue"), 1, "{}", r.stderr);
    let (_, ran) = commit_logged(&env, &dir, &log, "BC-3: third");
    assert_eq!(ran, "post-commit\n");

    // Settings for one command, or a config changed since the mark was
    // left, may name another issues branch: git-issue is asked.
    let _ = std::fs::remove_file(&log);
    let r = git_with_path(
        &env,
        &dir,
        &[],
        &[
            "-c",
            "issue.unused=1",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "BC-3: with -c",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "commit-msg\npost-commit\n"
    );
    // The config file must be newer than the mark, by the clock's second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    env.git(&["config", "issue.unused", "2"]);
    let (_, ran) = commit_logged(&env, &dir, &log, "BC-3: config changed");
    assert_eq!(ran, "commit-msg\npost-commit\n");
    let (_, ran) = commit_logged(&env, &dir, &log, "BC-3: and again");
    assert_eq!(ran, "post-commit\n");

    // A linked worktree finds the mark through its own git folder.
    let wt = env.root.join("wt");
    env.git(&["worktree", "add", "-q", wt.to_str().unwrap(), "-b", "side"]);
    let _ = std::fs::remove_file(&log);
    let mut cmd = env.git_cmd();
    let mut paths = vec![dir.clone()];
    paths.extend(std::env::split_paths(&crate::common::path_with_binary()));
    cmd.env("PATH", std::env::join_paths(paths).unwrap())
        .current_dir(&wt)
        .args([
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "BC-3: from the worktree",
        ]);
    let r = crate::common::run(&mut cmd);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "post-commit\n");
    let side = env.git(&["rev-parse", "side"]).trim().to_owned();
    assert!(commits_of(&env, "BC-3").contains(&side));
}
