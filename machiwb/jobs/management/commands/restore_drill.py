from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from machiwb.jobs.backup import backups_list, restore_drill


class Command(BaseCommand):
    help = (
        "Restore a backup into a fresh temporary database and compare row counts and the "
        "survey-response checksum with the backup's manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, nargs="?", help="default: newest in --dir")
        parser.add_argument("--dir", type=Path, default=None)

    def handle(self, *args: Any, backup: Path | None, dir: Path | None, **options: Any) -> None:
        if backup is None:
            if dir is None:
                raise CommandError("Name a backup file or --dir holding backups.")
            candidates = backups_list(output_dir=dir)
            if not candidates:
                raise CommandError(f"No backups in {dir}.")
            backup = candidates[-1]
        result = restore_drill(backup=backup)
        self.stdout.write(
            f"restored_rows={result.restored.rows} tables={len(result.restored.tables)} "
            f"responses={result.restored.responses} "
            f"counts_match={str(result.counts_match).lower()} "
            f"checksum_match={str(result.checksum_match).lower()} "
            f"seconds={result.seconds:.2f}"
        )
        if not result.ok:
            raise CommandError("Restore drill FAILED: " + "; ".join(result.differences()))
