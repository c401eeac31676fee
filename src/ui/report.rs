//! How a failure reads, for every front end (the command line, the MCP
//! server): one sentence, a hint where one helps, and an exit
//! status by its kind. Every hint of the program is here.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | done |
//! | 1 | refused (a value `tracker.yml` does not allow, an empty title) or the machine failed (git missing, a disk error) |
//! | 2 | the command line is wrong (clap's usage errors, a query or key that does not parse) |
//! | 3 | not found: no such issue, tracker, remote, commit or template |
//! | 4 | conflict: someone else was in the way (a lock held, a remote that kept moving); try again |
//! | 5 | broken data: a file on the branch needs repair (`git issue doctor`) |
//! | 9 | `git issue hook commit-msg` refuses the commit (`hooks.strict`); the hook shims refuse on 9 alone |

use crate::site::SiteError;
use crate::store::{StoreError, TransportError};
use crate::tracker::{Error, ErrorKind, store_kind};

/// What to tell the user about a failure.
pub struct Report {
    pub message: String,
    pub hint: Option<String>,
    pub code: u8,
}

/// Reads a failure: the outermost message, and the kind and hint of the
/// first error in the chain that has them.
pub fn report(e: &anyhow::Error) -> Report {
    let mut kind = None;
    let mut hint = None;
    for cause in e.chain() {
        if let Some(t) = cause.downcast_ref::<Error>() {
            kind = Some(t.kind());
            hint = tracker_hint(t);
            break;
        }
        if let Some(s) = cause.downcast_ref::<StoreError>() {
            kind = Some(store_kind(s));
            break;
        }
        if let Some(b) = cause.downcast_ref::<crate::bridge::Error>() {
            if let crate::bridge::Error::Tracker(t) = b {
                kind = Some(t.kind());
                hint = tracker_hint(t);
            } else {
                kind = Some(b.kind());
                hint = bridge_hint(b);
            }
            break;
        }
        if let Some(s) = cause.downcast_ref::<SiteError>() {
            kind = Some(match s {
                SiteError::BadBaseUrl(_) => ErrorKind::Usage,
                _ => ErrorKind::Environment,
            });
            // A site error that wraps a tracker error reads as that one.
            continue;
        }
    }
    Report {
        message: e.to_string(),
        hint,
        code: kind.map_or(1, ErrorKind::exit_code),
    }
}

/// What to do about a failed bridge.
fn bridge_hint(e: &crate::bridge::Error) -> Option<String> {
    use crate::bridge::Error as B;
    match e {
        B::NoTool { program, .. } => Some(format!(
            "install {program} and log in ({program} auth login), or save the API's JSON and use git issue bridge import"
        )),
        B::Tool { program, .. } => Some(format!("{program} auth status shows whether you are logged in")),
        B::Http { status: 401 | 403, .. } => Some(
            "check the token (git config issue.jira.token) and, for Jira Cloud, your email (git config issue.jira.user)"
                .to_owned(),
        ),
        _ => None,
    }
}

/// A second line that tells the user what to do next.
fn tracker_hint(e: &Error) -> Option<String> {
    match e {
        Error::NotInitialized { .. } => Some("run git issue init to create it".to_owned()),
        Error::RemoteTracker { remote, .. } => Some(format!(
            "run git issue init to use {remote}'s tracker here; git issue sync keeps it in step"
        )),
        Error::Deleted { renumbered, .. } if !renumbered.is_empty() => Some(format!(
            "git issue show {} shows the issue that has it now",
            renumbered[0]
        )),
        Error::Deleted { key, .. } => Some(format!("git issue log {key} shows its history")),
        Error::NoSuchIssue(_) => Some("git issue list --all shows the keys in use".to_owned()),
        Error::Transport(TransportError::NoSuchRemote(name))
            if name.contains(['/', ':', '\\']) =>
        {
            Some(format!(
                "name a remote, not a URL or a path: git remote add NAME {name}, then git issue sync NAME"
            ))
        }
        Error::Transport(TransportError::NoSuchRemote(_)) => {
            Some("git remote -v lists the remotes of this repository".to_owned())
        }
        Error::BadFile(p) => Some(match crate::format::layout::BranchPath::parse(&p.path) {
            crate::format::layout::BranchPath::Issue(key) => {
                format!("fix the file with git issue edit {key}, or see git issue doctor")
            }
            _ => "git issue doctor lists every problem on the branch".to_owned(),
        }),
        Error::DuplicateId { .. } => {
            Some("git issue doctor --fix gives the later-filed one a new id".to_owned())
        }
        Error::Problems(_) => Some(
            "git issue doctor --fix repairs what it can; git issue edit KEY opens a file to fix by hand"
                .to_owned(),
        ),
        Error::Query(_) => Some(
            "the query language is in the README, under \"Search and the query language\""
                .to_owned(),
        ),
        _ => None,
    }
}
