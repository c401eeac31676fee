//! The data the site's scripts fetch, cut so that a page loads only what it
//! shows: filters, sorting and search over 100,000 issues, from `file://`
//! as from any static host, without one file that holds every issue.
//!
//! Every file is a script, `data/<name>.js`, that hands one JSON value to
//! `gitIssueData("<name>", …)` (defined by `data.js`): browsers refuse to
//! `fetch` from `file://` but load a script, and the pages' CSP allows the
//! site's own scripts only. The JSON never holds a raw `<`, so a file stays
//! inert whatever it is served as.
//!
//! - `meta`: counts, the values of each filter and their file names, the
//!   search shards.
//! - `rows/<n>`: the issues numbered `n*50` to `n*50+49`, as the list
//!   shows them.
//! - `f/<field>/<slug>`: the numbers of the issues with that value (`all`,
//!   `state/open`, `label/ui-…`), as a posting list.
//! - `sort/<field>`: every number, in the order of that field.
//! - `s/<prefix>`: search terms starting with those two letters (three
//!   where two would make the file too big), each with the issues whose
//!   title (`t`) or text (`w`) has it.
//!
//! A posting list is either a JSON array of gaps between increasing numbers
//! or, when smaller, `"b…"` and the base64 of a bitmap indexed by number: a
//! word in every issue costs 100,000 bits, 17 kB, not 600 kB.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use base64::Engine as _;
use serde::Serialize;
use serde_json::{Value, json};

use super::catalog::Entry;
use super::corpus::Corpus;
use super::views::{Row, slug};
use crate::format::Config;

/// Issues per `rows/` file.
pub const ROWS: u64 = 50;

/// A search shard bigger than this is split by the term's third letter.
const SHARD_SPLIT: usize = 192 * 1024;

/// A row of the list as `rows/<n>` holds it, with short names.
#[derive(Serialize)]
struct RowRecord<'a> {
    n: u64,
    k: &'a str,
    t: &'a str,
    s: &'a str,
    c: bool,
    y: &'a str,
    p: &'a str,
    l: &'a [String],
    m: Option<&'a str>,
    a: Option<&'a str>,
    u: i64,
}

impl<'a> RowRecord<'a> {
    fn of(r: &'a Row) -> RowRecord<'a> {
        RowRecord {
            n: r.number,
            k: &r.key,
            t: &r.title,
            s: &r.status,
            c: r.closed,
            y: &r.kind,
            p: &r.priority,
            l: &r.labels,
            m: r.milestone.as_deref(),
            a: r.assignee.as_deref(),
            u: r.updated,
        }
    }
}

/// A data file: its path in the site and its bytes.
#[derive(Debug, Clone)]
pub struct DataFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

fn file(name: &str, value: &impl Serialize) -> DataFile {
    file_json(
        name,
        serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned()),
    )
}

/// A data file holding `json`.
fn file_json(name: &str, json: String) -> DataFile {
    DataFile {
        path: format!("data/{name}.js"),
        bytes: format!(
            "gitIssueData({}, {});\n",
            serde_json::to_string(name).unwrap_or_default(),
            json.replace('<', "\\u003c")
        )
        .into_bytes(),
    }
}

/// `numbers`, increasing, as the smaller of a gap list and a bitmap.
pub fn posting(numbers: &[u64], max: u64) -> Value {
    let mut gaps = Vec::with_capacity(numbers.len());
    let mut prev = 0;
    let mut gap_bytes = 2;
    for &n in numbers {
        let gap = n - prev;
        gap_bytes += 1 + gap.checked_ilog10().unwrap_or(0) as usize + 1;
        gaps.push(gap);
        prev = n;
    }
    let bitmap_bytes = (max as usize / 8 + 1).div_ceil(3) * 4 + 3;
    if gap_bytes <= bitmap_bytes {
        return json!(gaps);
    }
    let mut bits = vec![0u8; max as usize / 8 + 1];
    for &n in numbers {
        bits[n as usize / 8] |= 1 << (n % 8);
    }
    Value::String(format!(
        "b{}",
        base64::engine::general_purpose::STANDARD.encode(bits)
    ))
}

/// The file name of a search term's shard: its first `len` characters,
/// letters and digits as they are, anything else as `_` and its code point
/// in hex between two `_`. `data.js` computes the same.
pub fn shard_name(term: &str, len: usize) -> String {
    let mut out = String::new();
    for c in term.chars().take(len) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else {
            out.push_str(&format!("_{:x}_", c as u32));
        }
    }
    out
}

/// The issues whose title, and whose text, hold a term.
type Postings = (Vec<u64>, Vec<u64>);

/// The values a row has for a filter, pushed onto the list given.
type Values = for<'r> fn(&'r Row, &mut Vec<&'r str>);

/// Every data file of the site.
pub fn files(corpus: &Corpus, rows: &[Row], statuses: &[String]) -> Vec<DataFile> {
    let entries: Vec<Entry> = corpus
        .entries
        .iter()
        .map(|e| Entry::of(e, &corpus.config))
        .collect();
    files_of(&corpus.config, &entries, rows, statuses, None).files
}

/// The bound on numbers that bitmaps are made for and `meta` gives: the
/// highest number rounded up to a multiple of 1,024 less one, so that a new
/// issue changes it, and with it every bitmap, once in 1,024 issues only.
pub fn bound(rows: &[Row]) -> u64 {
    rows.iter().map(|r| r.number).max().unwrap_or(0) | 1023
}

/// What an export after a few changes makes again (see [`files_of`]).
pub struct Since<'a> {
    /// The numbers whose rows changed, were added or are gone: their
    /// `rows/` files are made again, the others kept.
    pub numbers: &'a BTreeSet<u64>,
    /// The search groups (the first two characters of terms) whose terms
    /// may have changed, `None` for all; the others' files are kept.
    pub groups: Option<&'a BTreeSet<String>>,
    /// What the search files were cut into last time, by group.
    pub search: &'a BTreeMap<String, Vec<String>>,
    /// The rows of the changed numbers before and after (`None`: not on
    /// the site): a filter or sort order none of them differs in is kept.
    pub rows: Vec<(Option<&'a Row>, Option<&'a Row>)>,
}

impl Since<'_> {
    /// Whether a row came, went, or differs from what it was in what
    /// `same` compares.
    fn differ(&self, same: impl Fn(&Row, &Row) -> bool) -> bool {
        self.rows.iter().any(|pair| match pair {
            (Some(a), Some(b)) => !same(a, b),
            _ => true,
        })
    }
}

/// The data files an export makes.
pub struct Made {
    pub files: Vec<DataFile>,
    /// The files of the last export that are as they were: to keep.
    pub kept: Vec<String>,
    /// What the search files are cut into now, by group.
    pub search: BTreeMap<String, Vec<String>>,
    pub max: u64,
}

/// The search group of a term: its first two characters.
pub fn group(term: &str) -> &str {
    let end = term.char_indices().nth(2).map_or(term.len(), |(i, _)| i);
    &term[..end]
}

/// The search groups of `words` (see [`super::views::words`]).
pub fn groups_of(words: &str, into: &mut BTreeSet<String>) {
    for t in words.split(' ').filter(|t| !t.is_empty()) {
        if !into.contains(group(t)) {
            into.insert(group(t).to_owned());
        }
    }
}

/// The data files of the site of `entries` (by number; `rows` are theirs):
/// every one, or after a few changes (`since`) the rows and search files
/// they touch, with the filters, sort orders and `meta`, which are quick.
pub fn files_of(
    config: &Config,
    entries: &[Entry],
    rows: &[Row],
    statuses: &[String],
    since: Option<Since<'_>>,
) -> Made {
    let mut files = Vec::new();
    let made = write_files_of::<()>(config, entries, rows, statuses, since, |mut f| {
        files.append(&mut f);
        Ok(())
    });
    Made {
        files,
        ..made.unwrap_or_else(|()| unreachable!("collecting cannot fail"))
    }
}

/// As [`files_of`], handing the files to `put` a part at a time as they
/// are made (the rows, the filters, the sort orders, the search files a
/// run of groups at a time, `meta`) rather than holding them all: the
/// files [`Made`] returns are none.
pub fn write_files_of<E>(
    config: &Config,
    entries: &[Entry],
    rows: &[Row],
    statuses: &[String],
    since: Option<Since<'_>>,
    mut put: impl FnMut(Vec<DataFile>) -> Result<(), E>,
) -> Result<Made, E> {
    let max = bound(rows);
    let mut out = Vec::new();
    let mut kept = Vec::new();

    // Rows, by number.
    let mut start = 0;
    while start < rows.len() {
        let chunk = rows[start].number / ROWS;
        let end = rows[start..]
            .iter()
            .position(|r| r.number / ROWS != chunk)
            .map_or(rows.len(), |p| start + p);
        let again = since.as_ref().is_none_or(|s| {
            s.numbers
                .range(chunk * ROWS..(chunk + 1) * ROWS)
                .next()
                .is_some()
        });
        if again {
            let records: Vec<RowRecord<'_>> = rows[start..end].iter().map(RowRecord::of).collect();
            out.push(file(&format!("rows/{chunk}"), &records));
        } else {
            kept.push(format!("data/rows/{chunk}.js"));
        }
        start = end;
    }
    put(std::mem::take(&mut out))?;

    // Filters: the numbers of the issues holding each value.
    let mut fields: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    // Made again when the bound of the bitmaps moved or a row of the field
    // changed, else kept.
    let bound_moved = since.as_ref().is_some_and(|s| s.groups.is_none());
    let again = |same: &dyn Fn(&Row, &Row) -> bool| {
        bound_moved || since.as_ref().is_none_or(|s| s.differ(same))
    };
    let mut add_field = |out: &mut Vec<DataFile>,
                         kept: &mut Vec<String>,
                         field: &'static str,
                         order: &[String],
                         get: Values| {
        let make = again(&|a: &Row, b: &Row| {
            let (mut va, mut vb) = (Vec::new(), Vec::new());
            get(a, &mut va);
            get(b, &mut vb);
            va == vb
        });
        let mut by: HashMap<&str, Vec<u64>, super::output::Quick> = HashMap::default();
        let mut vs = Vec::new();
        for r in rows {
            vs.clear();
            get(r, &mut vs);
            for v in &vs {
                match by.get_mut(v) {
                    Some(ns) => ns.push(r.number),
                    None => {
                        by.insert(v, vec![r.number]);
                    }
                }
            }
        }
        let mut values: Vec<&str> = order
            .iter()
            .map(String::as_str)
            .filter(|v| by.contains_key(*v))
            .collect();
        let mut rest: Vec<&str> = by
            .keys()
            .filter(|v| !order.iter().any(|o| o == *v))
            .copied()
            .collect();
        rest.sort();
        values.append(&mut rest);
        let mut listed = Vec::new();
        for v in values {
            let s = slug(v);
            if make {
                out.push(file(&format!("f/{field}/{s}"), &posting(&by[v], max)));
            } else {
                kept.push(format!("data/f/{field}/{s}.js"));
            }
            listed.push((v.to_owned(), s));
        }
        fields.insert(field, listed);
    };
    add_field(&mut out, &mut kept, "status", statuses, |r, vs| {
        vs.push(&r.status)
    });
    add_field(&mut out, &mut kept, "type", &config.types, |r, vs| {
        vs.push(&r.kind)
    });
    add_field(
        &mut out,
        &mut kept,
        "priority",
        &config.priorities,
        |r, vs| vs.push(&r.priority),
    );
    add_field(&mut out, &mut kept, "label", &[], |r, vs| {
        vs.extend(r.labels.iter().map(String::as_str))
    });
    add_field(&mut out, &mut kept, "milestone", &[], |r, vs| {
        vs.extend(r.milestone.as_deref())
    });
    add_field(&mut out, &mut kept, "assignee", &[], |r, vs| {
        vs.extend(r.assignee.as_deref())
    });
    if again(&|a, b| a.closed == b.closed) {
        let numbers: Vec<u64> = rows.iter().map(|r| r.number).collect();
        out.push(file("f/all", &posting(&numbers, max)));
        for (state, closed) in [("open", false), ("closed", true)] {
            let ns: Vec<u64> = rows
                .iter()
                .filter(|r| r.closed == closed)
                .map(|r| r.number)
                .collect();
            out.push(file(&format!("f/state/{state}"), &posting(&ns, max)));
        }
    } else {
        kept.extend(["all", "state/open", "state/closed"].map(|f| format!("data/f/{f}.js")));
    }

    // Sort orders: every number, ascending by the field, then by number.
    let mut order: Vec<&Row> = rows.iter().collect();
    if again(&|a, b| a.updated == b.updated) {
        order.sort_by_key(|r| (r.updated, r.number));
        out.push(file(
            "sort/updated",
            &order.iter().map(|r| r.number).collect::<Vec<_>>(),
        ));
    } else {
        kept.push("data/sort/updated.js".to_owned());
    }
    if again(&|a, b| a.priority_rank == b.priority_rank) {
        order.sort_by_key(|r| (r.priority_rank, r.number));
        out.push(file(
            "sort/priority",
            &order.iter().map(|r| r.number).collect::<Vec<_>>(),
        ));
    } else {
        kept.push("data/sort/priority.js".to_owned());
    }
    if again(&|a, b| a.title == b.title) {
        let mut by_title: Vec<(String, u64)> = rows
            .iter()
            .map(|r| (r.title.to_lowercase(), r.number))
            .collect();
        by_title.sort_unstable();
        out.push(file(
            "sort/title",
            &by_title.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        ));
    } else {
        kept.push("data/sort/title.js".to_owned());
    }

    put(std::mem::take(&mut out))?;

    // Search: the groups asked for, made again; the others kept.
    let groups = since.as_ref().and_then(|s| s.groups);
    let made = search_files(entries, max, groups, &mut put)?;
    let mut search = since.as_ref().map(|s| s.search.clone()).unwrap_or_default();
    match groups {
        None => search = made,
        Some(gs) => {
            for g in gs {
                search.remove(g);
            }
            for names in search.values() {
                kept.extend(names.iter().map(|n| format!("data/s/{n}.js")));
            }
            search.extend(made);
        }
    }
    let mut names: Vec<&String> = search.values().flatten().collect();
    names.sort();
    let mut split: Vec<String> = search
        .iter()
        .filter(|(g, ns)| ns.len() != 1 || ns[0] != shard_name(g, 2))
        .map(|(g, _)| shard_name(g, 2))
        .collect();
    split.sort();

    let fields: serde_json::Map<String, Value> = fields
        .into_iter()
        .map(|(f, vs)| (f.to_owned(), json!(vs)))
        .collect();
    out.push(file(
        "meta",
        &json!({
            "count": rows.len(),
            "open": rows.iter().filter(|r| !r.closed).count(),
            "max": max,
            "rows": ROWS,
            "fields": fields,
            "shards": names,
            "split": split,
        }),
    ));
    put(out)?;
    Ok(Made {
        files: Vec::new(),
        kept,
        search,
        max,
    })
}

/// Search groups encoded and handed over at a time: their files, not
/// every term's posting lists, are held at once.
const GROUPS_AT_A_TIME: usize = 64;

/// Hands `put` the search files of the terms of `entries` in `groups` (all
/// when `None`), a run of groups at a time; returns the names of each
/// group's files.
fn search_files<E>(
    entries: &[Entry],
    max: u64,
    groups: Option<&BTreeSet<String>>,
    put: &mut impl FnMut(Vec<DataFile>) -> Result<(), E>,
) -> Result<BTreeMap<String, Vec<String>>, E> {
    use rayon::prelude::*;
    if groups.is_some_and(BTreeSet::is_empty) {
        return Ok(Default::default());
    }
    // Terms of titles and of descriptions and comments, with the issues
    // holding them, by number.
    let firsts: [bool; 256] = {
        let mut f = [groups.is_none(); 256];
        for g in groups.into_iter().flatten() {
            if let Some(b) = g.bytes().next() {
                f[b as usize] = true;
            }
        }
        f
    };
    let wanted =
        |t: &str| firsts[t.as_bytes()[0] as usize] && groups.is_none_or(|gs| gs.contains(group(t)));
    let mut terms: HashMap<&str, Postings, super::output::Quick> = HashMap::default();
    let mut add = |t, title, n| {
        let p: &mut Postings = terms.entry(t).or_default();
        if title { &mut p.0 } else { &mut p.1 }.push(n);
    };
    fn words_of(e: &Entry) -> [(&str, bool); 2] {
        [(&e.title_words, true), (&e.text_words, false)]
    }
    if groups.is_none() {
        // Every term: straight into the map (a list of every occurrence
        // first would hold millions of them).
        for e in entries {
            for (words, title) in words_of(e) {
                for t in words.split(' ').filter(|t| !t.is_empty()) {
                    add(t, title, e.row.number);
                }
            }
        }
    } else {
        // A few groups: their terms are looked for on every core.
        let found: Vec<Vec<(&str, bool, u64)>> = entries
            .par_chunks(2048)
            .map(|chunk| {
                let mut found = Vec::new();
                for e in chunk {
                    for (words, title) in words_of(e) {
                        for t in words.split(' ').filter(|t| !t.is_empty() && wanted(t)) {
                            found.push((t, title, e.row.number));
                        }
                    }
                }
                found
            })
            .collect();
        for (t, title, n) in found.into_iter().flatten() {
            add(t, title, n);
        }
    }
    let mut terms: Vec<(&str, Postings)> = terms.into_iter().collect();
    terms.sort_unstable_by(|a, b| a.0.cmp(b.0));
    // The terms of each group, in order: where each group's run starts.
    let mut starts: Vec<usize> = Vec::new();
    for (i, (term, _)) in terms.iter().enumerate() {
        if i == 0 || group(terms[i - 1].0) != group(term) {
            starts.push(i);
        }
    }
    starts.push(terms.len());
    let runs: Vec<std::ops::Range<usize>> = starts.windows(2).map(|w| w[0]..w[1]).collect();
    let mut made = BTreeMap::new();
    for at_a_time in runs.chunks(GROUPS_AT_A_TIME) {
        let done: Vec<(String, Vec<String>, Vec<DataFile>)> = at_a_time
            .par_iter()
            .map(|run| group_files(&terms[run.clone()], max))
            .collect();
        let mut files = Vec::new();
        for (two, names, mut fs) in done {
            made.insert(two, names);
            files.append(&mut fs);
        }
        put(files)?;
    }
    Ok(made)
}

/// The files of one search group, `terms` (in order, all of one group):
/// the group, the names of its files, the files.
fn group_files(terms: &[(&str, Postings)], max: u64) -> (String, Vec<String>, Vec<DataFile>) {
    // Each posting list encoded once, as the text the shard holds.
    let encoded: Vec<(&str, String, String, usize)> = terms
        .iter()
        .map(|(term, (t, w))| {
            let json = |ns: &[u64]| posting(ns, max).to_string();
            let (t, w) = (json(t), json(w));
            let size = term.len() + t.len() + w.len() + 12;
            (*term, t, w, size)
        })
        .collect();
    let two = terms.first().map_or("", |(t, _)| group(t)).to_owned();
    let size: usize = encoded.iter().map(|e| e.3).sum();
    let too_big = size > SHARD_SPLIT;
    // A shard's terms in order, each with its title and text postings.
    let mut shards: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, e) in encoded.iter().enumerate() {
        let term = e.0;
        let name = if too_big && term.chars().count() > 2 {
            shard_name(term, 3)
        } else {
            shard_name(term, 2)
        };
        shards.entry(name).or_default().push(i);
    }
    let names = shards.keys().cloned().collect();
    let mut out = Vec::new();
    for (name, members) in shards {
        // `{"t":{term:posting,…},"w":{…}}`, as serde_json writes it,
        // empty postings left out.
        let mut json = String::from("{\"t\":{");
        for (pick, next) in [(1, "},\"w\":{"), (2, "}}")] {
            let mut first = true;
            for &i in &members {
                let e = &encoded[i];
                let posting = if pick == 1 { &e.1 } else { &e.2 };
                if posting == "[]" {
                    continue;
                }
                if !first {
                    json.push(',');
                }
                first = false;
                json.push_str(&Value::from(e.0).to_string());
                json.push(':');
                json.push_str(posting);
            }
            json.push_str(next);
        }
        out.push(file_json(&format!("s/{name}"), json));
    }
    (two, names, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_pick_the_smaller_encoding() {
        assert_eq!(posting(&[3, 10, 12], 100_000), json!([3, 7, 2]));
        let dense: Vec<u64> = (1..=1000).collect();
        let Value::String(s) = posting(&dense, 1000) else {
            panic!("a bitmap for a dense list")
        };
        let bits = base64::engine::general_purpose::STANDARD
            .decode(&s[1..])
            .unwrap();
        assert_eq!(bits[0], 0b1111_1110, "bit n is number n");
        assert_eq!(bits.len(), 126);
    }

    #[test]
    fn shard_names_are_plain_file_names() {
        assert_eq!(shard_name("login", 2), "lo");
        assert_eq!(shard_name("a", 2), "a");
        assert_eq!(shard_name("ünï", 2), "_fc_n");
        assert_eq!(shard_name("日本語", 3), "_65e5__672c__8a9e_");
    }
}
