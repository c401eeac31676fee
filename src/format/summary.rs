//! What a listing shows of an issue: the fields of one row of `list`.
//!
//! The index keeps one beside each issue so that listing thousands of issues
//! costs what printing them costs, not what reading every field of every
//! issue back would (issue 16: a row was 15 µs, most of it rebuilding an
//! [`Issue`] that the row then printed six fields of).

use serde::{Deserialize, Serialize};

use super::Issue;

/// One row of a listing. Stored in the index (`index/row.rs`: fields
/// between separators, or compact JSON with one-letter names); nothing on
/// the branch has this shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    #[serde(rename = "t")]
    pub title: String,
    #[serde(rename = "s")]
    pub status: String,
    #[serde(rename = "p")]
    pub priority: String,
    #[serde(rename = "k")]
    pub kind: String,
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(rename = "l", default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    #[serde(rename = "c", default, skip_serializing_if = "std::ops::Not::not")]
    pub confidential: bool,
}

impl Summary {
    pub fn of(issue: &Issue) -> Summary {
        Summary {
            title: issue.title.clone(),
            status: issue.status.clone(),
            priority: issue.priority.clone(),
            kind: issue.kind.clone(),
            assignee: issue.assignee.clone(),
            labels: issue.labels.clone(),
            confidential: issue.confidential,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_reads_back_what_it_wrote() {
        let mut issue = Issue::new(
            "0b5e".into(),
            "Crash on \"save\"".into(),
            "bug".into(),
            "open".into(),
            "p1".into(),
            jiff::Timestamp::UNIX_EPOCH,
        );
        issue.labels = vec!["ui".into(), "save".into()];
        issue.assignee = Some("ada@example.com".into());
        for confidential in [false, true] {
            issue.confidential = confidential;
            let s = Summary::of(&issue);
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(serde_json::from_str::<Summary>(&json).unwrap(), s);
        }
    }
}
