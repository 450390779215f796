"""Demo data of the regions app: the real municipality master (全国地方公共団体コード)."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import OutputWrapper


def load_demo_data(stdout: OutputWrapper) -> None:
    call_command("load_regions", stdout=stdout)
