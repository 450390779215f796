"""Safe Markdown for operator-written text (FAQ answers).

markdown-it-py renders CommonMark with raw HTML disabled, and nh3 (the ammonia sanitizer)
keeps only text-formatting tags: no images, no scripts, no styles, so an answer can neither
run code nor make a reader's browser fetch anything from another host.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
_RENDERER = MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown_to_safe_html(text: str) -> str:
    """HTML for Markdown ``text``, with raw HTML, images and unsafe links removed."""
    html = _RENDERER.render(text)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}, "th": {"scope"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
