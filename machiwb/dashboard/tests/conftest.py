from __future__ import annotations

import io

import pytest
from django.core.management.base import OutputWrapper

from machiwb.indicators.demo import load_demo_data


@pytest.fixture
def official_results(regions_loaded: None, db: None) -> None:
    """The real official 2026年度版 全国調査 results of four 和歌山県 cities."""
    load_demo_data(OutputWrapper(io.StringIO()))
