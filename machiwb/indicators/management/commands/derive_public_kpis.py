from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from machiwb.indicators.kpi_file import kpi_csv
from machiwb.indicators.public_kpis import public_kpi_rows
from machiwb.regions.models import Municipality
from machiwb.regions.sources import DATA_DIR

OUTPUT = Path(__file__).resolve().parents[2] / "data" / "kpi_values_public.csv"


class Command(BaseCommand):
    help = (
        "同梱の公的統計（国勢調査・住民基本台帳）から客観指標の値を算出し、"
        "取込形式のCSV（data/kpi_values_public.csv）に書き出す。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=OUTPUT)

    def handle(self, *args: Any, **options: Any) -> None:
        ward_parent = dict(
            Municipality.objects.filter(parent__isnull=False).values_list("code", "parent_id")
        )
        rows = list(public_kpi_rows(DATA_DIR, ward_parent=ward_parent))
        options["output"].write_text(kpi_csv(rows), encoding="utf-8")
        self.stdout.write(f"rows={len(rows)} file={options['output']}")
