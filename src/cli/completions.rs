use anyhow::Result;
use clap::{Args, CommandFactory, ValueEnum};

use crate::ui::Ui;

/// Print a shell completion script: bash, zsh, fish, elvish or powershell
///
/// bash and zsh complete `git issue …` (through git's own completion) and
/// `git-issue …`: commands, flags, issue keys, labels, milestones, people,
/// statuses and templates, read from the tracker as you type.
///
///   git issue completions bash > ~/.local/share/bash-completion/completions/git-issue
///   git issue completions zsh > ~/.zfunc/_git-issue   # with fpath+=(~/.zfunc)
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    shell: Shell,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

/// For bash. git's completion calls `_git_issue` for `git issue …`, with
/// `words`, `cword` and `cur` set; `git-issue …` comes through
/// `_git_issue_standalone`. The words after `issue` go to
/// `git-issue __complete`, which answers one candidate a line.
const BASH: &str = r#"# bash completion for git-issue: `git issue …` and `git-issue …`.
_git_issue() {
    local i start=-1
    for ((i = 0; i < cword; i++)); do
        case "${words[i]}" in
            issue | git-issue | */git-issue) start=$i; break ;;
        esac
    done
    ((start < 0)) && return 0
    local IFS=$'\n'
    COMPREPLY=($(git-issue __complete -- "${words[@]:start+1:cword-start}" 2>/dev/null))
    # Bash splits words at : and =, so what it replaces starts after them.
    if [[ $cur == *[:=]* ]]; then
        local done_part=${cur%"${cur##*[:=]}"}
        COMPREPLY=("${COMPREPLY[@]#"$done_part"}")
    fi
    # `label:` and `status=` go on without a space.
    if ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == *[:=] ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}

_git_issue_standalone() {
    local cur words cword
    if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
        _get_comp_words_by_ref -n =: cur words cword
    else
        cur=${COMP_WORDS[COMP_CWORD]} words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
    fi
    _git_issue
}

complete -o bashdefault -o default -F _git_issue_standalone git-issue
"#;

/// For zsh. zsh's own `_git` calls `_git-issue` for `git issue …` (words
/// starting at `issue`); `compdef` covers `git-issue …`.
const ZSH: &str = r#"#compdef git-issue
# zsh completion for git-issue: `git issue …` and `git-issue …`.
_git-issue() {
    local -a found
    found=(${(f)"$(git-issue __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)"})
    if (( ${#found} == 0 )); then
        _files
        return
    fi
    local -a whole open
    local c
    for c in $found; do
        if [[ $c == *[:=] ]]; then open+=($c); else whole+=($c); fi
    done
    (( ${#whole} )) && compadd -Q -- $whole
    (( ${#open} )) && compadd -Q -S '' -- $open
    return 0
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _git-issue "$@"
else
    compdef _git-issue git-issue
fi
"#;

pub fn run(ui: &Ui, args: CompletionsArgs) -> Result<()> {
    let script = match args.shell {
        Shell::Bash => BASH.to_owned(),
        Shell::Zsh => ZSH.to_owned(),
        other => {
            let shell = match other {
                Shell::Fish => clap_complete::Shell::Fish,
                Shell::Elvish => clap_complete::Shell::Elvish,
                _ => clap_complete::Shell::PowerShell,
            };
            let mut cmd = super::Cli::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, "git-issue", &mut out);
            String::from_utf8_lossy(&out).into_owned()
        }
    };
    ui.data(&script)?;
    Ok(())
}
