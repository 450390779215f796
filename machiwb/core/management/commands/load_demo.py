from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "デモ環境のデータ（地域マスタほか、実在の公開データ）を読み込む。何度実行しても同じ結果になる。"

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("load_regions", stdout=self.stdout)
