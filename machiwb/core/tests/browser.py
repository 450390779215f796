"""Helpers for browser tests: headless Debian Chromium driven by Playwright, and axe-core."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"

#: Never download a browser: use Debian's Chromium, with no background network traffic.
CHROMIUM_LAUNCH = {
    "executable_path": "/usr/bin/chromium",
    "args": [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--disable-dev-shm-usage",
    ],
}

PHONE_VIEWPORT = {"width": 360, "height": 740}


def axe_violations(
    page: Any, tags: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
) -> list[dict[str, Any]]:
    """Run axe-core on the current page and return the WCAG 2.1 A/AA violations."""
    # Evaluated through the DevTools protocol: the site's CSP forbids inline <script> tags.
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        list(tags),
    )
    return list(result["violations"])


def assert_accessible(page: Any) -> None:
    """Fail with a readable list when axe-core finds any WCAG 2.1 AA violation."""
    violations = axe_violations(page)
    if violations:
        summary = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in violations
        ]
        raise AssertionError(
            f"{page.url}: axe violations\n{json.dumps(summary, ensure_ascii=False, indent=1)}"
        )


def page_width(page: Any) -> int:
    """The page's laid-out width in CSS pixels, measured once its stylesheets have loaded.

    Measuring right after a click can lay the page out before a page-specific stylesheet
    arrives (on a busy machine), which makes an image wider than the phone for a moment.
    """
    page.wait_for_load_state("load")
    return int(page.evaluate("document.documentElement.scrollWidth"))
