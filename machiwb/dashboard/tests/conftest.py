from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

OFFICIAL = Path(__file__).resolve().parents[2] / "indicators" / "data" / "official"


def load_official_results() -> None:
    """The real official 2026年度版 全国調査 results of four 和歌山県 cities."""
    from machiwb.indicators.services import official_results_import

    call_command("load_catalog", stdout=io.StringIO())
    paths = sorted(OFFICIAL.glob("*.csv"))
    official_results_import(files=[(p.name, p.read_bytes()) for p in paths])


@pytest.fixture
def official_results(regions_loaded: None, db: None) -> None:
    load_official_results()


@pytest.fixture
def computed_results(official_results: None) -> None:
    """海南市's 個別調査 of FY2025 with GENERATED responses (the surveys demo), computed."""
    from machiwb.indicators.services import indicators_compute
    from machiwb.surveys.demo import load_demo_data as load_survey_demo

    load_survey_demo(io.StringIO())
    indicators_compute(fiscal_year=2025, survey_type="individual")
