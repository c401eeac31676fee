//! Charts as inline SVG, drawn from numbers alone: no chart library and no
//! `style` attribute (the page's Content-Security-Policy forbids inline
//! styles), so sizes are attributes and colours are classes in `style.css`.

use std::fmt::Write as _;

use super::escape::esc;
use super::views::{OccurrenceWeek, Week};

const WIDTH: usize = 520;
const LABEL: usize = 130;
const ROW: usize = 26;

/// Horizontal bars, one a row, the value written after each bar.
pub fn bars(title: &str, rows: &[(String, usize)]) -> String {
    if rows.is_empty() || rows.iter().all(|r| r.1 == 0) {
        return "<p class=\"empty\">Nothing to show.</p>\n".to_owned();
    }
    let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    let span = WIDTH - LABEL - 50;
    let height = rows.len() * ROW + 4;
    let mut out = format!(
        "<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">\n",
        esc(title)
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = i * ROW + 2;
        let w = if *value == 0 {
            0
        } else {
            (value * span / max).max(2)
        };
        let short: String = if label.chars().count() > 18 {
            label.chars().take(17).chain(['…']).collect()
        } else {
            label.clone()
        };
        let _ = writeln!(
            out,
            "<g class=\"row\"><title>{label}: {value}</title><text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect class=\"bar\" x=\"{LABEL}\" y=\"{y}\" width=\"{w}\" height=\"{}\" rx=\"3\"></rect><text class=\"value\" x=\"{}\" y=\"{}\">{value}</text></g>",
            LABEL - 8,
            y + 17,
            esc(&short),
            ROW - 6,
            LABEL + w + 6,
            y + 17,
            label = esc(label),
        );
    }
    out.push_str("</svg>\n");
    out
}

/// Created and resolved issues per week, as pairs of columns.
pub fn weeks(weeks: &[Week]) -> String {
    if weeks.is_empty() {
        return "<p class=\"empty\">Nothing to show.</p>\n".to_owned();
    }
    let (w, h, top, bottom, left) = (720usize, 240usize, 16usize, 40usize, 36usize);
    let max = weeks
        .iter()
        .map(|x| x.created.max(x.resolved))
        .max()
        .unwrap_or(0)
        .max(1);
    let plot = h - top - bottom;
    let slot = (w - left) / weeks.len();
    let bar = (slot.saturating_sub(8) / 2).max(2);
    let mut out = format!(
        "<svg class=\"weeks\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"Issues created and resolved per week\">\n"
    );
    let base = top + plot;
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{base}\" x2=\"{w}\" y2=\"{base}\"></line><text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{max}</text><text class=\"tick\" x=\"{}\" y=\"{base}\" text-anchor=\"end\">0</text>",
        left - 6,
        top + 10,
        left - 6,
    );
    for (i, week) in weeks.iter().enumerate() {
        let x = left + i * slot + 4;
        for (j, (class, n)) in [("created", week.created), ("resolved", week.resolved)]
            .into_iter()
            .enumerate()
        {
            let bh = n * plot / max;
            let _ = writeln!(
                out,
                "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{bar}\" height=\"{bh}\"><title>week of {}: {n} {class}</title></rect>",
                x + j * bar,
                base - bh,
                esc(&week.start)
            );
        }
        if i % 2 == 0 || weeks.len() <= 8 {
            let _ = writeln!(
                out,
                "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x + bar,
                base + 16,
                esc(week.start.get(5..).unwrap_or(&week.start))
            );
        }
    }
    let ly = h - 8;
    let _ = writeln!(
        out,
        "<rect class=\"created\" x=\"{left}\" y=\"{}\" width=\"10\" height=\"10\"></rect><text class=\"legend\" x=\"{}\" y=\"{ly}\">created</text><rect class=\"resolved\" x=\"{}\" y=\"{}\" width=\"10\" height=\"10\"></rect><text class=\"legend\" x=\"{}\" y=\"{ly}\">resolved</text>",
        ly - 9,
        left + 14,
        left + 90,
        ly - 9,
        left + 104
    );
    out.push_str("</svg>\n");
    out
}

/// A recorded error's occurrences per week, as columns. The count of each
/// week is in its `<title>` (a tooltip) and above its column.
pub fn occurrences(weeks: &[OccurrenceWeek]) -> String {
    if weeks.is_empty() {
        return "<p class=\"empty\">Nothing to show.</p>\n".to_owned();
    }
    let (w, h, top, bottom, left) = (520usize, 180usize, 18usize, 24usize, 36usize);
    let max = weeks.iter().map(|x| x.count).max().unwrap_or(0).max(1);
    let plot = (h - top - bottom) as u64;
    let slot = (w - left) / weeks.len();
    let bar = (slot * 7 / 10).max(2);
    let base = top + plot as usize;
    let mut out = format!(
        "<svg class=\"occurrence-weeks\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"Occurrences per week\">\n"
    );
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{base}\" x2=\"{w}\" y2=\"{base}\"></line><text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{max}</text><text class=\"tick\" x=\"{}\" y=\"{base}\" text-anchor=\"end\">0</text>",
        left - 6,
        top + 4,
        left - 6,
    );
    // At most about eight dates under the axis.
    let every = weeks.len().div_ceil(8);
    for (i, week) in weeks.iter().enumerate() {
        let x = left + i * slot + (slot - bar) / 2;
        let n = week.count;
        // A week with occurrences is never drawn as nothing.
        let bh = if n == 0 {
            0
        } else {
            (n * plot / max).max(1) as usize
        };
        let _ = writeln!(
            out,
            "<g class=\"week\"><rect class=\"occurrences\" x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{bh}\"><title>week of {}: {n}</title></rect>{}</g>",
            base - bh,
            esc(&week.start),
            if n > 0 && weeks.len() <= 13 {
                format!(
                    "<text class=\"value\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{n}</text>",
                    x + bar / 2,
                    base - bh - 4
                )
            } else {
                String::new()
            }
        );
        if i % every == 0 {
            let _ = writeln!(
                out,
                "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x + bar / 2,
                base + 16,
                esc(week.start.get(5..).unwrap_or(&week.start))
            );
        }
    }
    out.push_str("</svg>\n");
    out
}
