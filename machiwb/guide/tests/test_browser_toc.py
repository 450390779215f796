"""A table of contents entry that wraps onto two lines on a phone keeps its bullet."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

pytestmark = pytest.mark.browser

APPS = Path(__file__).resolve().parents[2]
CSS = [
    APPS / "core" / "static" / "core" / "css" / "site.css",
    APPS / "guide" / "static" / "guide" / "guide.css",
]
TOC = """<main class="container"><nav class="toc"><ul>
<li><a href="#a">Before you start</a></li>
<li><a href="#b">Running it on paper and uploading the results of the survey</a></li>
</ul></nav></main>"""


def test_wrapped_toc_entry_keeps_its_bullet_on_the_first_line(page: Any) -> None:
    page.set_viewport_size({"width": 320, "height": 600})
    styles = "".join(path.read_text(encoding="utf-8") for path in CSS)
    page.set_content(
        f"<!doctype html><html lang='en'><head><style>{styles}</style></head><body>{TOC}</body></html>"
    )
    link = page.locator(".toc li").nth(1).locator("a")
    box = link.bounding_box()
    assert box["height"] > 40, "the entry wraps onto two lines at this width"
    # The bullet sits left of the link, level with its first line: look for dark pixels there.
    shot = page.screenshot(
        clip={"x": max(box["x"] - 20, 0), "y": box["y"], "width": 18, "height": 24}
    )
    pixels = Image.open(io.BytesIO(shot)).convert("L").getdata()
    assert min(pixels) < 100
