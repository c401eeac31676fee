//! Settings read as git reads them. libgit2 reads the usual files but not
//! the variables git honours, so a setting given only through them would be
//! missed: `GIT_CONFIG_GLOBAL` (another global file, or none),
//! `GIT_CONFIG_SYSTEM` and `GIT_CONFIG_NOSYSTEM`, and the settings of the
//! command line, `git -c name=value` (which git passes to its subcommands in
//! `GIT_CONFIG_PARAMETERS`) and `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_<n>`/
//! `GIT_CONFIG_VALUE_<n>`. Files are read by libgit2 (includes and all);
//! the order and the variables are git's.

use std::path::{Path, PathBuf};

use git2::{Config, ConfigLevel, Repository};

/// The repository's settings, lowest priority first: system, global,
/// local, worktree, then the command line's.
pub struct Settings {
    files: Config,
    /// `git -c` and `GIT_CONFIG_COUNT` settings, in order (the last wins).
    command_line: Vec<(String, Option<String>)>,
}

impl Settings {
    pub fn of(repo: &Repository) -> Result<Settings, git2::Error> {
        Ok(Settings {
            files: files(repo)?,
            command_line: command_line(),
        })
    }

    /// A setting's value as text, as `git config NAME` prints it.
    pub fn get(&self, name: &str) -> Option<String> {
        if let Some((_, value)) = self
            .command_line
            .iter()
            .rev()
            .find(|(key, _)| same_name(key, name))
        {
            // `git -c name` without a value is true.
            return Some(value.clone().unwrap_or_else(|| "true".to_owned()));
        }
        self.files.get_string(name).ok()
    }

    /// A setting that names a file: `~/` is the home folder, as git takes it.
    pub fn get_path(&self, name: &str) -> Option<PathBuf> {
        let value = self.get(name)?;
        Some(match value.strip_prefix("~/") {
            Some(rest) => home().map_or_else(|| PathBuf::from(&value), |h| h.join(rest)),
            None => PathBuf::from(value),
        })
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

fn var_is_true(name: &str) -> bool {
    std::env::var(name)
        .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
}

/// The config files git would read for this repository, in git's order.
fn files(repo: &Repository) -> Result<Config, git2::Error> {
    let mut config = Config::new()?;
    let add = |config: &mut Config, path: &Path, level: ConfigLevel| -> Result<(), git2::Error> {
        if path.is_file() {
            config.add_file(path, level, false)?;
        }
        Ok(())
    };
    if !var_is_true("GIT_CONFIG_NOSYSTEM") {
        let system = match std::env::var_os("GIT_CONFIG_SYSTEM") {
            Some(p) => Some(PathBuf::from(p)),
            None => Config::find_system().ok(),
        };
        if let Some(system) = system {
            add(&mut config, &system, ConfigLevel::System)?;
        }
    }
    match std::env::var_os("GIT_CONFIG_GLOBAL") {
        Some(global) => add(&mut config, Path::new(&global), ConfigLevel::Global)?,
        None => {
            if let Ok(xdg) = Config::find_xdg() {
                add(&mut config, &xdg, ConfigLevel::XDG)?;
            }
            if let Ok(global) = Config::find_global() {
                add(&mut config, &global, ConfigLevel::Global)?;
            }
        }
    }
    add(
        &mut config,
        &repo.commondir().join("config"),
        ConfigLevel::Local,
    )?;
    let worktree = repo.path().join("config.worktree");
    if worktree != repo.commondir().join("config") {
        add(&mut config, &worktree, ConfigLevel::Worktree)?;
    }
    Ok(config)
}

/// The settings of the command line, from the environment git passes them
/// in: `GIT_CONFIG_PARAMETERS` (what `git -c` sets), then
/// `GIT_CONFIG_COUNT` pairs.
fn command_line() -> Vec<(String, Option<String>)> {
    let mut out = std::env::var("GIT_CONFIG_PARAMETERS")
        .map(|p| parse_parameters(&p))
        .unwrap_or_default();
    if let Some(count) = std::env::var("GIT_CONFIG_COUNT")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
    {
        for i in 0..count {
            if let (Ok(key), Ok(value)) = (
                std::env::var(format!("GIT_CONFIG_KEY_{i}")),
                std::env::var(format!("GIT_CONFIG_VALUE_{i}")),
            ) {
                out.push((key, Some(value)));
            }
        }
    }
    out
}

/// Reads `GIT_CONFIG_PARAMETERS`: single-quoted words as git's
/// `sq_quote` writes them (`'\''` is a quote inside one), each either
/// `'name=value'` (older gits) or `'name'='value'`; a word without `=` is a
/// name set to true.
pub fn parse_parameters(text: &str) -> Vec<(String, Option<String>)> {
    let mut words: Vec<(String, bool)> = Vec::new(); // (text, followed by '=')
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek() != Some(&'\'') {
            break;
        }
        let mut word = String::new();
        // One or more quoted parts, glued by `\'`.
        loop {
            chars.next(); // the opening quote
            for c in chars.by_ref() {
                if c == '\'' {
                    break;
                }
                word.push(c);
            }
            let mut rest = chars.clone();
            if rest.next() == Some('\\') && rest.next() == Some('\'') && rest.peek() == Some(&'\'')
            {
                chars.next();
                chars.next();
                word.push('\'');
                continue;
            }
            break;
        }
        let joined = chars.peek() == Some(&'=');
        if joined {
            chars.next();
        }
        words.push((word, joined));
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (word, joined) = &words[i];
        if *joined && i + 1 < words.len() {
            out.push((word.clone(), Some(words[i + 1].0.clone())));
            i += 2;
        } else {
            match word.split_once('=') {
                Some((k, v)) => out.push((k.to_owned(), Some(v.to_owned()))),
                None => out.push((word.clone(), None)),
            }
            i += 1;
        }
    }
    out
}

/// Whether two setting names are the same: section and key ignore case, a
/// subsection (`remote.Origin.url`) does not.
fn same_name(a: &str, b: &str) -> bool {
    let split = |s: &str| -> (String, String, String) {
        let first = s.find('.').unwrap_or(s.len());
        let last = s.rfind('.').unwrap_or(s.len());
        let section = s[..first].to_ascii_lowercase();
        let key = s.get(last + 1..).unwrap_or_default().to_ascii_lowercase();
        let sub = if last > first {
            s[first + 1..last].to_owned()
        } else {
            String::new()
        };
        (section, sub, key)
    };
    split(a) == split(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_as_git_writes_them() {
        assert_eq!(
            parse_parameters("'user.name'='A B' 'issue.branch'='x'"),
            [
                ("user.name".into(), Some("A B".into())),
                ("issue.branch".into(), Some("x".into()))
            ]
        );
        assert_eq!(
            parse_parameters("'core.pager=less -R' 'a.flag'"),
            [
                ("core.pager".into(), Some("less -R".into())),
                ("a.flag".into(), None)
            ]
        );
        assert_eq!(
            parse_parameters("'user.name'='O'\\''Brien'"),
            [("user.name".into(), Some("O'Brien".into()))]
        );
    }

    #[test]
    fn names_compare_as_git_compares_them() {
        assert!(same_name("User.Name", "user.name"));
        assert!(same_name("remote.Origin.URL", "remote.Origin.url"));
        assert!(!same_name("remote.Origin.url", "remote.origin.url"));
    }
}
