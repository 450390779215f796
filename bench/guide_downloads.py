"""Download benchmark of the guide: ``python -m bench.guide_downloads``.

Times, in the same run and on the same machine (best of 3):

* the printable standard questionnaire (A4, Japanese font subset and embedded), uncached,
  against a baseline: the same template with no questions (the fixed cost of starting layout
  and embedding the font);
* the analysis workbook of 和歌山市 (302015) for the current 全国調査 results, against a
  baseline: openpyxl writing a plain workbook of the same number of cells without charts.

Uses the database named by ``DATABASE_URL`` (default: the local SQLite of ``make run``) and
loads the regions, the catalog and the official demo results when they are missing.
Last line: ``pdf_seconds=… pdf_baseline_seconds=… workbook_seconds=… workbook_baseline_seconds=…``.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from typing import Any

REPEAT = 3


def _best(function: Callable[[], Any]) -> float:
    timings = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.management.base import OutputWrapper
    from openpyxl import Workbook, load_workbook

    from machiwb.core.pdf import pdf_render
    from machiwb.guide.paper import paper_sections, questionnaire_definition
    from machiwb.guide.workbook import workbook_build
    from machiwb.indicators.demo import load_demo_data
    from machiwb.indicators.models import ScoreRun

    call_command("migrate", verbosity=0)
    current = ScoreRun.objects.filter(is_current=True, cells__municipality_id="302015")
    if not current.exists():
        call_command("load_regions", stdout=io.StringIO())
        load_demo_data(OutputWrapper(io.StringIO()))
    run = current.first()
    assert run is not None  # noqa: S101 - loaded just above

    definition = questionnaire_definition()
    context = {
        "definition": definition,
        "sections": paper_sections(definition),
        "agreement_labels": [label for _value, label in definition["agreement_labels"]],
    }
    empty = {"definition": {"title": definition["title"]}, "sections": [], "agreement_labels": []}
    pdf = _best(lambda: pdf_render("guide/questionnaire_pdf.html", context))
    pdf_baseline = _best(lambda: pdf_render("guide/questionnaire_pdf.html", empty))

    content = workbook_build(run=run, municipality_code="302015")
    cells = sum(s.max_row * s.max_column for s in load_workbook(io.BytesIO(content)))

    def plain() -> None:
        book = Workbook()
        sheet = book.active
        assert sheet is not None  # noqa: S101 - a new workbook has a sheet
        for row in range(cells // 12 + 1):
            sheet.append([row * 0.5] * 12)
        book.save(io.BytesIO())

    workbook = _best(lambda: workbook_build(run=run, municipality_code="302015"))
    workbook_baseline = _best(plain)
    pdf_bytes = len(pdf_render("guide/questionnaire_pdf.html", context))
    print(f"questionnaire PDF: {pdf_bytes} bytes; workbook: {len(content)} bytes, {cells} cells")
    print(
        f"pdf_seconds={pdf:.3f} pdf_baseline_seconds={pdf_baseline:.3f} "
        f"workbook_seconds={workbook:.3f} workbook_baseline_seconds={workbook_baseline:.3f}"
    )


if __name__ == "__main__":
    main()
