//! The view of one issue's page.

use super::*;

/// The page of the issue at `index` of the corpus (`rows` are the
/// corpus's rows, by number): the one place that decides what an issue page
/// shows (add a field to [`IssuePage`] and fill it here).
pub fn issue_page(corpus: &Corpus, pages: &Pages, index: usize, frame: &Frame) -> IssuePage {
    let config = &corpus.config;
    let rows = &pages.rows;
    let link = |text: &str| -> IssueLink {
        match row_of(rows, text, config) {
            Some(r) => link_to(r),
            None => IssueLink {
                key: Key::parse_with_default(text, &config.key)
                    .map_or_else(|| text.to_owned(), |k| k.to_string()),
                title: None,
                href: None,
                closed: false,
            },
        }
    };
    let e = &corpus.entries[index];
    let r = &rows[index];
    {
        let i = &e.issue;
        IssuePage {
            frame: frame.clone(),
            row: r.clone(),
            reporter: i.reporter.clone(),
            votes: crate::format::fields::vote_count(i),
            confidential: i.confidential,
            aliases: i.aliases.clone(),
            body: i.body.clone(),
            comments: e
                .comments
                .iter()
                .map(|r| (&r.id, &r.comment))
                .map(|(id, c)| CommentView {
                    id: id.clone(),
                    author: c.author.clone(),
                    created: c.created.as_second(),
                    internal: c.internal,
                    body: c.body.clone(),
                })
                .collect(),
            commits: i
                .commits
                .iter()
                .map(|id| match corpus.commits.get(id) {
                    Some(c) => CommitView {
                        id: c.id.clone(),
                        summary: Some(c.summary.clone()),
                        author: Some(c.author.clone()),
                        time: Some(c.time.as_second()),
                    },
                    None => CommitView {
                        id: id.clone(),
                        summary: None,
                        author: None,
                        time: None,
                    },
                })
                .collect(),
            prs: i.prs.clone(),
            paths: i
                .get(crate::format::fields::named("paths"))
                .texts()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            bridge: match i.get(crate::format::fields::named("bridge")) {
                crate::format::fields::Val::Map(b) => b.get("key").map(|k| BridgeView {
                    service: match b.get("service").map(String::as_str) {
                        Some("github") => "GitHub".to_owned(),
                        Some("gitlab") => "GitLab".to_owned(),
                        Some("jira") => "Jira".to_owned(),
                        other => other.unwrap_or_default().to_owned(),
                    },
                    key: k.clone(),
                    url: b.get("url").cloned(),
                }),
                _ => None,
            },
            duplicate_of: i.duplicate_of.as_deref().map(link),
            duplicates: pages.duplicates.get(&r.key).cloned().unwrap_or_default(),
            related: i.related.iter().map(|r| link(r)).collect(),
            attachments: e
                .attachments
                .iter()
                .map(|a| AttachmentView {
                    name: a.clone(),
                    path: attachment_path(&r.key, a),
                    image: extension(a).is_some_and(|e| IMAGES.contains(&e.as_str())),
                })
                .collect(),
            occurrences: (e.occurrences.occurrences > 0).then(|| OccurrencesView {
                count: e.occurrences.occurrences,
                first_seen: e.occurrences.first_seen.map(|t| t.as_second()),
                last_seen: e.occurrences.last_seen.map(|t| t.as_second()),
                hosts: e.occurrences.hosts.iter().cloned().collect(),
            }),
            history: e
                .history
                .iter()
                .map(|r| HistoryView {
                    commit: r.commit.clone(),
                    author: r.author.clone(),
                    time: r.time.as_second(),
                    message: r.message.clone(),
                })
                .collect(),
            milestone_slug: i.milestone.as_deref().map(slug),
        }
    }
}

/// The distinct words of some texts, lower case, in first-seen order: what
/// full-text search looks through, a fraction of the size of the texts.
pub(in crate::site) fn words<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut out = String::new();
    let mut lower = String::new();
    for text in texts {
        for w in text.split(|c: char| !c.is_alphanumeric()) {
            if w.is_empty() || w.len() > 40 {
                continue;
            }
            lower.clear();
            if w.is_ascii() {
                lower.push_str(w);
                lower.make_ascii_lowercase();
            } else {
                lower.push_str(&w.to_lowercase());
            }
            if !seen.contains(lower.as_str()) {
                seen.insert(lower.clone());
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&lower);
            }
        }
    }
    out
}
