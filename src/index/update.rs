//! Writing documents: one per issue, its fields as the field table asks,
//! and one per file that does not parse.

use tantivy::{DateTime, IndexWriter, TantivyDocument, Term};

use super::{Index, IndexError, IssueDoc, Result, State, Update};
use crate::format::fields;
use crate::format::{Config, Summary};
use crate::query::{SortKey, sort_key};

/// Sort keys: the field's rank, time or number in the high bits, the issue
/// number in the low 30 (numbers stay below a billion), so equal values order
/// by number as a scan does.
fn composite_sort_key(high: u64, number: u64) -> u64 {
    (high.min((1 << 34) - 1) << 30) | (number & ((1 << 30) - 1))
}

pub struct Updater<'a> {
    pub(super) index: &'a Index,
    pub(super) writer: IndexWriter,
    /// The values of the link fields in the documents written.
    pub(super) links: std::sync::Mutex<super::Links>,
    /// The lines of the keys file for the documents written.
    pub(super) keyed: std::sync::Mutex<std::collections::BTreeSet<String>>,
    /// Whether every earlier document was dropped ([`Updater::clear`]).
    pub(super) cleared: bool,
}

impl Updater<'_> {
    /// What the index reflects, read afresh now that we hold the lock.
    pub fn state(&self) -> Option<State> {
        self.index.state()
    }

    pub fn apply(&self, update: Update<'_>, config: &Config) -> Result<()> {
        let f = self.index.fields();
        let key = match &update {
            Update::Issue(d) => d.key,
            Update::Problem(k, _) | Update::Remove(k) => k,
        };
        // Keys are matched as typed (`key:bc-12`), so they are kept lowercase.
        let key_text = key.to_string().to_lowercase();
        self.writer
            .delete_term(Term::from_field_text(f.key, &key_text));
        let mut doc = TantivyDocument::new();
        if let Update::Issue(d) = &update {
            let row = super::row::encode(key, &Summary::of(d.issue));
            if super::row::fits(&row) {
                doc.add_bytes(f.summary, &row);
            }
        }
        doc.add_text(f.key, &key_text);
        doc.add_u64(f.number, key.number);
        match update {
            Update::Remove(_) => return Ok(()),
            Update::Problem(_, p) => {
                doc.add_text(f.kind, "problem");
                doc.add_text(f.json, serde_json::to_string(&p).unwrap_or_default());
            }
            Update::Issue(d) => self.fill(&mut doc, &d, config),
        }
        self.writer
            .add_document(doc)
            .map_err(|e| self.index.err(e))?;
        Ok(())
    }

    fn fill(&self, doc: &mut TantivyDocument, d: &IssueDoc<'_>, config: &Config) {
        let f = self.index.fields();
        let i = d.issue;
        doc.add_text(f.kind, "issue");
        doc.add_text(
            f.state,
            if config.is_closed(&i.status) {
                "closed"
            } else {
                "open"
            },
        );
        let n = d.key.number;
        for spec in fields::every() {
            let v = i.get(spec);
            if let Some(&field) = f.words.get(spec.name) {
                for text in v.texts() {
                    doc.add_text(field, text.to_lowercase());
                }
            }
            if !v.is_empty() {
                doc.add_text(f.has, spec.name);
            }
            if super::LINK_FIELDS.contains(&spec.name) && !v.is_empty() {
                let mut links = self.links.lock().unwrap_or_else(|e| e.into_inner());
                let known = links.entry(spec.name.to_owned()).or_default();
                for text in v.texts() {
                    known.insert(text.to_lowercase());
                }
            }
            if super::keys::KEYED_FIELDS.contains(&spec.name) {
                let mut keyed = self.keyed.lock().unwrap_or_else(|e| e.into_inner());
                for text in v.texts() {
                    keyed.insert(super::keys::line(spec.name, text, d.key));
                }
            }
            if let Some(&field) = f.names.get(spec.name) {
                for text in v.texts() {
                    doc.add_text(field, text);
                }
            }
            if let (Some(&field), Some(t)) = (f.dates.get(spec.name), v.time()) {
                doc.add_date(field, DateTime::from_timestamp_secs(t.as_second()));
            }
            if let (Some(&field), Some(c)) = (f.numbers.get(spec.name), v.count()) {
                doc.add_u64(field, c);
            }
            if let Some(&field) = f.sorts.get(spec.name) {
                match sort_key(spec, i, config) {
                    SortKey::Rank(high) | SortKey::Number(high) => {
                        doc.add_u64(field, composite_sort_key(high, n))
                    }
                    SortKey::Text(text) => doc.add_text(field, format!("{text}\u{0}{n:020}")),
                }
            }
        }
        doc.add_text(f.title, &i.title);
        doc.add_text(f.body, &i.body);
        doc.add_text(f.comments, d.comments);
        doc.add_text(f.internal, d.internal);
        let mut json = i.to_json();
        json.remove("body");
        doc.add_text(f.json, serde_json::Value::Object(json).to_string());
        if !d.days.is_empty() {
            doc.add_text(f.days, serde_json::to_string(d.days).unwrap_or_default());
        }
    }

    /// Drops every document (for a rebuild in place).
    pub fn clear(&mut self) -> Result<()> {
        self.writer
            .delete_all_documents()
            .map_err(|e| self.index.err(e))?;
        self.cleared = true;
        Ok(())
    }

    /// Makes the changes visible, recording what the index now reflects.
    pub fn commit(mut self, state: &State) -> Result<()> {
        // The links file gains this commit's values before the commit, so a
        // reader never sees a document whose values it lacks; a file that
        // is not there stays away (it would lack the documents before).
        let path = &self.index.path;
        let io = |source| IndexError::Io {
            path: path.join(super::LINKS_FILE),
            source,
        };
        let mine = std::mem::take(&mut *self.links.lock().unwrap_or_else(|e| e.into_inner()));
        let mut links = super::read_links(path);
        if let Some(all) = &mut links {
            let before = all.clone();
            for (field, values) in &mine {
                all.entry(field.clone())
                    .or_default()
                    .extend(values.iter().cloned());
            }
            if *all != before {
                super::write_links(path, all).map_err(io)?;
            }
        }
        let keyed = std::mem::take(&mut *self.keyed.lock().unwrap_or_else(|e| e.into_inner()));
        super::keys::add(self.index, &keyed, self.cleared)?;
        let payload = serde_json::to_string(state).unwrap_or_default();
        let mut prepared = self
            .writer
            .prepare_commit()
            .map_err(|e| self.index.err(e))?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(|e| self.index.err(e))?;
        self.writer
            .wait_merging_threads()
            .map_err(|e| self.index.err(e))?;
        // Rebuilt in place: only what was written since is left.
        if self.cleared {
            super::write_links(path, &mine).map_err(io)?;
            super::keys::write(path, &keyed)?;
            links = Some(mine);
        }
        // What this process asks next sees what it just wrote.
        *self.index.links.write().unwrap_or_else(|e| e.into_inner()) = links;
        Ok(())
    }
}
