from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from machiwb.indicators.kpi_file import problems_heading
from machiwb.indicators.services import OfficialImportError, official_results_import


class Command(BaseCommand):
    help = (
        "地域幸福度ダッシュボードの公表結果CSV（主観データ・カテゴリー別・幸福度）を全国調査の"
        "結果として取り込む。問題があれば何も取り込まない。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            files = [(path.name, path.read_bytes()) for path in options["files"]]
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            report = official_results_import(
                files=files,
                progress=lambda done, total: self.stderr.write(
                    gettext("%(done)d/%(total)d個のファイルを読みました")
                    % {"done": done, "total": total}
                ),
            )
        except OfficialImportError as exc:
            lines = [problems_heading(len(exc.problems)), *exc.problems]
            raise CommandError("\n".join(str(line) for line in lines)) from exc
        for m in report.mismatches:
            self.stdout.write(
                f"mismatch: {m.region} {m.category} {m.measure} published={m.published} "
                f"derived={m.derived:.3f}"
            )
        self.stdout.write(f"imported={report.files} mismatches={len(report.mismatches)}")
