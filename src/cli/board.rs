use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use clap::Args;
use ratatui::crossterm::event::{self, Event, KeyEventKind};

use crate::board::{Action, Board, Card};
use crate::format::Config;
use crate::query::Expr;
use crate::tracker::{Assignment, Page, Quiet, Tracker};
use crate::ui::Ui;

/// Show the issues as a board in the terminal: a column per open status
///
/// Cards show key, title, priority, assignee and labels; closed statuses
/// are folded into one column of counts. Arrows (or h j k l) move between
/// cards, Enter opens one, L and H move it to the next or previous status
/// (one commit each), c closes it, / filters with the query language, ?
/// lists the keys, q quits. The board follows the branch: a change made
/// elsewhere (another terminal, a sync, a hook) shows up by itself.
///
///   git issue board 'milestone:v0.7.0 -label:wontfix'
#[derive(Debug, Args)]
pub struct BoardArgs {
    /// Only the issues this query finds: label:ui, assignee:bob, …
    #[arg(value_name = "QUERY")]
    query: Vec<String>,
}

/// How often the branch is looked at for changes made elsewhere: reading
/// one ref is cheap, and a second is soon enough for people.
const FOLLOW: Duration = Duration::from_millis(500);

pub fn run(ui: &Ui, args: BoardArgs) -> Result<()> {
    let tracker = super::open()?;
    if !ui.terminal() {
        bail!("the board needs a terminal; git issue list shows the same issues as text");
    }
    let query = args.query.join(" ");
    let config = tracker.config()?;
    let cards = cards(&tracker, &query, &config)?;
    let mut board = Board::new(&config.statuses, &config.closed_statuses, cards, &query);
    let mut terminal = ratatui::try_init()?;
    let result = run_loop(&mut terminal, &tracker, &mut board);
    ratatui::restore();
    result
}

fn run_loop(
    terminal: &mut ratatui::DefaultTerminal,
    tracker: &Tracker,
    board: &mut Board,
) -> Result<()> {
    let mut tip = tracker.store().tip()?.map(|t| t.to_string());
    let mut looked = Instant::now();
    loop {
        terminal.draw(|f| crate::board::render(f, board))?;
        if event::poll(FOLLOW)?
            && let Event::Key(key) = event::read()?
            && key.kind != KeyEventKind::Release
        {
            match board.key(key) {
                Action::None => {}
                Action::Quit => return Ok(()),
                Action::Refresh => reload(tracker, board, None),
                Action::Filter(query) => reload(tracker, board, Some(query)),
                Action::Open(key) => match open(tracker, &key) {
                    Ok(text) => board.open(&key, text),
                    Err(e) => board.message = Some(format!("{e:#}")),
                },
                Action::Move { key, status } => {
                    let change = Assignment::Set {
                        field: "status".to_owned(),
                        value: status,
                    };
                    board.message = Some(
                        match tracker
                            .parse_key(&key)
                            .and_then(|k| tracker.set(&k, &[change]))
                        {
                            Ok(outcome) => format!("{}: {}", outcome.key, outcome.summary),
                            Err(e) => format!("{key}: {e}"),
                        },
                    );
                    let message = board.message.take();
                    reload(tracker, board, None);
                    board.message = message;
                    board.select(&key);
                }
            }
        }
        // Follow the branch, whoever moves it.
        if looked.elapsed() >= FOLLOW {
            looked = Instant::now();
            let now = tracker.store().tip()?.map(|t| t.to_string());
            if now != tip {
                tip = now;
                let message = board.message.take();
                reload(tracker, board, None);
                board.message = message;
            }
        }
    }
}

/// Reads the cards again, with a new query when one is given; a query that
/// does not parse is said on the status line and the board stays.
fn reload(tracker: &Tracker, board: &mut Board, query: Option<String>) {
    let query = query.unwrap_or_else(|| board.query.clone());
    let result = tracker
        .config()
        .map_err(anyhow::Error::from)
        .and_then(|config| Ok((cards(tracker, &query, &config)?, config)));
    match result {
        Ok((cards, config)) => {
            board.statuses = config.statuses.clone();
            board.replace(&config.closed_statuses, cards, &query);
        }
        Err(e) => board.message = Some(format!("{e:#}")),
    }
}

fn cards(tracker: &Tracker, query: &str, config: &Config) -> Result<Vec<Card>> {
    let parsed = tracker.parse_query(query, config)?;
    let expr = if query.trim().is_empty() {
        Expr::All
    } else {
        parsed.expr
    };
    let page = Page {
        sort: parsed.sort.unwrap_or_default(),
        by_score: false,
        offset: 0,
        limit: None,
    };
    let found = tracker.find(&expr, page, &Quiet)?;
    Ok(found
        .records
        .into_iter()
        .map(|r| Card {
            key: r.key.to_string(),
            title: r.issue.title,
            status: r.issue.status,
            priority: r.issue.priority,
            assignee: r.issue.assignee,
            labels: r.issue.labels,
            confidential: r.issue.confidential,
        })
        .collect())
}

/// An issue as `show` prints it, without colour: the board draws it.
fn open(tracker: &Tracker, key: &str) -> Result<String> {
    let key = tracker.parse_key(key)?;
    let details = tracker.details(&key)?;
    let plain = Ui::colorless();
    Ok(crate::ui::view::details_text(
        &plain,
        &details,
        &details.config,
    ))
}
