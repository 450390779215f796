from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.fixture
def catalog_loaded(db: None) -> None:
    call_command("load_catalog", stdout=io.StringIO())
