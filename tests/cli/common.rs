//! A hermetic environment: a temporary repository, a fixed identity and fixed
//! dates, no user or system git config.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const DATE: &str = "2026-01-02T03:04:05Z";

pub struct Env {
    /// `None` for a repository that lives under another `Env`'s root.
    _dir: Option<tempfile::TempDir>,
    pub root: PathBuf,
    pub repo: PathBuf,
}

pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// All a user sees of a command, for a snapshot: its exit status, then
    /// stdout, then stderr.
    pub fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Snapshots a transcript with what differs between runs (ULIDs, commit
/// ids) replaced by placeholders.
#[macro_export]
macro_rules! assert_transcript {
    ($name:expr, $run:expr) => {
        insta::with_settings!({filters => vec![
            (r"\b[0-9A-HJKMNP-TV-Z]{26}\b", "[ULID]"),
            (r"\b[0-9a-f]{40}\b", "[COMMIT]"),
            (r"\b[0-9a-f]{7,12}\b", "[SHORT]"),
        ]}, {
            insta::assert_snapshot!($name, $run.transcript());
        })
    };
}

impl Env {
    /// A repository named `bug-catcher` with one commit on `main`.
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        let repo = root.join("bug-catcher");
        std::fs::create_dir_all(&repo).unwrap();
        // GIT_ISSUE_KEEP_TEST_DIRS=1 keeps the repositories for a look
        // after a failure.
        let dir = if std::env::var_os("GIT_ISSUE_KEEP_TEST_DIRS").is_some() {
            eprintln!("keeping {}", dir.keep().display());
            None
        } else {
            Some(dir)
        };
        let env = Env {
            _dir: dir,
            root,
            repo,
        };
        env.git(&["init", "-q", "-b", "main"]);
        std::fs::write(env.repo.join("README"), "hello\n").unwrap();
        env.git(&["add", "README"]);
        env.git(&["commit", "-q", "-m", "Initial commit"]);
        env
    }

    /// `new` followed by `init --key BC`.
    pub fn with_tracker() -> Env {
        let env = Env::new();
        env.ok(&["init", "--key", "BC"]);
        env
    }

    /// Another repository under this one's temporary root, driven with the
    /// same hermetic environment; it lives as long as `self` does.
    pub fn sibling(&self, name: &str) -> Env {
        let repo = self.root.join(name);
        std::fs::create_dir_all(&repo).unwrap();
        Env {
            _dir: None,
            root: self.root.clone(),
            repo,
        }
    }

    fn hermetic(&self, cmd: &mut Command) {
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "EDITOR",
            "VISUAL",
            "GIT_EDITOR",
        ] {
            cmd.env_remove(var);
        }
        cmd.current_dir(&self.repo)
            .env("HOME", &self.root)
            .env("XDG_CONFIG_HOME", self.root.join(".config"))
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Alice Example")
            .env("GIT_AUTHOR_EMAIL", "alice@example.com")
            .env("GIT_COMMITTER_NAME", "Alice Example")
            .env("GIT_COMMITTER_EMAIL", "alice@example.com")
            .env("GIT_AUTHOR_DATE", DATE)
            .env("GIT_COMMITTER_DATE", DATE)
            .env("NO_COLOR", "1")
            .env("TERM", "dumb");
    }

    /// Any program, run in the repository with the hermetic environment
    /// (a client that starts git-issue itself, like an MCP host).
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        self.hermetic(&mut cmd);
        cmd
    }

    pub fn git_cmd(&self) -> Command {
        let mut cmd = Command::new("git");
        self.hermetic(&mut cmd);
        cmd
    }

    /// Runs git and returns its stdout; panics when it fails.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_cmd().args(args).output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-issue"));
        self.hermetic(&mut cmd);
        cmd.stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run(self.cmd().args(args))
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        self.run_with_env(args, &[], stdin)
    }

    /// Runs git-issue with extra environment variables and `stdin` as its
    /// input.
    pub fn run_with_env(&self, args: &[&str], vars: &[(&str, &str)], stdin: &str) -> Run {
        use std::io::Write;
        let mut cmd = self.cmd();
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn git-issue");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        to_run(child.wait_with_output().unwrap())
    }

    /// Runs git-issue, asserts success, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "git-issue {args:?} failed\nstdout: {}\nstderr: {}",
            r.stdout, r.stderr
        );
        r.stdout
    }

    /// Runs git-issue, asserts it failed with one of the documented exit
    /// statuses (1 to 5: never a crash) and said why on stderr.
    pub fn fail(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert!(
            (1..=5).contains(&r.code) && r.stderr.starts_with("error: "),
            "git-issue {args:?} should fail with a message\nexit: {}\nstdout: {}\nstderr: {}",
            r.code,
            r.stdout,
            r.stderr
        );
        r
    }

    /// Runs git-issue, asserts it failed with exit status `code`.
    pub fn fail_with(&self, code: i32, args: &[&str]) -> Run {
        let r = self.fail(args);
        assert_eq!(
            r.code, code,
            "git-issue {args:?} should exit {code}\nstderr: {}",
            r.stderr
        );
        r
    }

    /// Files an issue and returns its key.
    pub fn new_issue(&self, title: &str, extra: &[&str]) -> String {
        let mut args = vec!["new", title];
        args.extend_from_slice(extra);
        self.ok(&args).trim().to_owned()
    }

    /// A file on the issues branch, as git shows it.
    pub fn branch_file(&self, path: &str) -> String {
        self.git(&["cat-file", "-p", &format!("issues:{path}")])
    }

    pub fn tip(&self) -> String {
        self.git(&["rev-parse", "issues"]).trim().to_owned()
    }

    /// Replaces a file on the issues branch the way a person would: in a
    /// worktree of the branch, with a commit of their own.
    pub fn commit_by_hand(&self, path: &str, content: &str) {
        self.by_hand(&format!("Edit {path} by hand"), |wt| {
            let file = wt.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, content).unwrap();
        });
    }

    /// Commits on the issues branch with plain git, as a person would in a
    /// worktree of it: `change` edits the worktree's files, then everything
    /// is added and committed. The worktree is left detached, so the branch
    /// is not checked out anywhere afterwards.
    pub fn by_hand(&self, message: &str, change: impl FnOnce(&Path)) {
        let wt = self.root.join("by-hand");
        if !wt.exists() {
            self.git(&["worktree", "add", "-q", wt.to_str().unwrap(), "issues"]);
        } else {
            self.git_in(&wt, &["checkout", "-q", "issues"]);
        }
        change(&wt);
        self.git_in(&wt, &["add", "-A"]);
        self.git_in(&wt, &["commit", "-q", "-m", message]);
        self.git_in(&wt, &["checkout", "-q", "--detach"]);
    }

    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self
            .git_cmd()
            .current_dir(dir)
            .args(args)
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs git-issue with `editor` as GIT_EDITOR and `answers` on stdin
    /// (for the "Re-open the editor?" question).
    pub fn run_editor(&self, args: &[&str], editor: &Path, answers: &str) -> Run {
        let editor = editor.to_str().expect("a UTF-8 path");
        self.run_with_env(args, &[("GIT_EDITOR", editor)], answers)
    }

    /// Writes an executable script under the test's root.
    pub fn script(&self, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self.root.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }
}

/// PATH with the built binary first, as it would be for a user who
/// installed git-issue: hooks and git's merge driver find it as `git-issue`.
pub fn path_with_binary() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_git-issue"))
        .parent()
        .expect("binary folder");
    let mut paths = vec![bin.to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).expect("PATH")
}

pub fn run(cmd: &mut Command) -> Run {
    to_run(cmd.output().expect("run git-issue"))
}

fn to_run(out: Output) -> Run {
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}
