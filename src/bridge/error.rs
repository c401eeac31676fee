//! What a bridge can fail with, and how each failure exits.

use crate::tracker::{self, ErrorKind};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Tracker(#[from] tracker::Error),
    /// Input that is not what the service sends.
    #[error("{what}: {message}")]
    BadInput { what: String, message: String },
    /// `gh` or `glab` is not installed.
    #[error(
        "{program} is not installed or not on PATH; the {service} bridge runs it with your own login"
    )]
    NoTool { program: String, service: String },
    /// `gh api` or `glab api` failed.
    #[error("{program} {request} failed (exit status {status}): {message}")]
    Tool {
        program: String,
        request: String,
        status: i32,
        message: String,
    },
    /// The service answered with an error.
    #[error("{service} answered {status} to {request}: {message}")]
    Http {
        service: String,
        request: String,
        status: u16,
        message: String,
    },
    /// The service could not be reached.
    #[error("cannot reach {service} at {url}: {message}")]
    Unreachable {
        service: String,
        url: String,
        message: String,
    },
    #[error(
        "no Jira token: set it with git config issue.jira.token TOKEN or the JIRA_API_TOKEN environment variable"
    )]
    NoToken,
    /// A usage error the command line could not catch.
    #[error("{0}")]
    Usage(String),
    /// A push stopped half-way: what was sent is recorded, the rest is not.
    #[error(
        "{message}; sent and recorded before it: {}; run the same command again to send the rest (nothing is sent twice)",
        .sent.join(", ")
    )]
    Stopped {
        message: String,
        /// What was sent, in the user's words: `BC-12 created as #13`.
        sent: Vec<String>,
        #[source]
        cause: Box<Error>,
    },
    #[error("cannot keep the bridge's record in {path}: {source}")]
    State {
        path: String,
        source: std::io::Error,
    },
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Tracker(e) => e.kind(),
            Error::BadInput { .. } => ErrorKind::Refused,
            Error::NoTool { .. } => ErrorKind::Environment,
            Error::Tool { .. } | Error::Http { .. } | Error::Unreachable { .. } => {
                ErrorKind::Environment
            }
            Error::NoToken => ErrorKind::Refused,
            Error::Usage(_) => ErrorKind::Usage,
            Error::Stopped { cause, .. } => cause.kind(),
            Error::State { .. } => ErrorKind::Environment,
        }
    }
}

impl From<crate::store::StoreError> for Error {
    fn from(e: crate::store::StoreError) -> Self {
        Error::Tracker(e.into())
    }
}
