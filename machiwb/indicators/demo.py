"""Demo data of the indicators app: the catalog and real published results.

Loads the shipped catalog versions and the official 2026年度版 全国調査 results of four
和歌山県 cities (data/official/, real data). Running it again changes nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import OutputWrapper

from machiwb.indicators.models import ScoreOrigin, ScoreRun
from machiwb.indicators.services import official_results_import

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_demo_data(stdout: OutputWrapper) -> None:
    call_command("load_catalog", stdout=stdout)
    paths = sorted((DATA_DIR / "official").glob("*.csv"))
    checksums = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in paths)
    loaded = {
        tuple(sorted(f["sha256"] for f in run.inputs.get("files", [])))
        for run in ScoreRun.objects.filter(origin=ScoreOrigin.OFFICIAL, is_current=True)
    }
    if tuple(checksums) in loaded:
        stdout.write("official results: unchanged")
        return
    report = official_results_import(files=[(p.name, p.read_bytes()) for p in paths])
    stdout.write(f"official results: imported={report.files} mismatches={len(report.mismatches)}")
