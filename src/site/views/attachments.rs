//! How an attachment is named, typed and linked on the site (and by
//! `serve`, which serves the same names).

use super::*;

/// An attached file as an issue's page shows it: a link to its copy in
/// the site, an image inline.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentView {
    /// Its name on the branch, as typed.
    pub name: String,
    /// Its copy's path in the site ([`attachment_path`]).
    pub path: String,
    pub image: bool,
}

/// Extensions of files a browser shows without running anything in them;
/// any other file is copied with `.bin` added, so that the site never
/// serves an attached page or SVG that would run a script as its own.
const INERT: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "txt", "log", "csv", "json", "pdf", "zip",
    "gz", "tgz", "tar", "xz", "zst", "7z", "har", "patch", "diff", "md",
];

/// Of those, the images a page shows inline.
pub(super) const IMAGES: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "avif", "bmp"];

pub(super) fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| INERT.contains(&e.as_str()))
}

/// The file name of an attachment's copy in the site: its name when that
/// is plain (ASCII letters, digits, `-_.`, no leading dot) and its type
/// inert; else a plain version of it with a hash of the name (two names
/// never share a file) and, unless inert, `.bin`.
pub fn attachment_file_name(name: &str) -> String {
    let plain: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let ext = extension(name);
    if plain == name && !name.starts_with('.') && ext.is_some() {
        return plain;
    }
    let stem = match &ext {
        Some(e) => &plain[..plain.len() - e.len() - 1],
        None => plain.as_str(),
    };
    let stem: String = stem
        .trim_start_matches(['.', '_', '-'])
        .chars()
        .take(80)
        .collect();
    let stem = if stem.is_empty() { "attachment" } else { &stem };
    let hash = xxhash_rust::xxh3::xxh3_64(name.as_bytes()) as u32;
    format!("{stem}-{hash:08x}.{}", ext.as_deref().unwrap_or("bin"))
}

/// The content type an attachment's copy is served with: what its
/// extension says for an inert type, else a download.
pub fn attachment_content_type(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("bmp") => "image/bmp",
        Some("txt" | "log" | "md" | "patch" | "diff" | "csv") => "text/plain; charset=utf-8",
        Some("json" | "har") => "application/json",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Where the copy of an attachment of `key` is in the site.
pub fn attachment_path(key: &str, name: &str) -> String {
    format!("issues/{key}/attachments/{}", attachment_file_name(name))
}
