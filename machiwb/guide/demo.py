"""Demo data of the guide: the default FAQ entries (running it again adds nothing)."""

from __future__ import annotations

from django.core.management.base import OutputWrapper

from machiwb.guide.services import faq_defaults_install


def load_demo_data(stdout: OutputWrapper) -> None:
    stdout.write(f"faq: added={faq_defaults_install()}")
