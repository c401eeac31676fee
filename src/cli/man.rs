use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory};

use crate::ui::Ui;

/// Print a man page, or install one per command
///
/// Without arguments, prints git-issue(1); with a COMMAND, that command's
/// page (git-issue-new(1)). --install writes every page where man finds
/// them, so `man git-issue-new` and `git issue --help` work: beside the
/// binary (../share/man/man1), else ~/.local/share/man/man1.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// A command, like new or list
    #[arg(value_name = "COMMAND", conflicts_with = "install")]
    command: Option<String>,
    /// Write every page into a man folder
    #[arg(long)]
    install: bool,
    /// The folder to write them into (with --install)
    #[arg(long, value_name = "DIR", requires = "install")]
    dir: Option<PathBuf>,
}

/// The command as the pages name it: `git-issue`, and `git-issue-new` for
/// its subcommands.
fn command() -> clap::Command {
    super::Cli::command()
        .name("git-issue")
        .bin_name("git-issue")
}

pub fn run(ui: &Ui, args: ManArgs) -> Result<()> {
    if args.install {
        let dir = match args.dir {
            Some(d) => d,
            None => default_dir()?,
        };
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        clap_mangen::generate_to(command(), &dir)
            .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
        let count = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("git-issue"))
            .count();
        ui.status(&format!("Wrote {count} man pages into {}", dir.display()));
        return Ok(());
    }
    let mut cmd = command();
    cmd.build();
    let page = match &args.command {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name).filter(|s| !s.is_hide_set()) {
            Some(sub) => sub.clone(),
            None => bail!("git issue has no command {name:?}; git issue --help lists them"),
        },
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    ui.data(&String::from_utf8_lossy(&out))?;
    Ok(())
}

/// Where man looks without being told: `share/man` beside the `bin` folder
/// the binary is in (man-db derives its path from PATH that way), when we
/// may write there; else the user's own `~/.local/share/man`, which man
/// reads when `~/.local/bin` is on PATH.
fn default_dir() -> Result<PathBuf> {
    if let Ok(exe) = std::env::current_exe()
        && let Some(prefix) = exe.parent().and_then(|bin| bin.parent())
    {
        let dir = prefix.join("share").join("man").join("man1");
        let probe = if dir.exists() {
            dir.clone()
        } else {
            prefix.to_path_buf()
        };
        let writable = std::fs::metadata(&probe).is_ok_and(|m| !m.permissions().readonly())
            && tempfile::tempfile_in(&probe).is_ok();
        if writable && exe.parent().is_some_and(|b| b.ends_with("bin")) {
            return Ok(dir);
        }
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .context("HOME is not set; give the folder with --dir")?;
    Ok(data.join("man").join("man1"))
}
