from __future__ import annotations

import io

import pytest
from django.core.management.base import OutputWrapper

from machiwb.indicators.demo import load_demo_data


@pytest.fixture
def official_results(regions_loaded: None, db: None) -> None:
    """The real official 2026年度版 全国調査 results of four 和歌山県 cities."""
    load_demo_data(OutputWrapper(io.StringIO()))


@pytest.fixture
def computed_results(official_results: None) -> None:
    """海南市's 個別調査 of FY2025 with GENERATED responses (the surveys demo), computed."""
    from machiwb.indicators.services import indicators_compute
    from machiwb.surveys.demo import load_demo_data as load_survey_demo

    load_survey_demo(io.StringIO())
    indicators_compute(fiscal_year=2025, survey_type="individual")
