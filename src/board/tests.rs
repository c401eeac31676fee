//! The board drawn on ratatui's `TestBackend`, and what keys do.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;

fn card(key: &str, title: &str, status: &str) -> Card {
    Card {
        key: key.to_owned(),
        title: title.to_owned(),
        status: status.to_owned(),
        priority: "p2".to_owned(),
        assignee: None,
        labels: Vec::new(),
        confidential: false,
    }
}

fn statuses() -> (Vec<String>, Vec<String>) {
    let all = ["open", "in_progress", "resolved", "wont_fix"].map(String::from);
    let closed = ["resolved", "wont_fix"].map(String::from);
    (all.to_vec(), closed.to_vec())
}

fn board() -> Board {
    let (all, closed) = statuses();
    let mut login = card("BC-1", "Login fails on Safari", "open");
    login.assignee = Some("alice".into());
    login.labels = vec!["auth".into(), "ui".into()];
    login.priority = "p1".into();
    let cards = vec![
        login,
        card("BC-2", "Export is slow", "open"),
        card("BC-3", "Typo in README", "in_progress"),
        card("BC-4", "Old crash", "resolved"),
        card("BC-5", "Won't do", "wont_fix"),
        card("BC-6", "Another old one", "resolved"),
    ];
    Board::new(&all, &closed, cards, "")
}

fn screen(board: &Board, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| render(f, board)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn press(board: &mut Board, code: KeyCode) -> Action {
    board.key(KeyEvent::new(code, KeyModifiers::NONE))
}

#[test]
fn open_statuses_are_columns_and_closed_ones_are_folded() {
    let b = board();
    let s = screen(&b, 80, 14);
    assert!(s.contains(" open (2) "), "{s}");
    assert!(s.contains(" in_progress (1) "), "{s}");
    assert!(s.contains(" closed (3) "), "{s}");
    assert!(s.contains("resolved 2"), "{s}");
    assert!(s.contains("wont_fix 1"), "{s}");
    // A card: key, priority, assignee; title; labels.
    assert!(s.contains("BC-1 p1 @alice"), "{s}");
    assert!(s.contains("Login fails on Safari"), "{s}");
    assert!(s.contains("[auth ui]"), "{s}");
    assert!(s.contains("Typo in README"), "{s}");
    // Closed issues have no cards.
    assert!(!s.contains("Old crash"), "{s}");
}

#[test]
fn keys_move_between_cards_and_columns() {
    let mut b = board();
    assert_eq!(b.selected().unwrap().key, "BC-1");
    press(&mut b, KeyCode::Down);
    assert_eq!(b.selected().unwrap().key, "BC-2");
    press(&mut b, KeyCode::Down);
    assert_eq!(b.selected().unwrap().key, "BC-2", "stays on the last card");
    press(&mut b, KeyCode::Right);
    assert_eq!(b.selected().unwrap().key, "BC-3");
    press(&mut b, KeyCode::Right);
    assert_eq!(
        b.position(),
        (1, 0),
        "the folded column is not a place to go"
    );
    press(&mut b, KeyCode::Char('h'));
    assert_eq!(b.position().0, 0);
}

#[test]
fn moving_a_card_asks_for_the_next_or_previous_status() {
    let mut b = board();
    assert_eq!(
        press(&mut b, KeyCode::Char('L')),
        Action::Move {
            key: "BC-1".into(),
            status: "in_progress".into()
        }
    );
    assert_eq!(
        press(&mut b, KeyCode::Char('H')),
        Action::None,
        "open is first"
    );
    assert_eq!(
        b.key(KeyEvent::new(KeyCode::Right, KeyModifiers::SHIFT)),
        Action::Move {
            key: "BC-1".into(),
            status: "in_progress".into()
        }
    );
    assert_eq!(
        press(&mut b, KeyCode::Char('c')),
        Action::Move {
            key: "BC-1".into(),
            status: "resolved".into()
        }
    );
}

#[test]
fn the_selection_follows_a_card_that_moved() {
    let mut b = board();
    let (_, closed) = statuses();
    let mut cards = vec![
        card("BC-2", "Export is slow", "open"),
        card("BC-1", "Login fails on Safari", "in_progress"),
        card("BC-3", "Typo in README", "in_progress"),
    ];
    cards.push(card("BC-7", "New from elsewhere", "open"));
    b.replace(&closed, cards, "");
    assert_eq!(b.selected().unwrap().key, "BC-1");
    assert_eq!(b.position(), (1, 0));
    assert!(screen(&b, 80, 14).contains("New from elsewhere"));
}

#[test]
fn a_query_is_typed_then_applied_and_an_issue_opens() {
    let mut b = board();
    press(&mut b, KeyCode::Char('/'));
    for c in "label:ui".chars() {
        press(&mut b, KeyCode::Char(c));
    }
    assert!(screen(&b, 80, 14).contains("/label:ui"));
    assert_eq!(
        press(&mut b, KeyCode::Enter),
        Action::Filter("label:ui".into())
    );
    assert_eq!(press(&mut b, KeyCode::Enter), Action::Open("BC-1".into()));
    b.open(
        "BC-1",
        "BC-1  Login fails on Safari\n\nSteps: open Safari.".into(),
    );
    let s = screen(&b, 80, 14);
    assert!(s.contains("Steps: open Safari."), "{s}");
    press(&mut b, KeyCode::Esc);
    assert_eq!(b.mode, Mode::Browse);
    assert_eq!(press(&mut b, KeyCode::Char('q')), Action::Quit);
}

#[test]
fn typed_text_is_shown_not_obeyed() {
    let (all, closed) = statuses();
    let b = Board::new(
        &all,
        &closed,
        vec![card("BC-9", "evil\u{1b}[2Jtitle", "open")],
        "",
    );
    let s = screen(&b, 80, 10);
    assert!(s.contains("evil^[[2Jtitle"), "{s}");
    assert!(!s.contains('\u{1b}'));
}

#[test]
fn long_titles_are_cut_to_the_column() {
    let (all, closed) = statuses();
    let b = Board::new(
        &all,
        &closed,
        vec![card("BC-1", &"word ".repeat(40), "open")],
        "",
    );
    let s = screen(&b, 60, 10);
    assert!(s.contains('…'), "{s}");
}
