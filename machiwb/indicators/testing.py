"""Test support for apps that read indicator results (no test runs from here)."""

from __future__ import annotations

import io

from django.core.management import call_command

from machiwb.indicators.demo import DATA_DIR
from machiwb.indicators.services import indicators_compute, official_results_import


def load_official_results() -> None:
    """The catalog and the real published 2026年度版 全国調査 results of four 和歌山県 cities."""
    call_command("load_catalog", stdout=io.StringIO())
    paths = sorted((DATA_DIR / "official").glob("*.csv"))
    official_results_import(files=[(p.name, p.read_bytes()) for p in paths])


def load_computed_demo_results() -> None:
    """海南市's 個別調査 of FY2025 with GENERATED responses (the surveys demo), computed."""
    from machiwb.surveys.demo import load_demo_data as load_survey_demo

    load_survey_demo(io.StringIO())
    indicators_compute(fiscal_year=2025, survey_type="individual")
