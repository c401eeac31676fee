//! The schema: which tantivy fields a document has, made from the field
//! table, and the analyzer of its full text.

use std::collections::HashMap;

use tantivy::schema::{
    FAST, Field as SchemaField, INDEXED, IndexRecordOption, STORED, STRING, Schema,
};

use crate::format::fields::{self, FieldSpec, Kind, Search};

/// The schema: a few fields of every document, and the fields the field
/// table asks for, by the table's names.
#[derive(Clone)]
pub(super) struct Fields {
    pub(super) kind: SchemaField,
    pub(super) key: SchemaField,
    pub(super) number: SchemaField,
    pub(super) state: SchemaField,
    /// The names of the fields an issue has a value in, for `no:`.
    pub(super) has: SchemaField,
    pub(super) title: SchemaField,
    pub(super) body: SchemaField,
    pub(super) comments: SchemaField,
    /// Internal comments: matched only for [`Words::All`].
    pub(super) internal: SchemaField,
    pub(super) json: SchemaField,
    /// The issue's [`Summary`]: what `list` prints, read without the rest.
    pub(super) summary: SchemaField,
    /// Occurrences per day, as JSON, for issues that have any.
    pub(super) days: SchemaField,
    /// Per table field: its values lowercased (`label:ui`).
    pub(super) words: HashMap<&'static str, SchemaField>,
    /// Per counted field: its values as written (`git issue labels`).
    pub(super) names: HashMap<&'static str, SchemaField>,
    pub(super) dates: HashMap<&'static str, SchemaField>,
    pub(super) numbers: HashMap<&'static str, SchemaField>,
    /// Per sortable field: a fast key, the field's rank, time or number in
    /// the high bits and the issue number in the low ones (text: a string).
    pub(super) sorts: HashMap<&'static str, SchemaField>,
}

/// The schema and its fields, built once a process and only when asked
/// for: `show` and `record` mostly answer from the files beside the index,
/// and building them was a twentieth of a `show`.
pub(super) fn schema() -> &'static (Schema, Fields) {
    static BUILT: std::sync::OnceLock<(Schema, Fields)> = std::sync::OnceLock::new();
    BUILT.get_or_init(build)
}

fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let date = || tantivy::schema::DateOptions::from(INDEXED).set_fast();
    let mut fields = Fields {
        kind: b.add_text_field("kind", STRING),
        key: b.add_text_field("key", STRING | STORED),
        number: b.add_u64_field("number", INDEXED | FAST | STORED),
        state: b.add_text_field("state", STRING),
        has: b.add_text_field("has", STRING),
        title: b.add_text_field("title", text()),
        body: b.add_text_field("body", text()),
        comments: b.add_text_field("comments", text()),
        internal: b.add_text_field("internal", text()),
        json: b.add_text_field("json", STORED),
        summary: b.add_bytes_field(SUMMARY, FAST),
        days: b.add_text_field("days", STORED),
        words: HashMap::new(),
        names: HashMap::new(),
        dates: HashMap::new(),
        numbers: HashMap::new(),
        sorts: HashMap::new(),
    };
    for f in fields::every() {
        match f.search {
            Search::Word(_) | Search::Ranked(_) => {
                let field = b.add_text_field(&format!("w_{}", f.name), STRING);
                fields.words.insert(f.name, field);
            }
            Search::Time(_) => {
                let field = b.add_date_field(&format!("t_{}", f.name), date());
                fields.dates.insert(f.name, field);
            }
            Search::Number(_) => {
                let field = b.add_u64_field(&format!("n_{}", f.name), INDEXED | FAST);
                fields.numbers.insert(f.name, field);
            }
            Search::None => {}
        }
        if f.counted {
            let field = b.add_text_field(&format!("c_{}", f.name), STRING);
            fields.names.insert(f.name, field);
        }
        if f.sort {
            let name = format!("s_{}", f.name);
            let field = if is_text_sort(f) {
                b.add_text_field(&name, STRING | FAST)
            } else {
                b.add_u64_field(&name, FAST)
            };
            fields.sorts.insert(f.name, field);
        }
    }
    (b.build(), fields)
}

/// The analyzer of the full-text fields, registered under this name: words
/// as `query::tokenize` splits them, lowercased, stemmed in the tracker's
/// `search.language` ([`Index::set_language`]).
pub(super) const TEXT_ANALYZER: &str = "issue_text";

fn text() -> tantivy::schema::TextOptions {
    tantivy::schema::TextOptions::default().set_indexing_options(
        tantivy::schema::TextFieldIndexing::default()
            .set_tokenizer(TEXT_ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// The analyzer for `language` (a name of `format::config::LANGUAGES`):
/// tantivy's default one (runs of letters and digits, tokens of 40 bytes or
/// more dropped, lowercased), then the Snowball stemmer `query::tokenize_in`
/// uses too.
pub(super) fn analyzer(language: &str) -> tantivy::tokenizer::TextAnalyzer {
    use tantivy::tokenizer::{
        Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
    };
    // tantivy names its languages as `query::tokenize_in`'s stemmer does,
    // capitalised (`English`): one list of names, `LANGUAGES`.
    let stem = (language != "none")
        .then(|| {
            let mut name = language.to_owned();
            if let Some(first) = name.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            serde_json::from_value::<Language>(serde_json::Value::String(name)).ok()
        })
        .flatten();
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser);
    match stem {
        Some(l) => base.filter(Stemmer::new(l)).build(),
        None => base.build(),
    }
}

/// Whether a sortable field sorts as text (a title), not by a number.
/// The fast field of `list`'s rows (see `row.rs`).
pub(super) const SUMMARY: &str = "summary";

pub(super) fn is_text_sort(f: &FieldSpec) -> bool {
    f.vocabulary.is_none() && matches!(f.kind, Kind::Text | Kind::Optional)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_of_the_settings_stems_in_the_index_as_in_a_scan() {
        use tantivy::tokenizer::TokenStream;
        for &language in crate::format::config::LANGUAGES.iter() {
            let mut analyzer = analyzer(language);
            let mut stream = analyzer.token_stream("crashes");
            let mut words = Vec::new();
            while stream.advance() {
                words.push(stream.token().text.clone());
            }
            assert_eq!(
                words,
                crate::query::tokenize_in("crashes", language),
                "{language}"
            );
        }
    }
}
