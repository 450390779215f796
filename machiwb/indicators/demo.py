"""Demo data of the indicators app: the shipped catalog versions."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import OutputWrapper


def load_demo_data(stdout: OutputWrapper) -> None:
    call_command("load_catalog", stdout=stdout)
