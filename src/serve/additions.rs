//! What the server adds to the site's pages, beyond the forms every live
//! page has: an issue's vote and attach forms, the board's query. Plain
//! forms that work without JavaScript, each carrying the server's token;
//! everything a user typed is escaped.

use crate::format::config::ByteSize;
use crate::site::escape::esc;
use crate::site::html::query_value;
use crate::site::views::Live;

/// The token and the page to come back to, as every form sends them.
fn hidden(live: &Live, back: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"token\" value=\"{}\"><input type=\"hidden\" name=\"back\" value=\"{}\">",
        esc(&live.token),
        esc(back)
    )
}

/// An issue's sidebar addition: "Me too" (or taking it back), with the
/// count, then a file to attach, up to `max` bytes.
pub fn issue(live: &Live, key: &str, votes: u64, voted: bool, max: ByteSize) -> String {
    let back = format!("/issues/{}.html", query_value(key));
    let k = query_value(key);
    let (action, label) = if voted {
        ("unvote", "Remove my vote")
    } else {
        ("vote", "Me too")
    };
    format!(
        "<form class=\"vote\" method=\"post\" action=\"/issues/{k}/{action}\" aria-label=\"Vote for {key}\">{hidden}<button type=\"submit\" aria-pressed=\"{voted}\">{label}</button> <span class=\"votes\" data-votes=\"{votes}\">{votes} {noun}</span></form>\n<form class=\"attach\" method=\"post\" action=\"/issues/{k}/attach\" enctype=\"multipart/form-data\" aria-label=\"Attach a file to {key}\">{hidden}<label class=\"control\"><span>Attach a file (up to {max})</span><input type=\"file\" name=\"file\" required data-max=\"{max_bytes}\"></label><button type=\"submit\">Attach</button></form>\n",
        key = esc(key),
        hidden = hidden(live, &back),
        noun = if votes == 1 { "vote" } else { "votes" },
        max_bytes = max.0,
    )
}

/// The board's query, in the language of `git issue list`.
pub fn board(query: &str) -> String {
    format!(
        "<form class=\"board-filter\" id=\"board-filter\" method=\"get\" action=\"/board.html\" role=\"search\"><label class=\"control wide\"><span>Show the issues matching</span><input type=\"search\" name=\"q\" value=\"{}\" placeholder=\"label:ui priority:p0..p1 assignee:alice\"></label><button type=\"submit\">Filter</button>{}</form>\n",
        esc(query),
        if query.is_empty() {
            ""
        } else {
            " <a href=\"/board.html\">Show all</a>"
        }
    )
}

/// Atop the list narrowed by the board's query (a column's "and N more"):
/// what narrows it, the way back to that board and to every issue.
pub fn list(query: &str, status: Option<&str>, state: Option<&str>) -> String {
    let column = match (status, state) {
        (Some(s), _) => format!(" with status <strong>{}</strong>", esc(s)),
        (None, Some(s)) => format!(", {}", esc(s)),
        (None, None) => String::new(),
    };
    format!(
        "<p class=\"narrowed\">Issues matching <code>{}</code>{column}. <a href=\"/board.html?q={}\">Back to the board</a> · <a href=\"/index.html\">Every issue</a></p>\n",
        esc(query),
        query_value(query)
    )
}
