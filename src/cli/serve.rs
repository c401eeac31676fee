use std::net::IpAddr;

use anyhow::Result;
use clap::Args;

use crate::serve::{self, Options};
use crate::ui::Ui;

/// Serve the site live from the branch, with forms to file and change issues
///
/// Every page of `export site`, rendered from the issues branch as it is now
/// and updated in open browsers when it moves; a New issue form, field
/// changes, comments, closing, and a board whose cards move by drag and
/// drop. Each change is one commit by your git identity, as on the command
/// line. Listens on 127.0.0.1 only unless --bind says otherwise.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on; 0 picks a free one
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The address to listen on
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDRESS")]
    bind: IpAddr,
    /// Open the site in your browser
    #[arg(long)]
    open: bool,
    /// Serve the pages without forms and refuse every change
    #[arg(long)]
    read_only: bool,
    /// Also show confidential issues and internal comments
    #[arg(long)]
    include_confidential: bool,
}

pub fn run(ui: &Ui, args: ServeArgs) -> Result<()> {
    let dir = std::env::current_dir()?;
    if !args.bind.is_loopback() {
        ui.warn(&format!(
            "listening on {}: anyone who can reach this machine can read{} the issues",
            args.bind,
            if args.read_only { "" } else { " and change" }
        ));
    }
    let options = Options {
        bind: args.bind,
        port: args.port,
        read_only: args.read_only,
        include_confidential: args.include_confidential,
    };
    let open = args.open;
    serve::run(dir, options, |addr| {
        let url = format!("http://{addr}/");
        ui.status(&format!("serving the issues at {url} (Ctrl-C stops)"));
        if open && !open_browser(&url) {
            ui.warn(&format!("could not open a browser; open {url} yourself"));
        }
    })?;
    Ok(())
}

/// Opens `url` with the desktop's own opener.
fn open_browser(url: &str) -> bool {
    let (program, args): (&str, &[&str]) = if cfg!(target_os = "macos") {
        ("open", &[])
    } else if cfg!(windows) {
        ("cmd", &["/C", "start", ""])
    } else {
        ("xdg-open", &[])
    };
    std::process::Command::new(program)
        .args(args)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}
