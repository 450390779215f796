"""`load_demo` — what `make run` loads — works on an empty database and is idempotent."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import call_command


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in {"sessions", "admin", "contenttypes", "auth"}
    }


@pytest.mark.django_db
def test_load_demo_fills_every_app_and_running_it_again_changes_nothing() -> None:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    first = _row_counts()
    assert first["regions.Municipality"] > 1700
    assert "demo: regions" in out.getvalue()

    call_command("load_demo", stdout=io.StringIO())
    assert _row_counts() == first
