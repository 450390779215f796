"""The audit log as CSV (監査ログのCSV出力).

Columns (stable; UTF-8 with BOM so spreadsheet software opens Japanese correctly):
``at`` (ISO 8601 with offset, Asia/Tokyo), ``actor``, ``municipality_code``,
``municipality_name``, ``action``, ``object_type``, ``object_id``, ``summary``,
``details`` (JSON). A cell that a spreadsheet would read as a formula (starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from django.utils import timezone

from machiwb.audit.models import AuditEntry

CSV_COLUMNS = (
    "at",
    "actor",
    "municipality_code",
    "municipality_name",
    "action",
    "object_type",
    "object_id",
    "summary",
    "details",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """Neutralise spreadsheet formula injection (CSV injection) in one cell."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _row(entry: AuditEntry) -> list[str]:
    municipality = entry.municipality
    return [
        timezone.localtime(entry.at).isoformat(timespec="seconds"),
        entry.actor_label,
        municipality.code if municipality else "",
        municipality.name if municipality else "",
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.summary,
        json.dumps(entry.details, ensure_ascii=False, sort_keys=True) if entry.details else "",
    ]


def audit_csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The CSV text, line by line (for a streaming response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for entry in entries:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(cell) for cell in _row(entry)])
        yield buffer.getvalue()
