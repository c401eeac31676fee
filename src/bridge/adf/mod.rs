//! Atlassian Document Format, Jira's rich text, to Markdown and back.
//!
//! To Markdown ([`to_markdown`]) follows `tests/fixtures/bridges/jira/
//! adf-expected.md`: CommonMark with GFM's tables, task lists and alerts;
//! what Markdown cannot say (underline, colour) is dropped with its text
//! kept, and a node this converter does not know reads as
//! `[unsupported block: TYPE]` rather than vanishing. Text is never
//! normalised: decomposed accents, ZWJ sequences and RTL marks pass through.
//!
//! Back to ADF ([`from_markdown`]) covers what `to_markdown` writes for the
//! common nodes (paragraphs, headings, lists, code, quotes, rules, emphasis,
//! code spans, links), so a description sent to Jira and read back is the
//! text that was sent.

mod from_md;
mod to_md;

pub use from_md::from_markdown;
pub use to_md::to_markdown;

#[cfg(test)]
mod tests;
