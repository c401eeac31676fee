//! What can go wrong in an operation, by kind. Each error says what failed
//! and carries what a person needs to find it (the key, the path and line);
//! [`ErrorKind`] says which kind of failure it is, which the command line
//! turns into an exit status and a hint.

pub use crate::format::Problem;
use crate::index::IndexError;
use crate::query::QueryError;
use crate::store::{StoreError, TransportError};

/// The kinds of failure, each with its exit status (see `docs/architecture.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Something the tracker refuses: a value `tracker.yml` does not allow,
    /// an empty title, a line of an import that does not read. Exit 1.
    Refused,
    /// The command line itself is wrong: a query that does not parse, a
    /// key that is not a key. Exit 2.
    Usage,
    /// What was asked for is not there: an issue, the tracker, a remote, a
    /// commit, a template. Exit 3.
    NotFound,
    /// Someone else was in the way: a lock held too long, a remote that kept
    /// moving. Trying again later may work. Exit 4.
    Conflict,
    /// A file on the branch is broken and needs repair. Exit 5.
    Broken,
    /// The machine failed us: git missing, a disk error. Exit 1.
    Environment,
    /// The commit-msg hook refuses the commit (`hooks.strict`). Exit 9,
    /// which the hook shims take as a refusal and nothing else does.
    CommitRefused,
}

impl ErrorKind {
    /// The exit status of a command that failed this way.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Refused | ErrorKind::Environment => 1,
            ErrorKind::Usage => 2,
            ErrorKind::NotFound => 3,
            ErrorKind::Conflict => 4,
            ErrorKind::Broken => 5,
            ErrorKind::CommitRefused => 9,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("this repository has no issue tracker yet (no {branch} branch)")]
    NotInitialized { branch: String },
    /// A clone whose remote has an issues branch, not yet taken up here.
    #[error("{remote} has an issue tracker (branch {branch}), not yet used in this clone")]
    RemoteTracker { remote: String, branch: String },
    #[error("no issue {0}")]
    NoSuchIssue(String),
    /// An issue that was deleted: its number is never given out again.
    #[error("{key} was deleted{}{}{}", .when.as_ref().map(|w| format!(" on {w}")).unwrap_or_default(), .by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default(), renumbered_too(.renumbered))]
    Deleted {
        key: String,
        when: Option<String>,
        by: Option<String>,
        /// Issues that had the key too, before a sync renumbered them.
        renumbered: Vec<String>,
    },
    #[error("{0}")]
    BadFile(Problem),
    /// The branch declares a format this build does not know (its
    /// `tracker.yml`, or the one a remote has): nothing is changed.
    #[error("{0}")]
    Format(Problem),
    #[error("{key} has been the key of {}; show one of them", .holders.join(" and "))]
    AmbiguousKey { key: String, holders: Vec<String> },
    #[error("{0}")]
    Query(#[from] QueryError),
    #[error("{0:?} is not an issue key like {1}-12")]
    BadKey(String, String),
    #[error("--{flag}: {message}")]
    BadFlag { flag: String, message: String },
    /// A value or a request the tracker's rules refuse, in words.
    #[error("{0}")]
    Refused(String),
    #[error("{what} needs {needs}")]
    Empty {
        what: &'static str,
        needs: &'static str,
    },
    #[error("no template {name:?}{}", available_templates(.available))]
    NoTemplate {
        name: String,
        available: Vec<String>,
    },
    #[error("no reply {name:?}{}", available_replies(.available))]
    NoReply {
        name: String,
        available: Vec<String>,
    },
    #[error("{key} has no attachment {name:?}{}", available_attachments(.available))]
    NoAttachment {
        key: String,
        name: String,
        available: Vec<String>,
    },
    #[error("{key} has no linked {what} {value}")]
    NoLink {
        key: String,
        what: &'static str,
        value: String,
    },
    #[error("line {line}: {message}")]
    BadLine { line: usize, message: String },
    #[error("{}", kept_moving(.remote, *.attempts, .locked.as_deref()))]
    RemoteKeptMoving {
        remote: String,
        attempts: usize,
        /// git's words when every push found the remote's branch locked.
        locked: Option<String>,
    },
    #[error("{} have the same id {id}; sync does not send a tracker git issue doctor calls broken", .keys.join(" and "))]
    DuplicateId { id: String, keys: Vec<String> },
    #[error("{0} problem{s} found", s = if *.0 == 1 { "" } else { "s" })]
    Problems(usize),
    #[error("{0}")]
    CommitRefused(String),
    /// A failure of the program itself: a worker thread gone.
    #[error("{0}")]
    Internal(String),
    /// A change made from a stale view: fields it meant to change were
    /// changed meanwhile; `now` holds their values as they are.
    #[error("{key} changed meanwhile: {} now {}", fields_now(.now), if .now.len() == 1 { "is" } else { "are" })]
    Stale {
        key: String,
        now: Vec<(String, String)>,
    },
}

fn renumbered_too(keys: &[String]) -> String {
    match keys {
        [] => String::new(),
        [one] => format!("; {one} had that key too, before a sync renumbered it"),
        many => format!(
            "; {} had that key too, before syncs renumbered them",
            many.join(" and ")
        ),
    }
}

fn kept_moving(remote: &str, attempts: usize, locked: Option<&str>) -> String {
    match locked {
        Some(why) => format!(
            "gave up after {attempts} attempts: {remote}'s branch stayed locked ({why}); if no one is pushing to it, a git process there stopped halfway and left its lock file, which its owner must remove"
        ),
        None => format!(
            "gave up after {attempts} attempts: others kept pushing to {remote} meanwhile; what came in is merged here, run git issue sync again to send yours"
        ),
    }
}

fn fields_now(now: &[(String, String)]) -> String {
    now.iter()
        .map(|(f, v)| format!("{f} {v:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn available_templates(names: &[String]) -> String {
    if names.is_empty() {
        ": the branch has no templates/ folder".to_owned()
    } else {
        format!("; there are: {}", names.join(", "))
    }
}

fn available_replies(names: &[String]) -> String {
    if names.is_empty() {
        ": there are none yet (git issue replies add NAME)".to_owned()
    } else {
        format!("; there are: {}", names.join(", "))
    }
}

fn available_attachments(names: &[String]) -> String {
    if names.is_empty() {
        ": it has none".to_owned()
    } else {
        format!("; it has: {}", names.join(", "))
    }
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        use ErrorKind as K;
        match self {
            Error::Store(e) => store_kind(e),
            Error::Transport(TransportError::NoSuchRemote(_)) => K::NotFound,
            Error::Transport(_) => K::Environment,
            Error::Index(IndexError::Busy(_)) => K::Conflict,
            Error::Index(_) => K::Environment,
            Error::NotInitialized { .. }
            | Error::RemoteTracker { .. }
            | Error::Deleted { .. }
            | Error::NoSuchIssue(_)
            | Error::NoTemplate { .. }
            | Error::NoReply { .. }
            | Error::NoAttachment { .. }
            | Error::NoLink { .. } => K::NotFound,
            Error::AmbiguousKey { .. } => K::Usage,
            Error::BadFile(_) | Error::DuplicateId { .. } | Error::Problems(_) => K::Broken,
            Error::Query(_) | Error::BadKey(..) | Error::BadFlag { .. } => K::Usage,
            Error::Refused(_) | Error::Empty { .. } | Error::BadLine { .. } => K::Refused,
            Error::RemoteKeptMoving { .. } | Error::Stale { .. } => K::Conflict,
            Error::Internal(_) | Error::Format(_) => K::Environment,
            Error::CommitRefused(_) => K::CommitRefused,
        }
    }
}

/// The kind of a failure of the store.
pub fn store_kind(e: &StoreError) -> ErrorKind {
    match e {
        StoreError::NotARepository(_) | StoreError::UnknownCommit(_) => ErrorKind::NotFound,
        StoreError::Locked { .. }
        | StoreError::TooManyRetries(_)
        | StoreError::CheckedOut { .. } => ErrorKind::Conflict,
        StoreError::NoIdentity => ErrorKind::Refused,
        StoreError::NotText { .. } | StoreError::BadRef { .. } => ErrorKind::Broken,
        StoreError::Git(_) => ErrorKind::Environment,
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
