//! The one filter lesson and exercise markdown passes through before it reaches the page.
//!
//! Raw HTML (block or inline) is dropped, images become their alt text, and a link whose target
//! is not `http:`, `https:` or an in-page `#anchor` keeps its text and loses the link. The
//! playground renders what [`safe_events`] leaves (web's `lessons/markdown.rs`); an exercise
//! link is refused outright when its text holds anything the filter would drop
//! ([`first_dropped`]), so a learner never reads a text that is not the one its author sent.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Whether a link target may stay a link: web pages and anchors in this page only.
pub fn is_safe_url(url: &str) -> bool {
    let url = url.trim_start();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || url.starts_with('#')
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// The markdown's events with everything unsafe taken out (see the module's text).
pub fn safe_events(markdown: &str) -> Vec<Event<'_>> {
    // For every link open, whether its start tag was kept, so its end tag matches.
    let mut kept = Vec::new();
    let mut events = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Html(_) | Event::InlineHtml(_) => {}
            Event::Start(Tag::Link { ref dest_url, .. }) => {
                let keep = is_safe_url(dest_url);
                kept.push(keep);
                if keep {
                    events.push(event);
                }
            }
            Event::End(TagEnd::Link) => {
                if kept.pop().unwrap_or(false) {
                    events.push(event);
                }
            }
            // An image's alt text arrives as the events between its start and end, so
            // dropping both tags leaves exactly the alt text.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
            other => events.push(other),
        }
    }
    events
}

/// The first thing [`safe_events`] would drop from `markdown`, in words ("raw HTML
/// `<script>`", "a link to `javascript:alert(1)`", "an image"), or `None` when it drops
/// nothing.
pub fn first_dropped(markdown: &str) -> Option<String> {
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                return Some(format!("raw HTML `{}`", short(html.trim())))
            }
            Event::Start(Tag::Link { dest_url, .. }) if !is_safe_url(&dest_url) => {
                return Some(format!("a link to `{}`", short(&dest_url)))
            }
            Event::Start(Tag::Image { .. }) => return Some("an image".to_owned()),
            _ => {}
        }
    }
    None
}

/// At most 40 characters of `text`, so a message quotes what it means without repeating a page.
fn short(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_filter_drops_is_named() {
        for (markdown, named) in [
            ("Hi <script>alert(1)</script>", "raw HTML `<script>`"),
            (
                "<div onclick=\"x()\">block</div>\n",
                "raw HTML `<div onclick=\"x()\">block</div>`",
            ),
            (
                "[click](javascript:alert(1))",
                "a link to `javascript:alert(1)`",
            ),
            (
                "[vb](  JaVaScRiPt:alert(1))",
                "a link to `JaVaScRiPt:alert(1)`",
            ),
            ("[d](data:text/html,x)", "a link to `data:text/html,x`"),
            ("![pixel](https://example.com/x.png)", "an image"),
        ] {
            assert_eq!(
                first_dropped(markdown).as_deref(),
                Some(named),
                "{markdown}"
            );
        }
        let long = format!("<div title=\"{}\"></div>\n", "x".repeat(100));
        assert!(first_dropped(&long).unwrap().ends_with("…`"));
    }

    #[test]
    fn safe_text_drops_nothing() {
        for markdown in [
            "# Rename\n\nKeep the **emails**: `ALTER TABLE`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
            "[docs](https://sqlite.org/lang_altertable.html) and [up](#task), `<script>` in code",
            "```sql\nSELECT '<img onerror=1>';\n```\n",
        ] {
            assert_eq!(first_dropped(markdown), None, "{markdown}");
            assert_eq!(
                safe_events(markdown).len(),
                Parser::new_ext(markdown, options()).count()
            );
        }
    }
}
