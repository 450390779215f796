"""Writes to the regional master data (地域マスタ)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import transaction

from machiwb.regions.models import Municipality, Prefecture, RegionDataLoad
from machiwb.regions.sources import (
    CODE_LIST_AS_OF,
    DATA_DIR,
    FILES,
    MunicipalityRow,
    PrefectureRow,
    file_sha256,
    read_municipalities,
    read_prefectures,
)


@dataclass(frozen=True)
class RegionLoadReport:
    created: int
    updated: int
    unchanged: int
    retired: int

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)


def _sync(model: Any, rows: list[Any], stats: dict[str, int]) -> None:
    """Create missing rows and update differing ones; leave equal rows untouched."""
    existing = {obj.pk: obj for obj in model.objects.filter(pk__in=[r.code for r in rows])}
    to_create, to_update = [], []
    fields = [f.name for f in dataclasses.fields(rows[0]) if f.name != "code"] if rows else []
    for row in rows:
        values = dataclasses.asdict(row)
        obj = existing.get(row.code)
        if obj is None:
            to_create.append(model(**values))
            continue
        changed = [name for name in fields if getattr(obj, name) != values[name]]
        if model is Municipality and obj.valid_to is not None:
            obj.valid_to = None
            changed.append("valid_to")
        if changed:
            for name in fields:
                setattr(obj, name, values[name])
            to_update.append(obj)
    model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        update_fields = fields + (["valid_to"] if model is Municipality else [])
        model.objects.bulk_update(to_update, update_fields, batch_size=500)
    stats["created"] += len(to_create)
    stats["updated"] += len(to_update)
    stats["unchanged"] += len(rows) - len(to_create) - len(to_update)


@transaction.atomic
def regions_load(*, data_dir: Path = DATA_DIR) -> RegionLoadReport:
    """Load or update prefectures and municipalities from the shipped files.

    Idempotent: a second run with the same files changes nothing. Rows are matched by
    団体コード, so references from surveys and indicators survive an update; a municipality
    missing from a newer code list is retired (``valid_to``), never deleted.
    """
    prefectures: list[PrefectureRow] = read_prefectures(data_dir)
    municipalities: list[MunicipalityRow] = read_municipalities(data_dir)
    stats = {"created": 0, "updated": 0, "unchanged": 0}

    _sync(Prefecture, prefectures, stats)
    # Designated cities must exist before their wards point at them.
    _sync(Municipality, [m for m in municipalities if m.parent_id is None], stats)
    _sync(Municipality, [m for m in municipalities if m.parent_id is not None], stats)

    listed = {m.code for m in municipalities}
    retired = (
        Municipality.objects.filter(valid_to__isnull=True)
        .exclude(code__in=listed)
        .update(valid_to=CODE_LIST_AS_OF - timedelta(days=1))
    )
    report = RegionLoadReport(retired=retired, **stats)
    if report.changed:
        RegionDataLoad.objects.create(
            files={name: file_sha256(data_dir / name) for name in sorted(FILES.values())},
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            retired=report.retired,
        )
    return report
