"""Load the demo environment: every app's ``demo.py`` in INSTALLED_APPS order.

An app that has demo data provides ``machiwb/<app>/demo.py`` with
``load_demo_data(stdout: OutputWrapper) -> None``; it must be idempotent (running it twice
changes nothing) and use real public data wherever real data exists.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "デモ環境のデータ（地域マスタほか、実在の公開データ）を読み込む。何度実行しても同じ結果になる。"

    def handle(self, *args: Any, **options: Any) -> None:
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            if not app_config.name.startswith("machiwb."):
                continue
            if importlib.util.find_spec(module_name) is None:
                continue
            self.stdout.write(f"demo: {app_config.label}")
            importlib.import_module(module_name).load_demo_data(self.stdout)
