from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from machiwb.indicators.catalog import CatalogError, catalog_read, shipped_catalog_paths
from machiwb.indicators.services import catalog_load


class Command(BaseCommand):
    help = (
        "指標カタログ（設問・カテゴリー・客観指標の定義ファイル）を検証して読み込む。"
        "ファイルを省略すると同梱の全版を読み込む。何度実行しても同じ結果になる。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="カタログ定義ファイル（JSON）")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["files"] or shipped_catalog_paths()
        try:
            catalogs = [(path, catalog_read(path)) for path in paths]
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc
        for path, catalog in catalogs:
            result = catalog_load(catalog=catalog, source_name=path.name)
            state = "loaded" if result.changed else "unchanged"
            self.stdout.write(
                f"{catalog.version}: {state} ({len(catalog.items)} items, {len(catalog.kpis)} KPIs)"
            )
