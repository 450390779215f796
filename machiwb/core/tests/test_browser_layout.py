"""The site's stylesheet on a phone: table headers wrap between words, never inside one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from machiwb.core.tests.browser import PHONE_VIEWPORT

pytestmark = pytest.mark.browser

SITE_CSS = Path(__file__).resolve().parents[1] / "static" / "core" / "css" / "site.css"

TABLE = """<main><div class="table-wrap"><table>
<thead><tr><th>Question</th><th class="num">Value</th><th class="num">Deviation score</th>
<th class="num">n</th><th class="num">Reference mean</th><th class="num">Reference SD</th></tr></thead>
<tbody><tr><td>医療機関が充実 暮らしている地域は、医療機関が充実している</td><td class="num">3.5</td>
<td class="num">51.6</td><td class="num">—</td><td class="num">—</td><td class="num">—</td></tr>
</tbody></table></div></main>"""


def _words_split_across_lines(page: Any) -> list[str]:
    """Words of the header cells whose letters are laid out on more than one line."""
    return list(
        page.evaluate(
            """() => {
              const split = [];
              for (const th of document.querySelectorAll('th')) {
                const text = th.firstChild;
                let start = 0;
                for (const word of text.data.split(' ')) {
                  const range = document.createRange();
                  range.setStart(text, start);
                  range.setEnd(text, start + word.length);
                  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                  if (tops.size > 1) split.push(word);
                  start += word.length + 1;
                }
              }
              return split;
            }"""
        )
    )


def test_table_headers_wrap_between_words_on_a_phone(page: Any) -> None:
    page.set_viewport_size(PHONE_VIEWPORT)
    page.set_content(
        f"<!doctype html><html lang='en'><head><style>{SITE_CSS.read_text(encoding='utf-8')}"
        f"</style></head><body>{TABLE}</body></html>"
    )
    assert _words_split_across_lines(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
