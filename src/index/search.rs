//! Reading the index: searches in an order or by relevance, list rows,
//! the tallies of recorded errors, counts by field, problems and
//! snippets. Opening, writing and the files beside the index are in
//! `mod.rs` and `update.rs`.

use std::collections::BTreeSet;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query as TantivyQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, TantivyDocument, Term};

use super::schema::{SUMMARY, is_text_sort};
use super::translate::{const_score, term_query};
use super::{Hit, Index, Result, Tallied, Words, row};
use crate::format::{Issue, Key, Problem, Summary};
use crate::query::{Expr, Field, Sort, SortField};

/// Makes the snippets of one query ([`Index::snippet_maker`]).
pub struct SnippetMaker {
    body: Option<SnippetGenerator>,
    comments: Option<SnippetGenerator>,
}

/// A fragment of text and the byte ranges of the matched words in it.
pub type Fragment = (String, Vec<std::ops::Range<usize>>);

impl SnippetMaker {
    /// The best fragment of a description, if the query's words are in it.
    pub fn of_body(&self, text: &str) -> Option<Fragment> {
        Self::fragment(self.body.as_ref()?, text)
    }

    /// The best fragment of comments, if the query's words are in them.
    pub fn of_comments(&self, text: &str) -> Option<Fragment> {
        Self::fragment(self.comments.as_ref()?, text)
    }

    fn fragment(generator: &SnippetGenerator, text: &str) -> Option<Fragment> {
        let snippet = generator.snippet(text);
        (!snippet.highlighted().is_empty()).then(|| {
            (
                snippet.fragment().to_owned(),
                snippet.highlighted().to_vec(),
            )
        })
    }
}

impl Index {
    /// Issues matching `expr`, in `sort` order, the page `offset..offset+limit`,
    /// and the total number of matches. With `by_score`, the order is
    /// relevance (BM25) instead. Text matches the `words` of that audience.
    pub fn search(
        &self,
        expr: &Expr,
        words: Words,
        sort: Sort,
        by_score: bool,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<(Vec<Hit>, usize)> {
        if self.links_rule_out(expr) {
            return Ok((Vec::new(), 0));
        }
        let searcher = self.searcher()?;
        let (addresses, total) =
            self.addresses(&searcher, expr, words, sort, by_score, offset, limit)?;
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.err(e))?;
            if let Some((key, issue)) = self.stored_issue(&doc) {
                hits.push(Hit { key, issue, score });
            }
        }
        Ok((hits, total))
    }

    /// Like [`Index::search`] in `sort` order, with each issue's
    /// [`Summary`] instead of the whole issue: what a listing prints.
    pub fn summaries(
        &self,
        expr: &Expr,
        words: Words,
        sort: Sort,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<(Vec<(Key, Summary)>, usize)> {
        let searcher = self.searcher()?;
        let (addresses, total) =
            self.addresses(&searcher, expr, words, sort, false, offset, limit)?;
        // Each row from the rows' fast field: its ordinal per document,
        // then the rows of a segment read in ordinal order, each block of
        // the column's dictionary decoded once.
        let mut rows: Vec<Option<(Key, Summary)>> = vec![None; addresses.len()];
        let mut missing = Vec::new();
        let mut by_segment: Vec<Vec<(tantivy::DocId, usize)>> =
            vec![Vec::new(); searcher.segment_readers().len()];
        for (i, (_, address)) in addresses.iter().enumerate() {
            if let Some(wanted) = by_segment.get_mut(address.segment_ord as usize) {
                wanted.push((address.doc_id, i));
            }
        }
        for (ord, wanted) in by_segment.into_iter().enumerate() {
            if wanted.is_empty() {
                continue;
            }
            let segment = searcher.segment_reader(ord as u32);
            let column = segment
                .fast_fields()
                .bytes(SUMMARY)
                .map_err(|e| self.err(e))?;
            let Some(column) = column else {
                continue;
            };
            let mut ords: Vec<(u64, usize)> = Vec::with_capacity(wanted.len());
            for &(doc, i) in &wanted {
                match column.ords().first(doc) {
                    Some(o) => ords.push((o, i)),
                    None => missing.push(i),
                }
            }
            ords.sort_unstable();
            let just: Vec<u64> = ords.iter().map(|&(o, _)| o).collect();
            let mut next = ords.iter().map(|&(_, i)| i);
            column
                .dictionary()
                .sorted_ords_to_term_cb(&just, |bytes| {
                    if let Some(i) = next.next() {
                        rows[i] = row::decode(bytes);
                        if rows[i].is_none() {
                            missing.push(i);
                        }
                    }
                })
                .map_err(|e| self.err(e.into()))?;
        }
        // A row too long for the column (see `row::fits`) is made from
        // the stored issue.
        for i in missing {
            let doc: TantivyDocument = searcher.doc(addresses[i].1).map_err(|e| self.err(e))?;
            rows[i] = self
                .stored_issue(&doc)
                .map(|(key, issue)| (key, Summary::of(&issue)));
        }
        Ok((rows.into_iter().flatten().collect(), total))
    }

    /// The documents matching `expr` in order, the page asked for, and how
    /// many matched in all.
    #[allow(clippy::too_many_arguments)]
    fn addresses(
        &self,
        searcher: &tantivy::Searcher,
        expr: &Expr,
        words: Words,
        sort: Sort,
        by_score: bool,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<(Vec<(f32, DocAddress)>, usize)> {
        let query = self.issues_only(self.translate(expr, words));
        let total = searcher.search(&query, &Count).map_err(|e| self.err(e))?;
        let limit = limit.unwrap_or(total).min(total.saturating_sub(offset));
        if limit == 0 {
            return Ok((Vec::new(), total));
        }
        let top = || TopDocs::with_limit(limit).and_offset(offset);
        let order = if sort.descending {
            Order::Desc
        } else {
            Order::Asc
        };
        let addresses: Vec<(f32, DocAddress)> = if by_score {
            searcher.search(&query, &top().order_by_score())
        } else {
            let fast = |name: &str| {
                searcher
                    .search(&query, &top().order_by_fast_field::<u64>(name, order))
                    .map(|v| v.into_iter().map(|(_, a)| (0.0, a)).collect())
            };
            match sort.field {
                SortField::Key => fast("number"),
                SortField::Field(f) if is_text_sort(f) => searcher
                    .search(
                        &query,
                        &top().order_by_string_fast_field(&format!("s_{}", f.name), order),
                    )
                    .map(|v| v.into_iter().map(|(_, a)| (0.0, a)).collect()),
                SortField::Field(f) => fast(&format!("s_{}", f.name)),
            }
        }
        .map_err(|e| self.err(e))?;
        Ok((addresses, total))
    }

    fn stored_issue(&self, doc: &TantivyDocument) -> Option<(Key, Issue)> {
        let key: Key = doc.get_first(self.fields().key)?.as_str()?.parse().ok()?;
        let json = doc.get_first(self.fields().json)?.as_str()?;
        Some((key, Issue::from_json_str(json).ok()?))
    }

    /// Every issue matching `expr`, in no particular order, with its
    /// occurrences per day: what `analyze`, `metrics` and the like sum up
    /// without reading the branch.
    pub fn tallies(&self, expr: &Expr) -> Result<Vec<Tallied>> {
        let searcher = self.searcher()?;
        let query = self.issues_only(self.translate(expr, Words::All));
        let addresses = searcher
            .search(&query, &tantivy::collector::DocSetCollector)
            .map_err(|e| self.err(e))?;
        // In store order: each compressed block of the doc store is then
        // read once, where a hash set's order made most reads miss the
        // store's small block cache.
        let mut addresses: Vec<_> = addresses.into_iter().collect();
        addresses.sort_unstable();
        let mut out = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.err(e))?;
            let Some((key, issue)) = self.stored_issue(&doc) else {
                continue;
            };
            let days = doc
                .get_first(self.fields().days)
                .and_then(|v| v.as_str())
                .and_then(|j| serde_json::from_str(j).ok())
                .unwrap_or_default();
            out.push(Tallied { key, issue, days });
        }
        out.sort_by_key(|t| t.key.number);
        Ok(out)
    }

    /// The files that did not parse when the index was built.
    pub fn problems(&self) -> Result<Vec<Problem>> {
        let searcher = self.searcher()?;
        let query = TermQuery::new(
            Term::from_field_text(self.fields().kind, "problem"),
            IndexRecordOption::Basic,
        );
        let n = searcher.search(&query, &Count).map_err(|e| self.err(e))?;
        if n == 0 {
            return Ok(Vec::new());
        }
        let top = TopDocs::with_limit(n).order_by_fast_field::<u64>("number", Order::Asc);
        let mut out = Vec::new();
        for (_, address) in searcher.search(&query, &top).map_err(|e| self.err(e))? {
            let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.err(e))?;
            if let Some(p) = doc
                .get_first(self.fields().json)
                .and_then(|v| v.as_str())
                .and_then(|j| serde_json::from_str(j).ok())
            {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Open and closed counts of each milestone or label name.
    pub fn counts(&self, of: Field) -> Result<Vec<(String, usize, usize)>> {
        let searcher = self.searcher()?;
        let Some(&field) = self.fields().names.get(of.name) else {
            return Ok(Vec::new());
        };
        let mut names = BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(field).map_err(|e| self.err(e))?;
            let mut stream = inverted.terms().stream().map_err(|e| self.err(e.into()))?;
            while stream.advance() {
                names.insert(String::from_utf8_lossy(stream.key()).into_owned());
            }
        }
        let mut out = Vec::new();
        for name in names {
            let mut counts = [0; 2];
            for (i, state) in ["open", "closed"].iter().enumerate() {
                let q = BooleanQuery::new(vec![
                    (Occur::Must, term_query(field, &name)),
                    (Occur::Must, term_query(self.fields().state, state)),
                ]);
                counts[i] = searcher.search(&q, &Count).map_err(|e| self.err(e))?;
            }
            if counts != [0, 0] {
                out.push((name, counts[0], counts[1]));
            }
        }
        Ok(out)
    }

    /// What makes snippets for `expr`: the best fragment of a text with the
    /// byte ranges of the matched words inside it.
    pub fn snippet_maker(&self, expr: &Expr) -> SnippetMaker {
        let Ok(searcher) = self.searcher() else {
            return SnippetMaker {
                body: None,
                comments: None,
            };
        };
        let query = self.translate(expr, Words::All);
        let generator = |field| {
            SnippetGenerator::create(&searcher, &*query, field)
                .ok()
                .map(|mut g| {
                    g.set_max_num_chars(160);
                    g
                })
        };
        SnippetMaker {
            body: generator(self.fields().body),
            comments: generator(self.fields().comments),
        }
    }

    fn issues_only(&self, query: Box<dyn TantivyQuery>) -> BooleanQuery {
        BooleanQuery::new(vec![
            (
                Occur::Must,
                const_score(term_query(self.fields().kind, "issue")),
            ),
            (Occur::Must, query),
        ])
    }
}
