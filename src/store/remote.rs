//! The remotes of the repository: fetching and pushing the issues branch.
//! The transport is the user's own `git` binary, so their credentials, ssh
//! config and proxies apply; reading refs is git2's.

use git2::ErrorCode;

use super::{Result, Store};

/// What `git push` said about the issues branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// The remote now holds our tip (or already did).
    Pushed,
    /// Someone pushed meanwhile (or held the remote's lock): fetch, merge and
    /// try again. `lock` holds git's words when the remote's branch was
    /// locked (`cannot lock ref 'refs/heads/issues': … File exists.`): by
    /// another push for a moment, or for good by one that crashed.
    Behind { lock: Option<String> },
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("there is no git remote named {0:?}")]
    NoSuchRemote(String),
    #[error("could not run git: {0}")]
    Spawn(#[from] std::io::Error),
    #[error("git fetch from {remote} failed: {message}")]
    Fetch { remote: String, message: String },
    #[error("git push to {remote} failed: {message}")]
    Push { remote: String, message: String },
}

impl Store {
    /// `refs/remotes/<remote>/issues`: where a fetch leaves the remote's branch.
    pub fn tracking_refname(&self, remote: &str) -> String {
        format!("refs/remotes/{remote}/{}", self.branch_name())
    }

    pub fn has_remote(&self, remote: &str) -> bool {
        self.config_string(&format!("remote.{remote}.url"))
            .is_some()
    }

    /// The names of the configured remotes, `origin` first.
    pub fn remotes(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .repo
            .remotes()
            .map(|r| {
                (0..r.len())
                    .filter_map(|i| r.get(i).ok().flatten().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        names.sort_by_key(|n| (n != "origin", n.clone()));
        names
    }

    /// Where a ref points, `None` when there is no such ref.
    pub fn ref_target(&self, refname: &str) -> Result<Option<String>> {
        match self.repo.find_reference(refname) {
            Ok(r) => Ok(Some(r.peel_to_commit()?.id().to_string())),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn git(&self) -> std::process::Command {
        let mut cmd = git_at(self.repo.path());
        cmd.stdin(std::process::Stdio::null());
        cmd
    }

    /// Fetches the remote's issues branch into its remote-tracking ref and
    /// returns its tip; `None` when the remote has no such branch.
    pub fn fetch_branch(&self, remote: &str) -> Result<Option<String>, TransportError> {
        if !self.has_remote(remote) {
            return Err(TransportError::NoSuchRemote(remote.to_owned()));
        }
        let tracking = self.tracking_refname(remote);
        let out = self
            .git()
            .args([
                "fetch",
                "--quiet",
                "--no-tags",
                "--no-write-fetch-head",
                "--",
            ])
            .arg(remote)
            .arg(format!("+{}:{tracking}", self.refname))
            .output()?;
        if !out.status.success() {
            let message = git_words(&out.stderr);
            if message.contains("couldn't find remote ref") {
                return Ok(None);
            }
            return Err(TransportError::Fetch {
                remote: remote.to_owned(),
                message,
            });
        }
        self.ref_target(&tracking)
            .map_err(|e| TransportError::Fetch {
                remote: remote.to_owned(),
                message: e.to_string(),
            })
    }

    /// Pushes the issues branch to the same name on the remote, never forced.
    pub fn push_branch(&self, remote: &str) -> Result<PushOutcome, TransportError> {
        let spec = format!("{0}:{0}", self.refname);
        let out = self
            .git()
            .args(["push", "--porcelain", "--quiet", "--"])
            .arg(remote)
            .arg(&spec)
            .output()?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        // Porcelain: `<flag>\t<from>:<to>\t<summary>`; `!` is a rejection.
        let line = stdout
            .lines()
            .find(|l| l.split('\t').nth(1) == Some(spec.as_str()));
        if let Some(line) = line {
            let mut parts = line.split('\t');
            let flag = parts.next().unwrap_or_default();
            let summary = parts.nth(1).unwrap_or_default().to_owned();
            if flag != "!" {
                return Ok(PushOutcome::Pushed);
            }
            let retry = [
                "fetch first",
                "non-fast-forward",
                "stale info",
                "lock",
                "failed to update ref",
            ];
            if retry.iter().any(|r| summary.contains(r)) {
                let stderr = git_words(&out.stderr);
                let lock = stderr
                    .lines()
                    .map(|l| l.trim_start_matches("remote:").trim())
                    .find(|l| l.contains("cannot lock ref"))
                    .map(|l| l.trim_start_matches("error:").trim().to_owned());
                return Ok(PushOutcome::Behind { lock });
            }
            return Err(TransportError::Push {
                remote: remote.to_owned(),
                message: format!("{summary} {}", git_words(&out.stderr))
                    .trim()
                    .to_owned(),
            });
        }
        if out.status.success() {
            return Ok(PushOutcome::Pushed);
        }
        Err(TransportError::Push {
            remote: remote.to_owned(),
            message: git_words(&out.stderr),
        })
    }
}

/// What git wrote to stderr, as text for a message: trimmed, without the
/// carriage returns ssh and progress lines leave, which a terminal obeys.
fn git_words(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .replace('\r', "")
        .trim()
        .to_owned()
}

/// The user's `git` on the repository at `git_dir`, speaking the words our
/// parsing of its output expects, not a translation.
pub(super) fn git_at(git_dir: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new("git");
    cmd.env("LC_ALL", "C")
        .arg("-c")
        .arg("core.fsmonitor=false")
        .arg("--git-dir")
        .arg(git_dir);
    cmd
}
