//! Attachments: files under an issue's folder on the branch
//! (`issues/<bucket>/<KEY>/attachments/<name>`), stored byte for byte as
//! git blobs, so the same content attached twice is stored once. One
//! commit per `attach` or `detach`; a file larger than `tracker.yml`'s
//! `attachments.max_size` is refused before anything is written.
//!
//! Names are made safe here, once: the last part of a path, with anything
//! but letters, digits and `. - _ +` turned into `_` and no leading dot, so
//! a name can neither leave the issue's folder nor hide in it, on the
//! branch, in a checkout or on the site.

use std::cell::RefCell;
use std::path::PathBuf;

use super::read::{folders_of, locate};
use super::{Error, Result, Tracker};
use crate::format::Key;
use crate::format::config::ByteSize;
use crate::format::layout;
use crate::store::{Change, Edit, Snapshot};

/// Where the bytes of a new attachment come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file, read once its size is known to be allowed.
    Path(PathBuf),
    Bytes(Vec<u8>),
}

/// A file to attach, under the name asked for (made safe on the way).
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub source: Source,
}

/// An attachment of an issue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attachment {
    pub name: String,
    pub size: u64,
}

/// What `attach` did.
#[derive(Debug, Clone)]
pub struct Attached {
    pub key: Key,
    pub files: Vec<Attachment>,
    /// `None` when every file was attached already, with the same bytes.
    pub commit: Option<String>,
}

/// Longest name kept, in bytes; longer ones lose the end of their stem.
const MAX_NAME: usize = 100;

/// A name that is safe as one file name everywhere: see the module's
/// header.
pub fn safe_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut name = String::with_capacity(base.len());
    for c in base.chars() {
        let keep = c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '+');
        let c = if keep && !crate::format::is_control(c) {
            c
        } else {
            '_'
        };
        if !(c == '_' && name.ends_with('_')) {
            name.push(c);
        }
    }
    let name = name.trim_start_matches(['.', '_']).trim_end_matches('_');
    let mut name = if name.is_empty() {
        "attachment".to_owned()
    } else {
        name.to_owned()
    };
    if name.len() > MAX_NAME {
        let ext = name
            .rfind('.')
            .map(|i| name[i..].to_owned())
            .filter(|e| e.len() <= 16)
            .unwrap_or_default();
        let mut stem: String = String::new();
        for c in name.chars() {
            if stem.len() + c.len_utf8() + ext.len() > MAX_NAME {
                break;
            }
            stem.push(c);
        }
        name = format!("{stem}{ext}");
    }
    name
}

pub(super) fn attachments_in(snap: &Snapshot<'_>, key: &Key) -> Result<Vec<Attachment>> {
    Ok(located(snap, key)?.into_iter().map(|(a, _)| a).collect())
}

/// The attachments of an issue with where each is: beside its file, in
/// whichever layout (see `read::folders_of`), by name.
fn located(snap: &Snapshot<'_>, key: &Key) -> Result<Vec<(Attachment, String)>> {
    let (_, issue_path) = locate(snap, key)?;
    let mut out: Vec<(Attachment, String)> = Vec::new();
    for dir in folders_of(key, &issue_path) {
        let dir = format!("{dir}/attachments");
        for e in snap.list(&dir)?.into_iter().filter(|e| e.is_file) {
            if out.iter().any(|(a, _)| a.name == e.name) {
                continue;
            }
            let path = format!("{dir}/{}", e.name);
            let size = snap.size(&path)?.unwrap_or_default();
            out.push((Attachment { name: e.name, size }, path));
        }
    }
    out.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    Ok(out)
}

/// The attachment `name` of an issue, as named or as `attach` would have
/// named it, and where it is.
fn find(snap: &Snapshot<'_>, key: &Key, name: &str) -> Result<(String, String)> {
    let list = located(snap, key)?;
    let safe = safe_name(name);
    list.iter()
        .find(|(a, _)| a.name == name)
        .or_else(|| list.iter().find(|(a, _)| a.name == safe))
        .map(|(a, path)| (a.name.clone(), path.clone()))
        .ok_or_else(|| Error::NoAttachment {
            key: key.to_string(),
            name: name.to_owned(),
            available: list.iter().map(|(a, _)| a.name.clone()).collect(),
        })
}

impl Tracker {
    /// Attaches files to an issue in one commit. Refuses, before writing
    /// anything, a file over the size limit, two files of one name, and a
    /// name the issue already has for other bytes.
    pub fn attach(&self, key: &Key, uploads: Vec<Upload>) -> Result<Attached> {
        let limit = self.config()?.attachments.max_size;
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        for u in uploads {
            let name = safe_name(&u.name);
            let too_big = |size: u64| {
                Error::Refused(format!(
                    "{} is {}, more than the {} an attachment may be (attachments.max_size in tracker.yml)",
                    u.name,
                    ByteSize(size),
                    limit
                ))
            };
            let bytes = match u.source {
                Source::Bytes(b) => b,
                Source::Path(path) => {
                    let cannot = |e: std::io::Error| {
                        Error::Refused(format!("cannot read {}: {e}", path.display()))
                    };
                    let meta = std::fs::metadata(&path).map_err(cannot)?;
                    if !meta.is_file() {
                        return Err(Error::Refused(format!("{} is not a file", path.display())));
                    }
                    if meta.len() > limit.0 {
                        return Err(too_big(meta.len()));
                    }
                    std::fs::read(&path).map_err(cannot)?
                }
            };
            if bytes.len() as u64 > limit.0 {
                return Err(too_big(bytes.len() as u64));
            }
            if files.iter().any(|(n, _)| *n == name) {
                return Err(Error::Refused(format!(
                    "two files would be attached as {name}; give one another name with --name"
                )));
            }
            files.push((name, bytes));
        }
        if files.is_empty() {
            return Err(Error::Empty {
                what: "attach",
                needs: "a file",
            });
        }
        let found = RefCell::new(key.clone());
        let commit = self.commit(|snap| {
            let (k, issue_path) = locate(snap, key)?;
            let have = located(snap, &k)?;
            let mut edits = Vec::new();
            let mut said = Vec::new();
            for (name, bytes) in &files {
                // Beside the issue's file, in whichever layout it is.
                let path = match have.iter().find(|(a, _)| a.name == *name) {
                    Some((_, p)) => p.clone(),
                    None => format!("{}/attachments/{name}", layout::folder_of(&issue_path)),
                };
                match snap.read_bytes(&path)? {
                    Some(have) if have == *bytes => continue,
                    Some(_) => {
                        return Err(Error::Refused(format!(
                            "{k} has an attachment {name} already, with other content; detach it first (git issue detach {k} {name}) or attach under another --name"
                        )));
                    }
                    None => {}
                }
                said.push(format!("{name} ({})", ByteSize(bytes.len() as u64)));
                edits.push(Edit::Write {
                    path,
                    content: bytes.clone(),
                });
            }
            *found.borrow_mut() = k.clone();
            if edits.is_empty() {
                return Ok::<_, Error>(None);
            }
            Ok(Some(Change {
                message: format!("{k}: attach {}", said.join(", ")),
                edits,
            }))
        })?;
        Ok(Attached {
            key: found.into_inner(),
            files: files
                .into_iter()
                .map(|(name, bytes)| Attachment {
                    name,
                    size: bytes.len() as u64,
                })
                .collect(),
            commit,
        })
    }

    /// The attachments of an issue, by name, with their sizes.
    pub fn attachments(&self, key: &Key) -> Result<(Key, Vec<Attachment>)> {
        let snap = self.snapshot()?;
        let (k, _) = locate(&snap, key)?;
        let list = attachments_in(&snap, &k)?;
        Ok((k, list))
    }

    /// The bytes of one attachment.
    pub fn attachment(&self, key: &Key, name: &str) -> Result<(String, Vec<u8>)> {
        let snap = self.snapshot()?;
        let (k, _) = locate(&snap, key)?;
        let (name, path) = find(&snap, &k, name)?;
        let bytes = snap.read_bytes(&path)?.unwrap_or_default();
        Ok((name, bytes))
    }

    /// Removes an attachment, in one commit; the bytes stay in the
    /// branch's history.
    pub fn detach(&self, key: &Key, name: &str) -> Result<(Key, String)> {
        let done = RefCell::new((key.clone(), String::new()));
        self.commit(|snap| {
            let (k, _) = locate(snap, key)?;
            let (found, path) = find(snap, &k, name)?;
            let change = Change {
                message: format!("{k}: detach {found}"),
                edits: vec![Edit::Remove { path }],
            };
            *done.borrow_mut() = (k, found);
            Ok::<_, Error>(Some(change))
        })?;
        Ok(done.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_one_plain_file_name() {
        for (raw, safe) in [
            ("log.txt", "log.txt"),
            ("/etc/passwd", "passwd"),
            ("../../../.git/config", "config"),
            ("..\\..\\win.ini", "win.ini"),
            ("..", "attachment"),
            (".hidden", "hidden"),
            ("a b<script>.png", "a_b_script_.png"),
            ("x\u{202E}gnp.exe", "x_gnp.exe"),
            ("nul\0byte", "nul_byte"),
            ("", "attachment"),
            ("Résumé.pdf", "Résumé.pdf"),
        ] {
            assert_eq!(safe_name(raw), safe, "{raw:?}");
        }
        let long = format!("{}.tar.gz", "x".repeat(300));
        let s = safe_name(&long);
        assert!(s.len() <= MAX_NAME && s.ends_with(".gz"), "{s}");
    }
}
