from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from machiwb.regions.services import regions_load
from machiwb.regions.sources import DATA_DIR, SourceError


class Command(BaseCommand):
    help = "都道府県・市区町村マスタを同梱の公的データから読み込む（何度実行しても同じ結果）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=DATA_DIR)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = regions_load(data_dir=options["data_dir"])
        except (SourceError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"created={report.created} updated={report.updated} "
            f"unchanged={report.unchanged} retired={report.retired}"
        )
