from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from machiwb.indicators.kpi_file import problems_heading
from machiwb.indicators.services import KpiImportError, kpi_values_import


class Command(BaseCommand):
    help = (
        "客観指標の値（CSV: UTF-8/BOM付き/Shift_JIS、または .xlsx）を年度を指定して取り込む。"
        "1行でも問題があれば、すべての問題を行・列・理由で示し、何も取り込まない。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fiscal-year", type=int, required=True)
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            batch = kpi_values_import(
                fiscal_year=options["fiscal_year"],
                file_name=path.name,
                data=data,
                progress=lambda done, total: self.stderr.write(
                    gettext("%(done)d/%(total)d行を確認しました") % {"done": done, "total": total}
                ),
            )
        except KpiImportError as exc:
            lines = [problems_heading(len(exc.problems)), *exc.problems]
            raise CommandError("\n".join(str(line) for line in lines)) from exc
        self.stdout.write(
            f"imported={batch.row_count} file={batch.file_name} format={batch.file_format} "
            f"sha256={batch.sha256}"
        )
