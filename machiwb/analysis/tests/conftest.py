from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from machiwb.indicators.demo import DATA_DIR
from machiwb.indicators.services import official_results_import


@pytest.fixture
def official_scores(regions_loaded: None, db: None) -> None:
    """The indicator catalog and the real published 2026年度版 results of four 和歌山県 cities."""
    call_command("load_catalog", stdout=io.StringIO())
    paths = sorted((DATA_DIR / "official").glob("*.csv"))
    official_results_import(files=[(p.name, p.read_bytes()) for p in paths])
