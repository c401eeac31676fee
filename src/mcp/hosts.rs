//! `git issue mcp --print-config`: what to paste into the agent hosts
//! people use most, each in the form its documentation gives. Hosts that
//! start servers in the project's folder run `git issue mcp` as it is;
//! the others are given the repository (and, where PATH may be short, the
//! binary) by absolute path.

use std::path::Path;

use serde_json::json;

/// The snippets, for a server started with `flags` (`--read-only`, …) on
/// the repository at `repo`, `exe` being this binary.
pub fn host_config(exe: &Path, repo: &Path, flags: &[&str]) -> String {
    let exe = exe.to_string_lossy();
    let repo = repo.to_string_lossy();
    let with = |mut args: Vec<String>| {
        args.extend(flags.iter().map(|f| (*f).to_owned()));
        args
    };
    let words = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let in_project = with(words(&["issue", "mcp"]));
    let workspace = with(words(&["issue", "mcp", "--repo", "${workspaceFolder}"]));
    let absolute = with(vec![
        "mcp".to_owned(),
        "--repo".to_owned(),
        repo.to_string(),
    ]);
    let pretty = |v: serde_json::Value| serde_json::to_string_pretty(&v).unwrap_or_default();
    let flags_text = if flags.is_empty() {
        String::new()
    } else {
        format!(" {}", flags.join(" "))
    };
    // A JSON string is a TOML basic string too (the same escapes).
    let toml_str = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let toml_args = absolute
        .iter()
        .map(|a| toml_str(a))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "# Claude Code: run this in the repository (add --scope project to share it in .mcp.json)
claude mcp add git-issue -- git issue mcp{flags_text}

# Claude Code, shared with the project: .mcp.json at the root of the repository
{claude_project}

# Claude Desktop: claude_desktop_config.json (Settings > Developer > Edit Config)
{claude_desktop}

# Cursor: .cursor/mcp.json in the repository
{cursor}

# VS Code (Copilot agent mode): .vscode/mcp.json in the repository
{vscode}

# Codex CLI: ~/.codex/config.toml
[mcp_servers.git-issue]
command = {codex_command}
args = [{toml_args}]
",
        claude_project = pretty(json!({
            "mcpServers": {"git-issue": {"command": "git", "args": in_project}}
        })),
        claude_desktop = pretty(json!({
            "mcpServers": {"git-issue": {"command": exe, "args": absolute}}
        })),
        cursor = pretty(json!({
            "mcpServers": {"git-issue": {"command": "git", "args": workspace}}
        })),
        vscode = pretty(json!({
            "servers": {"git-issue": {"type": "stdio", "command": "git", "args": workspace}}
        })),
        codex_command = toml_str(&exe),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_json_snippet_parses_and_paths_are_escaped() {
        let text = host_config(
            Path::new("/opt/bin/git-issue"),
            Path::new("/home/a \"b\"/repo"),
            &["--read-only"],
        );
        let mut blocks = 0;
        for block in text.split("\n\n") {
            let json: String = block
                .lines()
                .filter(|l| !l.starts_with('#'))
                .collect::<Vec<_>>()
                .join("\n");
            if json.starts_with('{') {
                let v: serde_json::Value = serde_json::from_str(&json).unwrap();
                blocks += 1;
                let args = v
                    .pointer("/mcpServers/git-issue/args")
                    .or_else(|| v.pointer("/servers/git-issue/args"))
                    .unwrap();
                assert_eq!(args.as_array().unwrap().last().unwrap(), "--read-only");
            }
        }
        assert_eq!(blocks, 4);
        assert!(text.contains(r#""/home/a \"b\"/repo""#), "{text}");
        assert!(text.contains("claude mcp add git-issue -- git issue mcp --read-only"));
        assert!(text.contains(r#"args = ["mcp", "--repo", "/home/a \"b\"/repo", "--read-only"]"#));
    }
}
