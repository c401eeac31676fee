//! `tracker.yml` as last parsed, kept in `<git dir>/git-issue/settings.json`
//! under the id of the file's content and of the build that parsed it.
//!
//! The YAML parser takes half a million instructions for the 600 bytes of
//! a usual `tracker.yml`: a sixth of a `show`, which only needs the key
//! prefix and the lists of values. A file's content never changes under
//! its blob id, and the build id (a hash of the sources, from `build.rs`)
//! changes whenever the code that reads it may have, so the copy is read
//! back only where parsing again would give the same settings. It is a
//! cache: never committed, safe to delete, and ignored when unreadable.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::format::Config;

const FILE: &str = "settings.json";
const BUILD: &str = env!("GIT_ISSUE_BUILD");

#[derive(Serialize)]
struct Written<'a> {
    build: &'a str,
    blob: &'a str,
    config: &'a Config,
}

#[derive(Deserialize)]
struct Read {
    build: String,
    blob: String,
    config: Config,
}

/// The settings parsed from the blob `blob` by this build, if kept.
pub(super) fn cached(dir: &Path, blob: &str) -> Option<Config> {
    let bytes = std::fs::read(dir.join(FILE)).ok()?;
    let read: Read = serde_json::from_slice(&bytes).ok()?;
    (read.build == BUILD && read.blob == blob).then_some(read.config)
}

/// Keeps `config` as what `blob` parses to. A temporary file renamed into
/// place, so a reader never sees half of it; a failure is no error (the
/// next command parses again).
pub(super) fn keep(dir: &Path, blob: &str, config: &Config) {
    let Ok(json) = serde_json::to_vec(&Written {
        build: BUILD,
        blob,
        config,
    }) else {
        return;
    };
    let _ = super::replace_local_file(&dir.join(FILE), &json);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of setting there is, away from its default.
    const EVERY_KIND: &str = "\
key: QA
statuses: [new, doing, done]
closed_statuses: [done]
types: [bug, idea]
priorities: [high, low]
severities: [bad]
categories: [security]
defaults: {status: new, type: idea, priority: low, severity: bad}
main_branch: trunk
release_notes: {link: 'https://example.com/{n}', tags: 'v*'}
hooks: {strict: true}
search: {language: none}
attachments: {max_size: 2.5 MB}
notify:
  - {name: ops, events: [created], filter: 'label:ops', command: 'cat', timeout: 3}
bridge:
  people: {marta: Marta K <m@example.com>}
  github: {types: {Bug: bug}}
";

    #[test]
    fn settings_read_back_are_the_settings_parsed() {
        let dir = tempfile::tempdir().unwrap();
        for text in [EVERY_KIND, ""] {
            let parsed = Config::parse(text).unwrap();
            assert_ne!(cached(dir.path(), "b1").as_ref(), Some(&parsed));
            keep(dir.path(), "b1", &parsed);
            assert_eq!(cached(dir.path(), "b1"), Some(parsed));
            // Another content, or a damaged file, is parsed again.
            assert_eq!(cached(dir.path(), "b2"), None);
        }
        std::fs::write(dir.path().join(FILE), "{\"build\":").unwrap();
        assert_eq!(cached(dir.path(), "b1"), None);
    }
}
