//! The query language's tree as a tantivy query.

use std::ops::Bound;

use tantivy::DateTime;
use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, PhraseQuery, Query as TantivyQuery, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field as SchemaField, IndexRecordOption};

use super::{Index, Words};
use crate::query::{Expr, NumberRange, TimeRange};

impl Index {
    pub(super) fn translate(&self, expr: &Expr, words: Words) -> Box<dyn TantivyQuery> {
        let f = self.fields();
        let nothing = || -> Box<dyn TantivyQuery> { Box::new(BooleanQuery::new(Vec::new())) };
        match expr {
            Expr::All => Box::new(AllQuery),
            Expr::And(items) => {
                let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
                for e in items {
                    match e {
                        Expr::Not(inner) => {
                            clauses.push((Occur::MustNot, self.translate(inner, words)))
                        }
                        e => clauses.push((Occur::Must, self.translate(e, words))),
                    }
                }
                if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Expr::Or(items) => Box::new(BooleanQuery::new(
                items
                    .iter()
                    .map(|e| (Occur::Should, self.translate(e, words)))
                    .collect(),
            )),
            Expr::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, self.translate(inner, words)),
            ])),
            Expr::Open(open) => {
                const_score(term_query(f.state, if *open { "open" } else { "closed" }))
            }
            Expr::Field(field, values) => match f.words.get(field.name) {
                // No issue has a value there (`duplicate_of` on most
                // trackers): asking tantivy would first build an empty term
                // dictionary, a third of what `show` costs.
                Some(_) if !self.anyone_has(field.name) => nothing(),
                Some(&schema_field) => const_score(Box::new(BooleanQuery::new(
                    values
                        .iter()
                        .map(|v| (Occur::Should, term_query(schema_field, v)))
                        .collect(),
                ))),
                None => nothing(),
            },
            Expr::Key(values) => const_score(Box::new(BooleanQuery::new(
                values
                    .iter()
                    .map(|v| (Occur::Should, term_query(f.key, v)))
                    .collect(),
            ))),
            Expr::Path { path, keys } => {
                let mut should: Vec<(Occur, Box<dyn TantivyQuery>)> = keys
                    .iter()
                    .map(|k| (Occur::Should, term_query(f.key, k)))
                    .collect();
                if let Some(&paths) = f.words.get("paths") {
                    for exact in crate::query::path_ancestors(path) {
                        should.push((Occur::Should, term_query(paths, &exact)));
                    }
                    if !path.contains(':') {
                        // Under it: `path/…` and `path:SYMBOL`.
                        for (from, to) in [("/", "0"), (":", ";")] {
                            let term =
                                |s: &str| Term::from_field_text(paths, &format!("{path}{s}"));
                            should.push((
                                Occur::Should,
                                Box::new(RangeQuery::new(
                                    Bound::Included(term(from)),
                                    Bound::Excluded(term(to)),
                                )),
                            ));
                        }
                    }
                }
                const_score(Box::new(BooleanQuery::new(should)))
            }
            Expr::Missing(field) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, term_query(f.has, field.name)),
            ])),
            Expr::Date(field, range) => match f.dates.get(field.name) {
                Some(&schema_field) => const_score(date_query(schema_field, *range)),
                None => nothing(),
            },
            Expr::Number(field, range) => match f.numbers.get(field.name) {
                Some(&schema_field) => const_score(number_query(schema_field, *range)),
                None => nothing(),
            },
            Expr::Text(tokens) if tokens.is_empty() => Box::new(AllQuery),
            Expr::Text(tokens) => {
                let fields = match words {
                    Words::All => &[f.title, f.body, f.comments, f.internal][..],
                    Words::Public => &[f.title, f.body, f.comments][..],
                };
                let per_field = fields
                    .iter()
                    .map(|&field| -> (Occur, Box<dyn TantivyQuery>) {
                        let terms: Vec<Term> = tokens
                            .iter()
                            .map(|t| Term::from_field_text(field, t))
                            .collect();
                        if terms.len() == 1 {
                            let q = TermQuery::new(terms[0].clone(), IndexRecordOption::WithFreqs);
                            (Occur::Should, Box::new(q))
                        } else {
                            (Occur::Should, Box::new(PhraseQuery::new(terms)))
                        }
                    });
                Box::new(BooleanQuery::new(per_field.collect()))
            }
        }
    }
}

fn date_query(schema_field: SchemaField, range: TimeRange) -> Box<dyn TantivyQuery> {
    let term = |t: jiff::Timestamp| {
        Term::from_field_date_for_search(schema_field, DateTime::from_timestamp_secs(t.as_second()))
    };
    // Times are stored to the second; a bound with a fraction rounds the
    // way that keeps the same issues.
    let lower = range.from.map_or(Bound::Unbounded, |t| {
        let secs = t.as_second() + i64::from(t.subsec_nanosecond() > 0);
        Bound::Included(term(jiff::Timestamp::from_second(secs).unwrap_or(t)))
    });
    let upper = range.until.map_or(Bound::Unbounded, |t| {
        if t.subsec_nanosecond() > 0 {
            Bound::Included(term(t))
        } else {
            Bound::Excluded(term(t))
        }
    });
    Box::new(RangeQuery::new(lower, upper))
}

fn number_query(schema_field: SchemaField, range: NumberRange) -> Box<dyn TantivyQuery> {
    let term = |n: u64| Term::from_field_u64(schema_field, n);
    Box::new(RangeQuery::new(
        range
            .from
            .map_or(Bound::Unbounded, |n| Bound::Included(term(n))),
        range
            .to
            .map_or(Bound::Unbounded, |n| Bound::Included(term(n))),
    ))
}

pub(super) fn term_query(field: SchemaField, value: &str) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// Filters must not change the ranking of full-text matches.
pub(super) fn const_score(q: Box<dyn TantivyQuery>) -> Box<dyn TantivyQuery> {
    Box::new(ConstScoreQuery::new(q, 0.0))
}
