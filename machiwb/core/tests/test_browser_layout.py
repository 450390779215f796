"""The site's stylesheet: table headers wrap between words on a phone; the home page's path cards
line up on a desktop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from machiwb.core.tests.browser import PHONE_VIEWPORT, page_width

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
    assert page_width(page) <= PHONE_VIEWPORT["width"]


HOME_PATHS = """<main class="container"><ul class="card-list home-paths">
<li><a href="#">ダッシュボード<small>市区町村の主観・客観の偏差値を見る、並べて比べる</small></a></li>
<li><a href="#">指標について知る<small>24のカテゴリーと偏差値の読み方</small></a></li>
<li><a href="#">使いこなす<small>課題分野の特定からワークショップまで</small></a></li>
<li><a href="#">個別調査をする<small>自治体職員の方へ：独自のアンケートを実施する</small></a></li>
</ul></main>"""


def test_home_path_cards_in_a_row_have_one_height_on_a_desktop(page: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_content(
        f"<!doctype html><html lang='ja'><head><style>{SITE_CSS.read_text(encoding='utf-8')}"
        f"</style></head><body>{HOME_PATHS}</body></html>"
    )
    boxes = page.eval_on_selector_all(
        ".home-paths a", "els => els.map(e => e.getBoundingClientRect().toJSON())"
    )
    assert len({round(b["top"]) for b in boxes}) == 1, "the four cards fit one row at 1280 px"
    assert len({round(b["height"]) for b in boxes}) == 1
