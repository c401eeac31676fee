use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::JsonArg;
use crate::format::config::ByteSize;
use crate::tracker::attachments::{Source, Upload};
use crate::ui::{Ui, one_line};

/// Attach files to an issue, in one commit
///
/// Each is stored whole on the issues branch, under the folder.
/// Names are made safe (letters, digits, . - _ +); tracker.yml's
/// attachments.max_size (10 MB unless it says otherwise) is the largest a
/// file may be.
#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The issue, like BC-12
    key: String,
    /// The files to attach (- reads one from stdin, with --name)
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The name to attach it under (one file only)
    #[arg(long, short = 'n', value_name = "NAME")]
    name: Option<String>,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ui: &Ui, args: AttachArgs) -> Result<()> {
    let tracker = super::open()?;
    let key = super::key(&tracker, &args.key)?;
    if args.name.is_some() && args.files.len() > 1 {
        bail!("--name names one file; attach the others separately");
    }
    let mut uploads = Vec::new();
    for path in args.files {
        let upload = if path.as_os_str() == "-" {
            let Some(name) = args.name.clone() else {
                bail!("a file from stdin needs a name: git issue attach {key} - --name log.txt");
            };
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)?;
            Upload {
                name,
                source: Source::Bytes(bytes),
            }
        } else {
            Upload {
                name: args.name.clone().unwrap_or_else(|| {
                    path.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                }),
                source: Source::Path(path),
            }
        };
        uploads.push(upload);
    }
    let attached = tracker.attach(&key, uploads)?;
    if args.json.json {
        return Ok(ui.json(&serde_json::json!({
            "key": attached.key.to_string(),
            "attachments": attached.files,
            "commit": attached.commit,
        }))?);
    }
    let said: Vec<String> = attached
        .files
        .iter()
        .map(|f| format!("{} ({})", one_line(&f.name), ByteSize(f.size)))
        .collect();
    match attached.commit {
        Some(_) => ui.status(&format!("{}: attached {}", attached.key, said.join(", "))),
        None => ui.status(&format!(
            "{}: already attached, with the same content: {}",
            attached.key,
            said.join(", ")
        )),
    }
    Ok(())
}
