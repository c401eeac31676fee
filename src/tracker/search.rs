//! Queries, served from the index, which every read first brings up to date
//! with the branch tip by diffing the tree it reflects against the tip's:
//! a change made by anyone (a fetch, `git update-ref`, another process) is
//! seen by the next command and costs in proportion to what changed.
//!
//! When the index cannot be used at all (a disk error, a lock held too
//! long), the same query is answered by reading the files, so a read never
//! fails for the sake of a cache.

use super::audience::Audience;
use super::read::{comments_by_audience, comments_text, locate, read_config, scan, tally_of};
use super::{Count, Error, Listing, Problem, Record, Result, Tracker};
use crate::format::{Config, Key, Summary};
use crate::index::{Index, Tallied, Words};
use crate::query::{Expr, Field, Query, Sort, TextFields};
use crate::store::Snapshot;

/// Told how far a long job (a rebuild of the index, an import) has got.
pub trait Progress {
    fn start(&self, _what: &str, _total: u64) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

/// No progress to show.
pub struct Quiet;

impl Progress for Quiet {}

/// What a `list` or `search` found.
#[derive(Debug, Default)]
pub struct Found {
    pub records: Vec<Record>,
    /// Relevance scores, for a search, in the order of `records`.
    pub scores: Vec<f32>,
    /// How many issues matched in all, before paging.
    pub total: usize,
    pub problems: Vec<Problem>,
    /// Set when the index could not be used and the files were read.
    pub fallback: Option<String>,
    /// For a search, a highlighted fragment per record where its text matched.
    pub snippets: Vec<Option<Snippet>>,
}

/// What `list` found: a row per issue, no more of it than a row prints.
#[derive(Debug, Default)]
pub struct Listed {
    pub rows: Vec<(Key, Summary)>,
    /// How many issues matched in all, before paging.
    pub total: usize,
    pub problems: Vec<Problem>,
    /// Set when the index could not be used and the files were read.
    pub fallback: Option<String>,
}

/// A highlighted fragment of an issue's text.
#[derive(Debug, Clone)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges of the matched words in `text`.
    pub highlights: Vec<std::ops::Range<usize>>,
}

/// How a page of results is asked for.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub sort: Sort,
    /// Rank by relevance rather than by `sort`.
    pub by_score: bool,
    pub offset: usize,
    pub limit: Option<usize>,
}

impl Tracker {
    /// Parses a query in the language of `list` and `search`.
    pub fn parse_query(&self, text: &str, config: &Config) -> Result<Query> {
        let mut query = Query::parse(text, config, self.store.now())?;
        self.resolve_paths(&mut query.expr)?;
        Ok(query)
    }

    /// The condition `--label a --label b` and the like put on a field:
    /// the same as `label:a,b` in a query, refused the same way.
    pub fn query_term(&self, qualifier: &str, values: &[String], config: &Config) -> Result<Expr> {
        let values: Vec<String> = values.iter().map(|v| v.trim().to_lowercase()).collect();
        let field = crate::format::fields::by_qualifier(qualifier)
            .ok_or_else(|| Error::Internal(format!("{qualifier:?} is not a field")))?;
        crate::query::field_term(field, &values, config, self.store.now()).map_err(|message| {
            Error::BadFlag {
                flag: qualifier.to_owned(),
                message,
            }
        })
    }

    /// The issues matching `expr`, a page of them in order.
    pub fn find(&self, expr: &Expr, page: Page, progress: &dyn Progress) -> Result<Found> {
        self.find_maybe_snippets(expr, page, false, Audience::Team, progress)
    }

    /// Like [`Tracker::find`] in `page.sort` order, with a row's worth of
    /// each issue: what `list` prints, at the cost of printing it.
    pub fn list(&self, expr: &Expr, page: Page, progress: &dyn Progress) -> Result<Listed> {
        let listed = self.with_index(progress, |index| {
            let (rows, total) =
                index.summaries(expr, Words::All, page.sort, page.offset, page.limit)?;
            Ok(Listed {
                rows,
                total,
                problems: index.problems()?.into_iter().collect(),
                fallback: None,
            })
        })?;
        match listed {
            Ok(listed) => Ok(listed),
            Err(why) => {
                let found = self.find_by_scan_for(expr, page, Audience::Team)?;
                Ok(Listed {
                    rows: (found.records.iter())
                        .map(|r| (r.key.clone(), Summary::of(&r.issue)))
                        .collect(),
                    total: found.total,
                    problems: found.problems,
                    fallback: Some(why),
                })
            }
        }
    }

    /// Like [`Tracker::find`], with a snippet of each issue's text where the
    /// query's words matched.
    pub fn search(&self, expr: &Expr, page: Page, progress: &dyn Progress) -> Result<Found> {
        self.find_maybe_snippets(expr, page, expr.has_text(), Audience::Team, progress)
    }

    /// The issues matching `expr` in the text `audience` may read.
    pub(super) fn find_maybe_snippets(
        &self,
        expr: &Expr,
        page: Page,
        snippets: bool,
        audience: Audience,
        progress: &dyn Progress,
    ) -> Result<Found> {
        let found = self.with_index(progress, |index| {
            let mut found = self.find_in(index, expr, page, audience)?;
            if snippets {
                found.snippets = self.snippets_in(index, expr, &found.records, audience)?;
            }
            Ok(found)
        })?;
        match found {
            Ok(found) => Ok(found),
            Err(why) => {
                let mut found = self.find_by_scan_for(expr, page, audience)?;
                found.fallback = Some(why);
                Ok(found)
            }
        }
    }

    fn find_in(&self, index: &Index, expr: &Expr, page: Page, audience: Audience) -> Result<Found> {
        let words = match audience {
            Audience::Team => Words::All,
            Audience::Public => Words::Public,
        };
        let (hits, total) = index.search(
            expr,
            words,
            page.sort,
            page.by_score,
            page.offset,
            page.limit,
        )?;
        let problems = index.problems()?.into_iter().collect();
        let scores = hits.iter().map(|h| h.score).collect();
        Ok(Found {
            records: hits
                .into_iter()
                .map(|h| Record {
                    key: h.key,
                    issue: h.issue,
                })
                .collect(),
            scores,
            total,
            problems,
            fallback: None,
            snippets: Vec::new(),
        })
    }

    /// The same query answered by reading every file: what the index is
    /// checked against, and the way out when the index is unusable.
    pub fn find_by_scan(&self, expr: &Expr, page: Page) -> Result<Found> {
        self.find_by_scan_for(expr, page, Audience::Team)
    }

    /// [`Tracker::find_by_scan`] in the text `audience` may read (the
    /// caller leaves out what else it may not see).
    pub fn find_by_scan_for(&self, expr: &Expr, page: Page, audience: Audience) -> Result<Found> {
        let snap = self.snapshot()?;
        let config = read_config(&snap)?;
        let Listing { records, problems } = scan(&snap)?;
        let mut matched = Vec::new();
        for mut r in records {
            tally_of(&snap, &r.key)?.apply(&mut r.issue);
            let comments = if expr.reads_text() {
                audience_text(&snap, &r.key, audience)?
            } else {
                String::new()
            };
            let text = TextFields::new(&r.issue, &comments, &config);
            if expr.matches(&r.key.to_string(), &r.issue, &text, &config) {
                matched.push(r);
            }
        }
        matched.sort_by(|a, b| {
            page.sort
                .compare((&a.key, &a.issue), (&b.key, &b.issue), &config)
        });
        let total = matched.len();
        let mut records: Vec<Record> = matched.into_iter().skip(page.offset).collect();
        if let Some(limit) = page.limit {
            records.truncate(limit);
        }
        Ok(Found {
            scores: vec![0.0; records.len()],
            records,
            total,
            problems,
            fallback: None,
            snippets: Vec::new(),
        })
    }

    fn snippets_in(
        &self,
        index: &Index,
        expr: &Expr,
        records: &[Record],
        audience: Audience,
    ) -> Result<Vec<Option<Snippet>>> {
        let snap = self.snapshot()?;
        let maker = index.snippet_maker(expr);
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            // The description, cut from the file without reading its fields;
            // the comments only when the description has none of the words.
            let body = match locate(&snap, &r.key) {
                Ok((_, path)) => snap
                    .read(&path)?
                    .and_then(|text| crate::format::yaml::body_of(&text))
                    .unwrap_or_default(),
                // Deleted since the index was brought up to date.
                Err(Error::NoSuchIssue(_)) => String::new(),
                Err(e) => return Err(e),
            };
            let fragment = match maker.of_body(&body) {
                Some(f) => Some(f),
                None => maker.of_comments(&audience_text(&snap, &r.key, audience)?),
            };
            out.push(fragment.map(|(text, highlights)| Snippet { text, highlights }));
        }
        Ok(out)
    }

    /// Every issue matching `expr` with its computed fields and its
    /// occurrences per day, from the index (the files, when the index
    /// cannot be used; the second value then says why).
    pub fn tallies(
        &self,
        expr: &Expr,
        progress: &dyn Progress,
    ) -> Result<(Vec<Tallied>, Option<String>)> {
        match self.with_index(progress, |index| Ok(index.tallies(expr)?))? {
            Ok(found) => Ok((found, None)),
            Err(why) => Ok((self.tallies_by_scan(expr)?, Some(why))),
        }
    }

    fn tallies_by_scan(&self, expr: &Expr) -> Result<Vec<Tallied>> {
        let snap = self.snapshot()?;
        let config = read_config(&snap)?;
        let mut out = Vec::new();
        for mut r in scan(&snap)?.records {
            let tally = tally_of(&snap, &r.key)?;
            tally.apply(&mut r.issue);
            let comments = if expr.reads_text() {
                comments_text(&snap, &r.key)?
            } else {
                String::new()
            };
            let text = TextFields::new(&r.issue, &comments, &config);
            if expr.matches(&r.key.to_string(), &r.issue, &text, &config) {
                out.push(Tallied {
                    key: r.key,
                    issue: r.issue,
                    days: tally.days,
                });
            }
        }
        out.sort_by_key(|t| t.key.number);
        Ok(out)
    }

    /// Open and closed counts per milestone or label.
    pub(super) fn counts(&self, of: Field) -> Result<(Vec<Count>, Vec<Problem>)> {
        let indexed = self.with_index(&Quiet, |index| {
            let counts = index.counts(of)?;
            let problems = index.problems()?;
            Ok((counts, problems))
        })?;
        let Ok((counts, problems)) = indexed else {
            return self.counts_by_scan(of);
        };
        let counts = counts
            .into_iter()
            .map(|(name, open, closed)| Count { name, open, closed })
            .collect();
        Ok((counts, problems.into_iter().collect()))
    }

    fn counts_by_scan(&self, of: Field) -> Result<(Vec<Count>, Vec<Problem>)> {
        let snap = self.snapshot()?;
        let config = read_config(&snap)?;
        let listing = scan(&snap)?;
        let mut counts: std::collections::BTreeMap<String, Count> = Default::default();
        for r in &listing.records {
            for name in r.issue.get(of).texts() {
                let c = counts.entry(name.to_owned()).or_insert_with(|| Count {
                    name: name.to_owned(),
                    ..Default::default()
                });
                if config.is_closed(&r.issue.status) {
                    c.closed += 1;
                } else {
                    c.open += 1;
                }
            }
        }
        Ok((counts.into_values().collect(), listing.problems))
    }
}

/// The comment bodies `audience` may read, joined as full text reads them.
fn audience_text(snap: &Snapshot<'_>, key: &Key, audience: Audience) -> Result<String> {
    match audience {
        Audience::Team => comments_text(snap, key),
        Audience::Public => Ok(comments_by_audience(snap, key)?.0),
    }
}
