//! Lesson markdown to HTML that is safe to put into the page.
//!
//! Lesson (and exercise) text is rendered with pulldown-cmark, but only after its events pass
//! strata-core's `markdown::safe_events`: raw HTML (block or inline) is dropped, images become
//! their alt text, and a link whose target is not `http:`, `https:` or an in-page `#anchor`
//! keeps its text and loses the link. Text and attribute values are escaped by pulldown-cmark's
//! HTML writer, so what comes out holds no script, no event handler and no `javascript:` URL,
//! whatever the markdown said.

pub use strata_core::markdown::is_safe_url;
use strata_core::markdown::safe_events;

/// Renders lesson markdown to HTML that can be inserted into the DOM as it is.
pub fn render(markdown: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, safe_events(markdown).into_iter());
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nothing a browser would run may survive: every tag is one markdown itself makes, and
    /// its only attributes are a safe `href`, a `class` or a list's `start`.
    fn assert_inert(html: &str) {
        const TAGS: [&str; 23] = [
            "p",
            "a",
            "em",
            "strong",
            "code",
            "pre",
            "ul",
            "ol",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "blockquote",
            "hr",
            "br",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "del",
        ];
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            let close = rest[open..].find('>').expect("tags are closed") + open;
            let tag = rest[open + 1..close].trim_start_matches('/');
            let mut parts = tag.splitn(2, ' ');
            let name = parts.next().unwrap_or_default();
            assert!(TAGS.contains(&name), "tag <{name}> in {html}");
            if let Some(attributes) = parts.next() {
                for attribute in attributes
                    .split("\" ")
                    .filter(|a| !matches!(a.trim(), "" | "/"))
                {
                    let (key, value) = attribute.trim().split_once("=\"").expect("quoted");
                    match key {
                        "href" => assert!(is_safe_url(value), "href {value} in {html}"),
                        "class" | "start" => {}
                        other => panic!("attribute {other} in {html}"),
                    }
                }
            }
            rest = &rest[close + 1..];
        }
    }

    #[test]
    fn raw_html_is_dropped() {
        let html = render(
            "Hello <script>alert(1)</script> there.\n\n<div onclick=\"x()\">block</div>\n\n\
             <img src=x onerror=alert(1)>\n",
        );
        assert_inert(&html);
        assert!(html.contains("Hello"), "{html}");
    }

    #[test]
    fn script_links_keep_their_text_only() {
        let html = render(
            "[click](javascript:alert(1)) [data](data:text/html,<b>x</b>) \
             [vb](  JaVaScRiPt:alert(1)) <javascript:alert(1)>",
        );
        assert_inert(&html);
        assert!(!html.contains("<a"), "{html}");
        assert!(html.contains("click"), "{html}");
    }

    #[test]
    fn web_links_and_anchors_stay_links() {
        let html = render("[docs](https://sqlite.org/lang_altertable.html) and [up](#task)");
        assert!(
            html.contains("<a href=\"https://sqlite.org/lang_altertable.html\">docs</a>"),
            "{html}"
        );
        assert!(html.contains("<a href=\"#task\">up</a>"), "{html}");
    }

    #[test]
    fn images_become_their_alt_text() {
        let html = render("![a diagram](https://example.com/x.png) ![b](javascript:alert(1))");
        assert_inert(&html);
        assert!(html.contains("a diagram"), "{html}");
    }

    #[test]
    fn text_and_code_are_escaped() {
        let html =
            render("`<script>` and **<b>bold</b>**\n\n```sql\nSELECT '<img onerror=1>';\n```\n");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("&lt;img onerror=1&gt;"), "{html}");
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn a_quote_cannot_break_out_of_an_href() {
        let html = render("[x](https://a.example/\"onmouseover=\"alert(1))");
        assert!(!html.contains("\"onmouseover"), "{html}");
    }
}
