//! Reading the branch: one issue, its comments, every issue, the numbers in
//! use. Functions of a [`Snapshot`], so a command that reads several things
//! reads them all from the same commit. Paths come from
//! [`crate::format::layout`].

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::{CommentRecord, Error, Listing, Problem, Record, Result};
use crate::format::key::MAX_NUMBER;
use crate::format::layout::{self, BranchPath, Part};
use crate::format::occurrence::{Occurrences, Tally};
use crate::format::{Comment, Config, Issue, Key};
use crate::store::{FileList, Snapshot};

/// `tracker.yml`, or the defaults when there is none.
pub(crate) fn read_config(snap: &Snapshot<'_>) -> Result<Config> {
    // A command reads the settings several times (the key it was given, the
    // issue, the rows it prints); the file is parsed once per content.
    thread_local! {
        static PARSED: std::cell::RefCell<Option<(String, Config)>> =
            const { std::cell::RefCell::new(None) };
    }
    let Some(id) = snap.object_id(layout::CONFIG) else {
        return Ok(Config::default());
    };
    if let Some(config) = PARSED.with_borrow(|p| {
        p.as_ref()
            .filter(|(seen, _)| *seen == id)
            .map(|(_, c)| c.clone())
    }) {
        return Ok(config);
    }
    let dir = snap.local_dir();
    let config = match super::parsed_settings::cached(&dir, &id) {
        Some(config) => config,
        None => {
            let text = snap.read(layout::CONFIG)?.unwrap_or_default();
            let config = Config::parse(&text).map_err(|e| config_error(&text, e))?;
            super::parsed_settings::keep(&dir, &id, &config);
            config
        }
    };
    PARSED.set(Some((id, config.clone())));
    Ok(config)
}

/// Why `tracker.yml` (`text`) does not parse: a format this build does not
/// know is not a broken file.
pub(super) fn config_error(text: &str, e: crate::format::ParseError) -> Error {
    let problem = Problem::new(layout::CONFIG, e);
    if crate::format::config::format_error(text).is_some() {
        Error::Format(problem)
    } else {
        Error::BadFile(problem)
    }
}

/// Refuses a branch whose `tracker.yml` declares a format this build does
/// not know (`whose` names the file in the message): what every write, and
/// a sync before it merges, checks first.
pub(crate) fn known_format(snap: &Snapshot<'_>, whose: &str) -> Result<()> {
    let Some(id) = snap.object_id(layout::CONFIG) else {
        return Ok(());
    };
    // Settings this build parsed and kept were of a format it knows.
    if super::parsed_settings::cached(&snap.local_dir(), &id).is_some() {
        return Ok(());
    }
    let Ok(Some(text)) = snap.read(layout::CONFIG) else {
        return Ok(());
    };
    match crate::format::config::format_error(&text) {
        Some(e) => Err(Error::Format(Problem::new(whose, e))),
        None => Ok(()),
    }
}

/// Whether `issues/deleted.yml` lists `key`.
pub(super) fn is_deleted(snap: &Snapshot<'_>, key: &Key) -> bool {
    let key = key.to_string();
    deleted_keys(snap)
        .unwrap_or_default()
        .iter()
        .any(|d| d.eq_ignore_ascii_case(&key))
}

/// Finds the file of an issue: at its path, or by number in its bucket when
/// the prefix differs (`tracker.yml`'s key was changed after it was filed).
pub(super) fn locate(snap: &Snapshot<'_>, key: &Key) -> Result<(Key, String)> {
    for path in layout::issue_file_candidates(key) {
        if snap.contains(&path) {
            return Ok((key.clone(), path));
        }
    }
    // Only the tracker's own prefix finds an issue filed under an older one;
    // a mistyped prefix (`XY-1` for `BC-1`) must not show another issue.
    if read_config(snap).is_ok_and(|c| c.key != key.prefix) {
        return Err(Error::NoSuchIssue(key.to_string()));
    }
    for dir in [
        layout::number_dir(key.number),
        layout::bucket_dir(layout::bucket(key.number)),
    ] {
        for entry in snap.list(&dir)? {
            if !entry.is_file {
                continue;
            }
            if let Some(k) = layout::key_of_file_name(&entry.name)
                && k.number == key.number
            {
                // Where it is, even under a name doctor would correct.
                return Ok((k.clone(), format!("{dir}/{}", entry.name)));
            }
        }
    }
    Err(Error::NoSuchIssue(key.to_string()))
}

/// The folders an issue's comments and attachments may be in: beside its
/// file, and where the current layout puts them (a folder made for an
/// issue still filed in the first layout).
pub(super) fn folders_of(key: &Key, issue_path: &str) -> Vec<String> {
    let mut dirs = vec![layout::folder_of(issue_path).to_owned()];
    let current = layout::issue_dir(key);
    if !dirs.contains(&current) {
        dirs.push(current);
    }
    dirs
}

/// One issue, parsed; a file that does not parse is a `BadFile`.
pub(super) fn load(snap: &Snapshot<'_>, key: &Key) -> Result<Record> {
    Ok(load_at(snap, key)?.0)
}

/// One issue, parsed, and the path of its file: a change writes back where
/// the file is, even under a name `doctor` would correct, so it never makes
/// a second file of the same issue.
pub(super) fn load_at(snap: &Snapshot<'_>, key: &Key) -> Result<(Record, String)> {
    let (key, path) = locate(snap, key)?;
    let text = match snap.read(&path) {
        Ok(t) => t.unwrap_or_default(),
        Err(crate::store::StoreError::NotText { .. }) => {
            return Err(Error::BadFile(Problem::whole(
                &path,
                "the file is not UTF-8 text",
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let issue = Issue::parse(&text).map_err(|e| Error::BadFile(Problem::new(&path, e)))?;
    Ok((Record { key, issue }, path))
}

/// Like [`load`], but `Ok(None)`, without parsing, when the file cannot
/// hold any of `words` (lowercase) as a value: see [`may_hold`].
pub(super) fn load_holding(
    snap: &Snapshot<'_>,
    key: &Key,
    words: &[&str],
) -> Result<Option<Record>> {
    let (key, path) = locate(snap, key)?;
    let Some(text) = snap.read(&path)? else {
        return Err(Error::NoSuchIssue(key.to_string()));
    };
    if !may_hold(&text, words) {
        return Ok(None);
    }
    let issue = Issue::parse(&text).map_err(|e| Error::BadFile(Problem::new(&path, e)))?;
    Ok(Some(Record { key, issue }))
}

/// Whether the file `text` may hold one of `words` (lowercase) as a value,
/// short of parsing it: most files a stale index is caught up with are of
/// no interest to the lookup. YAML writes a value of printable ASCII
/// without spaces, quotes or backslashes (a key, an id, a fingerprint) as
/// it is, so a text that lacks it, in any case, and has no escape cannot
/// hold it; any other word sends the file to the parser.
pub(super) fn may_hold(text: &str, words: &[&str]) -> bool {
    let plain = |w: &str| {
        w.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'\'' | b'"' | b'\\'))
    };
    if words.iter().any(|w| !plain(w)) || text.contains('\\') {
        return true;
    }
    let lower = text.to_ascii_lowercase();
    words.iter().any(|w| lower.contains(w))
}

/// The comments of an issue, oldest first; files that do not parse become
/// problems. Read from the folder beside the issue's file, wherever that is.
pub(super) fn comments_of(
    snap: &Snapshot<'_>,
    key: &Key,
) -> Result<(Vec<CommentRecord>, Vec<Problem>)> {
    let dirs = match locate(snap, key) {
        Ok((_, path)) => folders_of(key, &path),
        Err(Error::NoSuchIssue(_)) => vec![layout::issue_dir(key)],
        Err(e) => return Err(e),
    };
    let mut comments = Vec::new();
    let mut problems = Vec::new();
    for dir in dirs {
        let dir = format!("{dir}/comments");
        for entry in snap.list(&dir)? {
            let Some(id) = entry.name.strip_suffix(".md").filter(|_| entry.is_file) else {
                continue;
            };
            let path = format!("{dir}/{}", entry.name);
            let text = match snap.read(&path) {
                Ok(t) => t.unwrap_or_default(),
                Err(e) => {
                    problems.push(Problem::whole(&path, e.to_string()));
                    continue;
                }
            };
            match Comment::parse(&text) {
                Ok(comment) => comments.push(CommentRecord {
                    id: id.to_owned(),
                    comment,
                }),
                Err(e) => problems.push(Problem::new(&path, e)),
            }
        }
    }
    sort_comments(&mut comments);
    Ok((comments, problems))
}

fn sort_comments(comments: &mut [CommentRecord]) {
    comments.sort_by(|a, b| (a.comment.created, &a.id).cmp(&(b.comment.created, &b.id)));
}

/// Occurrence files by id (the file name without `.yml`).
pub(super) type OccurrenceFiles = Vec<(String, Occurrences)>;

/// Occurrence files' texts by id, unread.
pub(super) type OccurrenceTexts = Vec<(String, String)>;

/// The texts of an issue's occurrence files, by id, in name order, unread;
/// a file that is not text becomes a problem.
pub(super) fn occurrence_texts(
    snap: &Snapshot<'_>,
    key: &Key,
) -> Result<(OccurrenceTexts, Vec<Problem>)> {
    let mut texts = Vec::new();
    let mut problems = Vec::new();
    for (path, bytes) in snap.files(&layout::occurrences_dir(key), |_| true)? {
        let BranchPath::InIssue(_, Part::Occurrence(id)) = BranchPath::parse(&path) else {
            continue;
        };
        match bytes.and_then(|b| String::from_utf8(b).ok()) {
            Some(text) => texts.push((id, text)),
            None => problems.push(Problem::whole(&path, "the file is not UTF-8 text")),
        }
    }
    Ok((texts, problems))
}

/// Reads occurrence files' texts; those that do not parse become problems
/// and count for nothing.
pub(super) fn parse_occurrences(
    key: &Key,
    texts: &[(String, String)],
) -> (OccurrenceFiles, Vec<Problem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for (id, text) in texts {
        match Occurrences::parse(text) {
            Ok(o) => files.push((id.clone(), o)),
            Err(e) => problems.push(Problem::new(&layout::occurrence_file(key, id), e)),
        }
    }
    (files, problems)
}

/// The occurrence files of an issue, by id, in name order; files that do
/// not parse become problems and count for nothing.
pub(super) fn occurrences_of(
    snap: &Snapshot<'_>,
    key: &Key,
) -> Result<(OccurrenceFiles, Vec<Problem>)> {
    let (texts, mut problems) = occurrence_texts(snap, key)?;
    let (files, bad) = parse_occurrences(key, &texts);
    problems.extend(bad);
    Ok((files, problems))
}

/// The sum of an issue's occurrence files.
pub(super) fn tally_of(snap: &Snapshot<'_>, key: &Key) -> Result<Tally> {
    let (files, _) = occurrences_of(snap, key)?;
    Ok(Tally::of(files.iter().map(|(id, f)| (id.as_str(), f))))
}

/// The comment bodies of an issue, oldest first, as one text: what full-text
/// search reads.
pub(super) fn comments_text(snap: &Snapshot<'_>, key: &Key) -> Result<String> {
    let (comments, _) = comments_of(snap, key)?;
    Ok(comments
        .into_iter()
        .map(|c| c.comment.body)
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The comment bodies of an issue, joined as [`comments_text`] joins them:
/// those that are not internal, and the internal ones.
pub(super) fn comments_by_audience(snap: &Snapshot<'_>, key: &Key) -> Result<(String, String)> {
    let (comments, _) = comments_of(snap, key)?;
    let (internal, public): (Vec<_>, Vec<_>) =
        comments.into_iter().partition(|c| c.comment.internal);
    let join = |v: Vec<CommentRecord>| {
        v.into_iter()
            .map(|c| c.comment.body)
            .collect::<Vec<_>>()
            .join("\n")
    };
    Ok((join(public), join(internal)))
}

/// Every issue file on the branch, with its key and where it is (a file in
/// the wrong bucket is still found; `doctor` reports it).
pub(super) fn issue_files(snap: &Snapshot<'_>) -> Result<Vec<(Key, String)>> {
    let mut files = Vec::new();
    for bucket in snap.list(layout::ISSUES)? {
        if bucket.is_dir {
            issue_files_under(
                snap,
                &format!("{}/{}", layout::ISSUES, bucket.name),
                2,
                &mut files,
            )?;
        }
    }
    Ok(files)
}

/// Issue files in `dir`, and in its single-digit folders `depth` levels down
/// (the three-level layout).
fn issue_files_under(
    snap: &Snapshot<'_>,
    dir: &str,
    depth: usize,
    out: &mut Vec<(Key, String)>,
) -> Result<()> {
    for entry in snap.list(dir)? {
        let path = format!("{dir}/{}", entry.name);
        if entry.is_file {
            if let BranchPath::Issue(key) = BranchPath::parse(&path) {
                out.push((key, path));
            }
        } else if entry.is_dir && depth > 0 && is_digit_folder(&entry.name) {
            issue_files_under(snap, &path, depth - 1, out)?;
        }
    }
    Ok(())
}

fn is_digit_folder(name: &str) -> bool {
    name.len() == 1 && name.as_bytes()[0].is_ascii_digit()
}

/// Reads every issue file; one that does not parse becomes a problem and the
/// others are read as usual.
pub(super) fn scan(snap: &Snapshot<'_>) -> Result<Listing> {
    let mut listing = Listing::default();
    for (key, path) in issue_files(snap)? {
        let text = match snap.read(&path) {
            Ok(t) => t.unwrap_or_default(),
            Err(e) => {
                listing.problems.push(Problem::whole(&path, e.to_string()));
                continue;
            }
        };
        match Issue::parse(&text) {
            Ok(issue) => listing.records.push(Record { key, issue }),
            Err(e) => listing.problems.push(Problem::new(&path, e)),
        }
    }
    Ok(listing)
}

/// The number after the highest one ever used: the highest issue on the
/// branch or in the list of deleted keys.
pub(super) fn next_number(snap: &Snapshot<'_>) -> Result<u64> {
    let mut buckets: Vec<u64> = snap
        .list(layout::ISSUES)?
        .into_iter()
        .filter(|e| e.is_dir)
        .filter_map(|e| e.name.parse().ok())
        .collect();
    buckets.sort_unstable_by(|a, b| b.cmp(a));
    let mut highest = 0;
    for bucket in buckets {
        highest = highest_in(snap, &layout::bucket_dir(bucket), bucket, 2)?;
        if highest > 0 {
            break;
        }
    }
    let deleted = deleted_numbers(snap)?.into_iter().max().unwrap_or(0);
    number_after(highest.max(deleted))
}

/// The highest number of bucket `bucket` in `dir`: its own issue files and
/// folders, and the highest single-digit folder `depth` levels down that
/// holds any.
fn highest_in(snap: &Snapshot<'_>, dir: &str, bucket: u64, depth: usize) -> Result<u64> {
    let entries = snap.list(dir)?;
    let mut highest = entries
        .iter()
        .filter_map(|e| match BranchPath::parse(&format!("{dir}/{}", e.name)) {
            BranchPath::Issue(k) | BranchPath::InIssue(k, _) => Some(k.number),
            _ => None,
        })
        // A file misplaced into this bucket says nothing of its numbers.
        .filter(|n| layout::bucket(*n) == bucket)
        .max()
        .unwrap_or(0);
    if depth > 0 {
        let mut digits: Vec<&str> = entries
            .iter()
            .filter(|e| e.is_dir && is_digit_folder(&e.name))
            .map(|e| e.name.as_str())
            .collect();
        digits.sort_unstable_by(|a, b| b.cmp(a));
        for d in digits {
            let below = highest_in(snap, &format!("{dir}/{d}"), bucket, depth - 1)?;
            if below > 0 {
                highest = highest.max(below);
                break;
            }
        }
    }
    Ok(highest)
}

/// The number after `n`, or an error when numbers have run out.
pub(super) fn number_after(n: u64) -> Result<u64> {
    if n >= MAX_NUMBER {
        return Err(Error::Refused(format!(
            "issue numbers stop at {MAX_NUMBER}, and this tracker has used them up"
        )));
    }
    Ok(n + 1)
}

/// The keys `issues/deleted.yml` lists.
pub(super) fn deleted_keys(snap: &Snapshot<'_>) -> Result<Vec<String>> {
    Ok(layout::read_key_list(
        &snap.read(layout::DELETED)?.unwrap_or_default(),
    ))
}

/// The numbers of deleted issues, which are never given out again.
pub(super) fn deleted_numbers(snap: &Snapshot<'_>) -> Result<Vec<u64>> {
    Ok(deleted_keys(snap)?
        .iter()
        .filter_map(|k| k.parse::<Key>().ok())
        .map(|k| k.number)
        .collect())
}

/// The keys issues filed under `key` were moved to by a sync, as
/// `issues/moved.yml` records them.
pub(super) fn moves_from(snap: &Snapshot<'_>, key: &Key) -> Result<Vec<Key>> {
    Ok(moves_in(
        &snap.read(layout::MOVED)?.unwrap_or_default(),
        key,
    ))
}

/// The keys `moved.yml` (`text`) says issues filed as `key` moved to.
pub(super) fn moves_in(text: &str, key: &Key) -> Vec<Key> {
    let key = key.to_string();
    layout::read_key_list(text)
        .iter()
        .filter_map(|m| m.split_once(" -> "))
        .filter(|(from, _)| from.trim() == key)
        .filter_map(|(_, to)| to.trim().parse().ok())
        .collect()
}

/// One issue with everything in its folder, as [`contents`] reads it.
#[derive(Debug, Clone)]
pub struct IssueContents {
    pub key: Key,
    pub issue: Issue,
    /// In the order they were written.
    pub comments: Vec<CommentRecord>,
    /// Names of attached files.
    pub attachments: Vec<String>,
    /// The sum of its occurrence files (a recorded error); read with the
    /// comments.
    pub occurrences: Tally,
}

/// Everything on the branch that is an issue or belongs to one, parsed.
#[derive(Debug, Default)]
pub struct Contents {
    /// By number.
    pub issues: Vec<IssueContents>,
    /// Files that did not parse; the rest are read as usual.
    pub problems: Vec<Problem>,
}

/// The issues at `keys` as [`contents`] reads them (comments and
/// occurrences included), without walking the rest of the branch: what an
/// export after a few changes reads. A key with no issue is left out; a
/// file that does not parse is a problem, as in [`contents`].
pub fn contents_of(snap: &Snapshot<'_>, keys: &[Key]) -> Result<Contents> {
    let mut issues = Vec::new();
    let mut problems = Vec::new();
    for key in keys {
        let record = match load(snap, key) {
            Ok(r) if r.key == *key => r,
            Ok(_) | Err(Error::NoSuchIssue(_)) => continue,
            Err(Error::BadFile(p)) => {
                problems.push(p);
                continue;
            }
            Err(e) => return Err(e),
        };
        let (comments, bad) = comments_of(snap, key)?;
        problems.extend(bad);
        let (files, bad) = occurrences_of(snap, key)?;
        problems.extend(bad);
        let attachments = super::attachments::attachments_in(snap, key)?
            .into_iter()
            .map(|a| a.name)
            .collect();
        issues.push(IssueContents {
            key: record.key,
            issue: record.issue,
            comments,
            attachments,
            occurrences: Tally::of(files.iter().map(|(id, f)| (id.as_str(), f))),
        });
    }
    issues.sort_by_key(|c| c.key.number);
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Contents { issues, problems })
}

/// Reads every issue with its comments in one walk of the branch, parsing on
/// every core: what the site and a full export read. `with_comments: false`
/// leaves comment files unread.
pub fn contents(snap: &Snapshot<'_>, with_comments: bool) -> Result<Contents> {
    let listed = snap.list_files(layout::ISSUES)?;
    contents_where(snap, &listed, with_comments, &|_| true)
}

/// As [`contents`], of the issues whose numbers `numbers` picks only (their
/// files wherever they lie): what the site reads a slice at a time, so
/// that memory never holds every parsed issue.
pub fn contents_where(
    snap: &Snapshot<'_>,
    listed: &FileList,
    with_comments: bool,
    numbers: &(dyn Fn(u64) -> bool + Sync),
) -> Result<Contents> {
    let wanted = |path: &str| match BranchPath::parse(path) {
        BranchPath::Issue(k) => numbers(k.number),
        BranchPath::InIssue(k, Part::Comment(_) | Part::Occurrence(_)) => {
            with_comments && numbers(k.number)
        }
        _ => false,
    };
    // The others' files are not even named: only attachments are used
    // unread.
    let include = |path: &str| match BranchPath::parse(path) {
        BranchPath::Issue(k) | BranchPath::InIssue(k, _) => numbers(k.number),
        _ => false,
    };
    let mut texts = Vec::new();
    let mut attachments: BTreeMap<Key, Vec<String>> = BTreeMap::new();
    for (path, bytes) in snap.listed_files(listed, include, wanted)? {
        match (BranchPath::parse(&path), bytes) {
            (BranchPath::InIssue(k, Part::Attachment(name)), _) if numbers(k.number) => {
                attachments.entry(k).or_default().push(name);
            }
            (
                what @ (BranchPath::Issue(_)
                | BranchPath::InIssue(_, Part::Comment(_) | Part::Occurrence(_))),
                Some(b),
            ) => {
                texts.push((path, what, b));
            }
            _ => {}
        }
    }
    enum Parsed {
        Issue(Key, Box<Issue>),
        Comment(Key, CommentRecord),
        Occurrence(Key, String, Occurrences),
        Bad(Problem),
    }
    let parsed: Vec<Parsed> = texts
        .into_par_iter()
        .map(|(path, what, bytes)| {
            let Ok(text) = String::from_utf8(bytes) else {
                return Parsed::Bad(Problem::whole(&path, "the file is not UTF-8 text"));
            };
            match what {
                BranchPath::InIssue(key, Part::Comment(id)) => match Comment::parse(&text) {
                    Ok(comment) => Parsed::Comment(key, CommentRecord { id, comment }),
                    Err(e) => Parsed::Bad(Problem::new(&path, e)),
                },
                BranchPath::InIssue(key, Part::Occurrence(id)) => match Occurrences::parse(&text) {
                    Ok(o) => Parsed::Occurrence(key, id, o),
                    Err(e) => Parsed::Bad(Problem::new(&path, e)),
                },
                BranchPath::Issue(key) => match Issue::parse(&text) {
                    Ok(i) => Parsed::Issue(key, Box::new(i)),
                    Err(e) => Parsed::Bad(Problem::new(&path, e)),
                },
                _ => Parsed::Bad(Problem::whole(&path, "not an issue file")),
            }
        })
        .collect();
    let mut issues: BTreeMap<u64, IssueContents> = BTreeMap::new();
    let mut comments: HashMap<Key, Vec<CommentRecord>> = HashMap::new();
    let mut occurrences: HashMap<Key, OccurrenceFiles> = HashMap::new();
    let mut problems = Vec::new();
    for p in parsed {
        match p {
            Parsed::Issue(key, issue) => {
                issues.insert(
                    key.number,
                    IssueContents {
                        key,
                        issue: *issue,
                        comments: Vec::new(),
                        attachments: Vec::new(),
                        occurrences: Tally::default(),
                    },
                );
            }
            Parsed::Comment(key, c) => comments.entry(key).or_default().push(c),
            Parsed::Occurrence(key, id, o) => occurrences.entry(key).or_default().push((id, o)),
            Parsed::Bad(p) => problems.push(p),
        }
    }
    for (key, mut list) in comments {
        if let Some(entry) = issues.get_mut(&key.number).filter(|e| e.key == key) {
            sort_comments(&mut list);
            entry.comments = list;
        }
    }
    for (key, mut files) in occurrences {
        if let Some(entry) = issues.get_mut(&key.number).filter(|e| e.key == key) {
            // In name order, as `details` reads them.
            files.sort_by(|a, b| a.0.cmp(&b.0));
            entry.occurrences = Tally::of(files.iter().map(|(id, f)| (id.as_str(), f)));
        }
    }
    for (key, names) in attachments {
        if let Some(entry) = issues.get_mut(&key.number).filter(|e| e.key == key) {
            entry.attachments = names;
        }
    }
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Contents {
        issues: issues.into_values().collect(),
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::may_hold;

    #[test]
    fn a_file_may_hold_a_word_only_if_it_has_it_or_an_escape() {
        let text = "---\ntitle: Slow\nduplicate_of: BC-12\n---\nBody\n";
        assert!(may_hold(text, &["bc-12"]), "any case");
        assert!(!may_hold(text, &["bc-13"]));
        assert!(may_hold(text, &["bc-13", "bc-12"]), "one of them");
        assert!(!may_hold(text, &[]));
        // YAML could spell it with escapes: parse to be sure.
        assert!(may_hold(
            "---\nduplicate_of: \"\\x42C-13\"\n---\n",
            &["bc-13"]
        ));
        // A word YAML may quote or escape is never ruled out.
        assert!(may_hold(text, &["it's"]));
        assert!(may_hold(text, &["two words"]));
    }
}
