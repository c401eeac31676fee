//! The terminal board of `git issue board`: the open statuses as columns of
//! cards, the closed ones folded into one column of counts. Owns the state
//! of the screen ([`Board`]), what a key does to it ([`Board::key`]) and
//! how it is drawn ([`render`], ratatui); owns no terminal and no
//! repository: `cli/board.rs` runs the loop, reads the tracker and carries
//! out the [`Action`]s, so everything here is tested with ratatui's
//! `TestBackend` and plain values.
//!
//! Whatever a user typed (titles, labels, names) is drawn through
//! [`crate::ui::one_line`]: shown, never obeyed by the terminal.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

use crate::ui::one_line;

/// One issue on the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub key: String,
    pub title: String,
    pub status: String,
    pub priority: String,
    pub assignee: Option<String>,
    pub labels: Vec<String>,
    pub confidential: bool,
}

/// A column: one open status and its cards, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub status: String,
    pub cards: Vec<Card>,
}

/// What the screen shows besides the columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Browse,
    /// Typing a query; the text so far.
    Filter(String),
    /// One issue opened: its key and its text as `show` prints it.
    Detail {
        key: String,
        text: String,
    },
    /// Keys and what they do.
    Help,
}

/// What the loop around the board should do after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    Quit,
    /// Read this issue and show it ([`Board::open`]).
    Open(String),
    /// Change the status of an issue: one commit.
    Move {
        key: String,
        status: String,
    },
    /// Show the issues this query finds.
    Filter(String),
    /// Read the branch again.
    Refresh,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    /// The workflow, in order: moving a card steps through it.
    pub statuses: Vec<String>,
    pub columns: Vec<Column>,
    /// The closed statuses and how many issues each holds: folded.
    pub closed: Vec<(String, usize)>,
    /// The query the cards were found with.
    pub query: String,
    pub mode: Mode,
    /// A line for the user: what was done, or what went wrong.
    pub message: Option<String>,
    col: usize,
    row: usize,
}

impl Board {
    /// A board of `cards` (any order within a status is kept) over the
    /// workflow `statuses`, of which `closed` count as closed.
    pub fn new(statuses: &[String], closed: &[String], cards: Vec<Card>, query: &str) -> Board {
        let mut board = Board {
            statuses: statuses.to_vec(),
            columns: Vec::new(),
            closed: Vec::new(),
            query: query.to_owned(),
            mode: Mode::Browse,
            message: None,
            col: 0,
            row: 0,
        };
        board.fill(closed, cards);
        board
    }

    fn fill(&mut self, closed: &[String], cards: Vec<Card>) {
        self.columns = self
            .statuses
            .iter()
            .filter(|s| !closed.contains(s))
            .map(|s| Column {
                status: s.clone(),
                cards: Vec::new(),
            })
            .collect();
        self.closed = closed.iter().map(|s| (s.clone(), 0)).collect();
        for card in cards {
            if let Some(c) = self.closed.iter_mut().find(|(s, _)| *s == card.status) {
                c.1 += 1;
            } else if let Some(col) = self.columns.iter_mut().find(|c| c.status == card.status) {
                col.cards.push(card);
            }
            // A status tracker.yml no longer lists: doctor's business.
        }
        self.clamp();
    }

    /// New cards (after a change or a move of the branch), keeping the
    /// selected card selected wherever it went.
    pub fn replace(&mut self, closed: &[String], cards: Vec<Card>, query: &str) {
        let selected = self.selected().map(|c| c.key.clone());
        self.query = query.to_owned();
        self.fill(closed, cards);
        if let Some(key) = selected {
            self.select(&key);
        }
    }

    /// Selects the card of `key`, if it is on the board.
    pub fn select(&mut self, key: &str) {
        for (ci, col) in self.columns.iter().enumerate() {
            if let Some(ri) = col.cards.iter().position(|c| c.key == key) {
                self.col = ci;
                self.row = ri;
                return;
            }
        }
    }

    pub fn selected(&self) -> Option<&Card> {
        self.columns.get(self.col)?.cards.get(self.row)
    }

    /// The selected column and card, for tests and the cursor.
    pub fn position(&self) -> (usize, usize) {
        (self.col, self.row)
    }

    fn clamp(&mut self) {
        self.col = self.col.min(self.columns.len().saturating_sub(1));
        let len = self.columns.get(self.col).map_or(0, |c| c.cards.len());
        self.row = self.row.min(len.saturating_sub(1));
    }

    /// Shows an issue opened with [`Action::Open`].
    pub fn open(&mut self, key: &str, text: String) {
        self.mode = Mode::Detail {
            key: key.to_owned(),
            text,
        };
    }

    /// What `key` does.
    pub fn key(&mut self, key: KeyEvent) -> Action {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return Action::Quit;
        }
        match &mut self.mode {
            Mode::Filter(text) => match key.code {
                KeyCode::Enter => {
                    let query = std::mem::take(text);
                    self.mode = Mode::Browse;
                    Action::Filter(query)
                }
                KeyCode::Esc => {
                    self.mode = Mode::Browse;
                    Action::None
                }
                KeyCode::Backspace => {
                    text.pop();
                    Action::None
                }
                KeyCode::Char(c) => {
                    text.push(c);
                    Action::None
                }
                _ => Action::None,
            },
            Mode::Detail { .. } | Mode::Help => {
                if matches!(
                    key.code,
                    KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') | KeyCode::Char('?')
                ) {
                    self.mode = Mode::Browse;
                }
                Action::None
            }
            Mode::Browse => self.browse(key),
        }
    }

    fn browse(&mut self, key: KeyEvent) -> Action {
        let shift = key.modifiers.contains(KeyModifiers::SHIFT);
        self.message = None;
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc => Action::Quit,
            KeyCode::Left if shift => self.step(-1),
            KeyCode::Right if shift => self.step(1),
            KeyCode::Char('H') | KeyCode::Char('<') => self.step(-1),
            KeyCode::Char('L') | KeyCode::Char('>') => self.step(1),
            KeyCode::Left | KeyCode::Char('h') => {
                self.col = self.col.saturating_sub(1);
                self.clamp();
                Action::None
            }
            KeyCode::Right | KeyCode::Char('l') => {
                self.col += 1;
                self.clamp();
                Action::None
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.row = self.row.saturating_sub(1);
                Action::None
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.row += 1;
                self.clamp();
                Action::None
            }
            KeyCode::Char('c') => match self.selected() {
                // To the first closed status: done.
                Some(card) => match self.closed.first() {
                    Some((status, _)) => Action::Move {
                        key: card.key.clone(),
                        status: status.clone(),
                    },
                    None => Action::None,
                },
                None => Action::None,
            },
            KeyCode::Enter | KeyCode::Char('o') => self
                .selected()
                .map_or(Action::None, |c| Action::Open(c.key.clone())),
            KeyCode::Char('/') => {
                self.mode = Mode::Filter(self.query.clone());
                Action::None
            }
            KeyCode::Char('r') => Action::Refresh,
            KeyCode::Char('?') => {
                self.mode = Mode::Help;
                Action::None
            }
            _ => Action::None,
        }
    }

    /// Moves the selected card one status along the workflow.
    fn step(&mut self, by: isize) -> Action {
        let Some(card) = self.selected() else {
            return Action::None;
        };
        let Some(at) = self.statuses.iter().position(|s| *s == card.status) else {
            return Action::None;
        };
        let to = at as isize + by;
        match usize::try_from(to).ok().and_then(|i| self.statuses.get(i)) {
            Some(status) => Action::Move {
                key: card.key.clone(),
                status: status.clone(),
            },
            None => Action::None,
        }
    }
}

const HELP: &str = "\
←/→ h/l      move between columns
↑/↓ k/j      move between cards
Enter, o     open the card
L, >         move the card to the next status (one commit)
H, <         move the card to the previous status
c            close the card (first closed status)
/            filter with a query (label:ui assignee:bob …)
r            read the branch again
q, Esc       quit";

/// Draws the board.
pub fn render(frame: &mut Frame<'_>, board: &Board) {
    let [top, main, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let title = format!(
        " git issue board  {}",
        if board.query.trim().is_empty() {
            "(all issues)".to_owned()
        } else {
            one_line(&board.query).into_owned()
        }
    );
    frame.render_widget(
        Paragraph::new(title).style(Style::new().add_modifier(Modifier::BOLD)),
        top,
    );

    let mut widths: Vec<Constraint> = board.columns.iter().map(|_| Constraint::Fill(1)).collect();
    if !board.closed.is_empty() {
        widths.push(Constraint::Length(18));
    }
    let areas = Layout::horizontal(widths).split(main);
    for (i, column) in board.columns.iter().enumerate() {
        render_column(frame, areas[i], column, board.col == i, board.row);
    }
    if let Some(&area) = areas.get(board.columns.len()) {
        let total: usize = board.closed.iter().map(|(_, n)| n).sum();
        let lines: Vec<Line<'_>> = board
            .closed
            .iter()
            .map(|(s, n)| Line::from(format!("{} {n}", one_line(s))))
            .collect();
        frame.render_widget(
            Paragraph::new(lines).block(
                Block::new()
                    .borders(Borders::ALL)
                    .title(format!(" closed ({total}) "))
                    .border_style(Style::new().fg(Color::DarkGray)),
            ),
            area,
        );
    }

    let status = match (&board.mode, &board.message) {
        (Mode::Filter(text), _) => format!("/{}", one_line(text)),
        (_, Some(m)) => one_line(m).into_owned(),
        _ => " ←→↑↓ move  Enter open  L/H status  c close  / filter  ? keys  q quit".to_owned(),
    };
    frame.render_widget(Paragraph::new(status), bottom);

    match &board.mode {
        Mode::Detail { key, text } => popup(frame, main, &one_line(key), text),
        Mode::Help => popup(frame, main, "keys", HELP),
        _ => {}
    }
}

fn render_column(frame: &mut Frame<'_>, area: Rect, column: &Column, active: bool, row: usize) {
    let inner_width = area.width.saturating_sub(2) as usize;
    let items: Vec<ListItem<'_>> = column
        .cards
        .iter()
        .map(|c| ListItem::new(card_text(c, inner_width)))
        .collect();
    let border = if active {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new()
    };
    let list = List::new(items)
        .block(
            Block::new()
                .borders(Borders::ALL)
                .border_style(border)
                .title(format!(
                    " {} ({}) ",
                    one_line(&column.status),
                    column.cards.len()
                )),
        )
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol("▌");
    let mut state = ListState::default();
    if active && !column.cards.is_empty() {
        state.select(Some(row));
    }
    frame.render_stateful_widget(list, area, &mut state);
}

/// A card: key, priority and assignee on the first line, the title, then
/// the labels; each cut to the column's width.
fn card_text(c: &Card, width: usize) -> Text<'static> {
    let cut = |s: &str| console::truncate_str(s, width.saturating_sub(1), "…").into_owned();
    let mut head = vec![
        Span::styled(
            one_line(&c.key).into_owned(),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!(" {}", one_line(&c.priority))),
    ];
    if let Some(a) = &c.assignee {
        head.push(Span::styled(
            format!(" @{}", one_line(a)),
            Style::new().fg(Color::Yellow),
        ));
    }
    if c.confidential {
        head.push(Span::styled(" confidential", Style::new().fg(Color::Red)));
    }
    let mut lines = vec![Line::from(head), Line::from(cut(&one_line(&c.title)))];
    if !c.labels.is_empty() {
        let labels = c
            .labels
            .iter()
            .map(|l| one_line(l).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        lines.push(Line::styled(
            cut(&format!("[{labels}]")),
            Style::new().fg(Color::DarkGray),
        ));
    }
    Text::from(lines)
}

fn popup(frame: &mut Frame<'_>, area: Rect, title: &str, text: &str) {
    let area = area.inner(ratatui::layout::Margin {
        horizontal: area.width / 10,
        vertical: 1,
    });
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(text.to_owned())
            .wrap(Wrap { trim: false })
            .block(
                Block::new()
                    .borders(Borders::ALL)
                    .title(format!(" {title}  (Esc closes) ")),
            ),
        area,
    );
}

#[cfg(test)]
mod tests;
