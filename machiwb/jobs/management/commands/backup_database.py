from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from machiwb.jobs.backup import backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite online copy) with a manifest for the drill."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output-dir", type=Path, default=None, help="default: MACHIWB_BACKUP_DIR"
        )
        parser.add_argument(
            "--keep", type=int, default=None, help="keep only the newest N (MACHIWB_BACKUP_KEEP)"
        )

    def handle(self, *args: Any, output_dir: Path | None, keep: int | None, **options: Any) -> None:
        path, manifest = backup_create(
            output_dir=output_dir or settings.MACHIWB_BACKUP_DIR,
            keep=keep or settings.MACHIWB_BACKUP_KEEP,
        )
        self.stdout.write(
            f"backup={path} tables={len(manifest.tables)} rows={manifest.rows} "
            f"responses={manifest.responses}"
        )
