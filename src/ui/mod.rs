//! Everything a person reads: data to stdout, status and warnings to stderr,
//! colour decided once (terminal and `NO_COLOR`), tables laid out here.

pub mod report;
pub mod view;

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};

use console::{Style, measure_text_width};

pub struct Ui {
    color: bool,
    /// The pager our stdout goes to, when one was started.
    pager: std::cell::RefCell<Option<std::process::Child>>,
}

impl Default for Ui {
    fn default() -> Self {
        Self::new()
    }
}

impl Ui {
    pub fn new() -> Ui {
        let color = io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::env::var("TERM").map_or(true, |t| t != "dumb");
        Ui {
            color,
            pager: Default::default(),
        }
    }

    /// A `Ui` that paints nothing: for text drawn by something else (the
    /// board).
    pub fn colorless() -> Ui {
        Ui {
            color: false,
            pager: Default::default(),
        }
    }

    /// Whether stdin and stdout are a terminal: what a full-screen view
    /// needs.
    pub fn terminal(&self) -> bool {
        io::stdin().is_terminal() && io::stdout().is_terminal()
    }

    /// Whether stdout is a terminal (or the pager in front of one), so
    /// output is for people: headers, cut lines.
    pub fn for_people(&self) -> bool {
        io::stdout().is_terminal() || self.pager.borrow().is_some()
    }

    /// The width of the terminal stdout goes to; `None` when it is no
    /// terminal (a pipe, a file).
    pub fn width(&self) -> Option<usize> {
        if !self.for_people() {
            return None;
        }
        console::Term::stdout()
            .size_checked()
            .map(|(_, w)| w as usize)
            .filter(|w| *w > 0)
    }

    /// Sends the rest of stdout through the pager git would use
    /// (`GIT_PAGER`, then `core.pager` as given, then `PAGER`, then `less`),
    /// when stdout is a terminal. `cat` or an empty value means none.
    pub fn page(&self, core_pager: Option<String>) {
        if !io::stdout().is_terminal() || self.pager.borrow().is_some() {
            return;
        }
        let pager = std::env::var("GIT_PAGER")
            .ok()
            .or(core_pager)
            .or_else(|| std::env::var("PAGER").ok())
            .unwrap_or_else(|| "less".to_owned());
        if pager.trim().is_empty() || pager.trim() == "cat" {
            return;
        }
        let mut cmd = std::process::Command::new("sh");
        cmd.arg("-c")
            .arg(&pager)
            .stdin(std::process::Stdio::piped());
        // As git does: let less quit on one screen and keep colours.
        if std::env::var_os("LESS").is_none() {
            cmd.env("LESS", "FRX");
        }
        if std::env::var_os("LV").is_none() {
            cmd.env("LV", "-c");
        }
        if let Ok(child) = cmd.spawn() {
            *self.pager.borrow_mut() = Some(child);
        }
    }

    /// Writes data to stdout. A closed pipe (`| head`) surfaces as an
    /// `io::Error` of kind `BrokenPipe`, which `main` treats as success.
    pub fn data(&self, text: &str) -> io::Result<()> {
        if let Some(stdin) = self
            .pager
            .borrow_mut()
            .as_mut()
            .and_then(|c| c.stdin.as_mut())
        {
            stdin.write_all(text.as_bytes())?;
            if !text.ends_with('\n') && !text.is_empty() {
                stdin.write_all(b"\n")?;
            }
            return Ok(());
        }
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') && !text.is_empty() {
            out.write_all(b"\n")?;
        }
        out.flush()
    }

    /// Bytes as they are on stdout (an attachment), through nothing.
    pub fn bytes(&self, bytes: &[u8]) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()
    }

    /// Whether stdout is a terminal (where raw bytes do not belong).
    pub fn stdout_is_terminal(&self) -> bool {
        io::stdout().is_terminal()
    }

    /// Something that wants someone's attention (an open issue nobody is
    /// assigned to): bold yellow on a colour terminal, as it is elsewhere.
    pub fn attention(&self, s: &str) -> String {
        self.paint(Style::new().bold().yellow(), s)
    }

    /// Pretty JSON on stdout.
    pub fn json(&self, value: &impl serde::Serialize) -> io::Result<()> {
        let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
        self.data(&text)
    }

    /// A status line on stderr: what happened, for people. Whatever a user
    /// typed in it is shown, never obeyed.
    pub fn status(&self, text: &str) {
        let _ = writeln!(io::stderr(), "{}", block(text));
    }

    pub fn warn(&self, text: &str) {
        let _ = writeln!(io::stderr(), "warning: {}", block(text));
    }

    /// Whether both stdin and stderr are a terminal, so we may ask questions
    /// and open an editor.
    pub fn interactive(&self) -> bool {
        io::stdin().is_terminal() && io::stderr().is_terminal()
    }

    /// Asks a yes/no question on stderr and reads the answer from stdin;
    /// end of input is "no".
    pub fn confirm(&self, question: &str, default_yes: bool) -> bool {
        let _ = write!(
            io::stderr(),
            "{question} [{}] ",
            if default_yes { "Y/n" } else { "y/N" }
        );
        let _ = io::stderr().flush();
        let mut line = String::new();
        match io::stdin().read_line(&mut line) {
            Ok(0) | Err(_) => {
                let _ = writeln!(io::stderr());
                false
            }
            Ok(_) => match line.trim().to_ascii_lowercase().as_str() {
                "" => default_yes,
                a => a == "y" || a == "yes",
            },
        }
    }

    /// Text someone typed (or a log produced), safe on a terminal: control
    /// characters other than tab (an escape sequence of a CI log, a
    /// carriage return) are shown as `\x1b`, never obeyed.
    pub fn plain(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if c.is_control() && c != '\t' {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        out
    }

    pub fn bold(&self, s: &str) -> String {
        self.paint(Style::new().bold(), s)
    }

    /// [`Ui::bold`] for a table cell.
    pub fn bold_cell<'a>(&self, s: Cow<'a, str>) -> Cow<'a, str> {
        self.paint_cell(Style::new().bold(), s)
    }

    pub fn dim(&self, s: &str) -> String {
        self.paint(Style::new().dim(), s)
    }

    /// A status in a colour that says open (green), in progress (yellow) or
    /// closed (purple), as git hosts do.
    pub fn status_word(&self, status: &str, closed: bool) -> String {
        self.status_cell(Cow::Borrowed(status), closed).into_owned()
    }

    /// [`Ui::status_word`] for a table cell.
    pub fn status_cell<'a>(&self, status: Cow<'a, str>, closed: bool) -> Cow<'a, str> {
        let style = if closed {
            Style::new().magenta()
        } else if status == "open" {
            Style::new().green()
        } else {
            Style::new().yellow()
        };
        self.paint_cell(style, status)
    }

    /// `text` with the byte ranges `marks` shown: bold yellow on a colour
    /// terminal, `*between stars*` on one without colour, and not at all
    /// when the output goes to a pipe or a file (a script wants the text).
    pub fn highlight(&self, text: &str, marks: &[std::ops::Range<usize>]) -> String {
        let mut out = String::with_capacity(text.len() + marks.len() * 8);
        let mut at = 0;
        for m in marks {
            if m.start < at
                || m.end > text.len()
                || !text.is_char_boundary(m.start)
                || !text.is_char_boundary(m.end)
            {
                continue;
            }
            out.push_str(&one_line(&text[at..m.start]));
            let word = &one_line(&text[m.clone()]);
            if self.color {
                out.push_str(&self.paint(Style::new().bold().yellow(), word));
            } else if !self.for_people() {
                out.push_str(word);
            } else {
                out.push('*');
                out.push_str(word);
                out.push('*');
            }
            at = m.end;
        }
        out.push_str(&one_line(&text[at..]));
        out
    }

    /// A progress bar on stderr when it is a terminal; nothing otherwise.
    pub fn progress(&self) -> ProgressBar {
        ProgressBar {
            bar: io::stderr()
                .is_terminal()
                .then(indicatif::ProgressBar::hidden),
        }
    }

    fn paint(&self, style: Style, s: &str) -> String {
        self.paint_cell(style, Cow::Borrowed(s)).into_owned()
    }

    /// `s` in `style`, or as it is without colour: a listing's cells are
    /// then not copied (formatting them through the style, and copying,
    /// were a tenth of a long listing).
    fn paint_cell<'a>(&self, style: Style, s: Cow<'a, str>) -> Cow<'a, str> {
        if !self.color {
            return s;
        }
        Cow::Owned(style.force_styling(true).apply_to(s).to_string())
    }
}

impl Drop for Ui {
    /// Waits for the pager, so the prompt comes back after it.
    fn drop(&mut self) {
        if let Some(mut child) = self.pager.borrow_mut().take() {
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

/// Text someone typed, made safe to show on one line of a terminal: every
/// character a terminal would obey rather than show (escape sequences, a
/// carriage return that rewrites the line, a newline that fakes a row, the
/// controls that reverse text) is shown instead, as `^[` for C0 controls
/// and `<U+202E>` for the others, the way `cat -v` and git's quoted paths
/// make them visible.
pub fn one_line(s: &str) -> Cow<'_, str> {
    visible(s, false)
}

/// Like [`one_line`], for text of several lines (a description, a
/// comment): newlines and tabs stay.
pub fn block(s: &str) -> Cow<'_, str> {
    visible(s, true)
}

fn visible(s: &str, multiline: bool) -> Cow<'_, str> {
    // Most text is printable ASCII: nothing to look up per character (a
    // listing passes every cell, then the whole table, through here).
    if printable_ascii(s.as_bytes())
        || multiline && s.bytes().all(|b| (0x20..0x7f).contains(&b) || b == b'\n')
        || crate::format::control_char(s, multiline).is_none()
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\t' if multiline => out.push(c),
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push(char::from(b'@' + c as u8));
            }
            '\u{7f}' => out.push_str("^?"),
            c if crate::format::is_control(c) => out.push_str(&format!("<U+{:04X}>", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A progress bar for long jobs (rebuilding the index, importing).
pub struct ProgressBar {
    bar: Option<indicatif::ProgressBar>,
}

impl crate::tracker::Progress for ProgressBar {
    fn start(&self, what: &str, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_length(total);
            bar.set_position(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_message(what.to_owned());
        }
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Lays out rows in columns separated by two spaces; the last column is not
/// padded. Cells may carry colour codes, which take no width. A row is
/// anything that is a slice of cells (a `Vec`, an array).
pub fn table<R: AsRef<[S]>, S: AsRef<str>>(rows: &[R]) -> String {
    // Each cell's width, measured once; a listing has thousands of rows.
    let widths = rows
        .iter()
        .flat_map(|row| row.as_ref().iter().map(|c| visible_width(c.as_ref())))
        .collect();
    layout(&[], rows, widths, &[])
}

/// [`table`] with a header row, and the last column cut with `…` so each
/// line fits `width` columns, when the output is for people on a terminal
/// of that width (`None`: no header, nothing cut, for scripts).
pub fn table_for<R: AsRef<[S]>, S: AsRef<str>>(
    ui: &Ui,
    header: &[&str],
    rows: &[R],
    width: Option<usize>,
) -> String {
    let Some(width) = width else {
        return table(rows);
    };
    let header: Vec<String> = header.iter().map(|h| ui.dim(h)).collect();
    let columns = rows
        .iter()
        .map(|r| r.as_ref().len())
        .max()
        .unwrap_or(0)
        .max(header.len());
    if columns == 0 {
        return String::new();
    }
    let mut cell_widths: Vec<usize> = header.iter().map(|h| visible_width(h)).collect();
    cell_widths.extend(
        rows.iter()
            .flat_map(|row| row.as_ref().iter().map(|c| visible_width(c.as_ref()))),
    );
    let mut widths = vec![0; columns];
    let mut at = 0;
    for len in std::iter::once(header.len()).chain(rows.iter().map(|r| r.as_ref().len())) {
        for (i, w) in cell_widths[at..at + len].iter().enumerate() {
            widths[i] = widths[i].max(*w);
        }
        at += len;
    }
    let before_last: usize = widths[..columns - 1].iter().map(|w| w + 2).sum();
    let room = width.saturating_sub(before_last).max(10);
    // The rows whose last cell is too wide, with that cell cut (few: the
    // rows are not copied for them).
    let mut cut = Vec::new();
    let mut at = header.len();
    for (r, row) in rows.iter().enumerate() {
        let row = row.as_ref();
        at += row.len();
        if let Some(last) = row.last()
            && cell_widths[at - 1] > room
        {
            let short = console::truncate_str(last.as_ref(), room, "…").into_owned();
            cell_widths[at - 1] = visible_width(&short);
            cut.push((r, short));
        }
    }
    layout(&header, rows, cell_widths, &cut)
}

/// Writes the table: `header` (when not empty) and `rows`, whose cells are
/// `cell_widths` wide (the header's first, then each row's), with the
/// last cell of the rows in `cut` (by index, in order) replaced.
fn layout<R: AsRef<[S]>, S: AsRef<str>>(
    header: &[String],
    rows: &[R],
    cell_widths: Vec<usize>,
    cut: &[(usize, String)],
) -> String {
    let lines = || {
        let mut cut = cut.iter().peekable();
        let header = (!header.is_empty()).then_some(Line::Header(header));
        header
            .into_iter()
            .chain(rows.iter().enumerate().map(move |(r, row)| {
                let short = cut.next_if(|(c, _)| *c == r).map(|(_, s)| s.as_str());
                Line::Row(row.as_ref(), short)
            }))
    };
    let columns = lines().map(|l| l.len()).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    let mut at = 0;
    for line in lines() {
        for (i, w) in cell_widths[at..at + line.len()].iter().enumerate() {
            widths[i] = widths[i].max(*w);
        }
        at += line.len();
    }
    let bytes: usize = lines().map(|l| l.bytes()).sum();
    let line: usize = widths.iter().map(|w| w + 2).sum();
    let mut out = String::with_capacity(bytes + (rows.len() + 1) * line.min(256));
    let mut cell_widths = cell_widths.into_iter();
    for l in lines() {
        let start = out.len();
        let len = l.len();
        for (i, width) in widths[..len].iter().enumerate() {
            out.push_str(l.cell(i));
            let w = cell_widths.next().unwrap_or(0);
            if i + 1 < len {
                push_spaces(&mut out, width - w + 2);
            }
        }
        let kept = out[start..].trim_end().len();
        out.truncate(start + kept);
        out.push('\n');
    }
    out
}

/// A line of a [`layout`]: the header, or a row with its last cell maybe
/// replaced by a shorter one.
enum Line<'a, S> {
    Header(&'a [String]),
    Row(&'a [S], Option<&'a str>),
}

impl<S: AsRef<str>> Line<'_, S> {
    fn len(&self) -> usize {
        match self {
            Line::Header(h) => h.len(),
            Line::Row(r, _) => r.len(),
        }
    }

    fn cell(&self, i: usize) -> &str {
        match self {
            Line::Header(h) => &h[i],
            Line::Row(r, Some(short)) if i + 1 == r.len() => short,
            Line::Row(r, _) => r[i].as_ref(),
        }
    }

    fn bytes(&self) -> usize {
        (0..self.len()).map(|i| self.cell(i).len()).sum()
    }
}

fn push_spaces(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// The columns a cell takes on a terminal: colour codes take none, wide
/// characters two.
fn visible_width(s: &str) -> usize {
    // Most cells are plain ASCII: a column each, nothing to decode.
    if printable_ascii(s.as_bytes()) {
        return s.len();
    }
    measure_text_width(s)
}

/// Whether every byte is printable ASCII (space to `~`); written without
/// an early exit so that it is checked many bytes at a time.
fn printable_ascii(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .fold(0u8, |bad, &b| bad | u8::from(b.wrapping_sub(0x20) >= 0x5f))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_for_a_terminal_get_a_header_and_fit_its_width() {
        let ui = Ui::colorless();
        let rows: Vec<Vec<String>> = vec![
            vec![
                "BC-1".into(),
                "open".into(),
                "A title far too long to fit".into(),
            ],
            vec!["BC-10".into(), "closed".into(), "Short".into()],
        ];
        assert_eq!(
            table_for(&ui, &["KEY", "STATUS", "TITLE"], &rows, Some(30)),
            "KEY    STATUS  TITLE\nBC-1   open    A title far to…\nBC-10  closed  Short\n"
        );
        // For a script: no header, nothing cut.
        assert_eq!(table_for(&ui, &["KEY"], &rows, None), table(&rows));
    }

    #[test]
    fn only_space_to_tilde_is_printable_ascii() {
        assert!(printable_ascii(b" plain ~ text!"));
        for bad in [
            &b"tab\there"[..],
            b"bell\x07",
            b"del\x7f",
            b"caf\xc3\xa9",
            b"\x1f",
        ] {
            assert!(!printable_ascii(bad), "{bad:?}");
        }
        assert_eq!(one_line("a\x1bb"), "a^[b");
    }

    #[test]
    fn tables_align_wide_and_coloured_cells() {
        let rows: Vec<Vec<String>> = vec![
            vec!["BC-1".into(), "\x1b[32mopen\x1b[0m".into(), "日本".into()],
            vec!["BC-10".into(), "closed".into(), "x".into()],
        ];
        assert_eq!(
            table(&rows),
            "BC-1   \x1b[32mopen\x1b[0m    日本\nBC-10  closed  x\n"
        );
    }
}
