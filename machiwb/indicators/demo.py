"""Demo data of the indicators app: the catalog, real published results, real KPI values.

Loads the shipped catalog versions, the official 2026年度版 全国調査 results of four 和歌山県
cities (data/official/), the KPI values derived from public statistics
(data/kpi_values_public.csv) for FY2026, then computes FY2026: objective scores for every
municipality, the published results kept for the four cities. Also computes the individual
surveys of FY2025 (the surveys app's generated demo survey). Running it again changes nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import OutputWrapper

from machiwb.indicators.models import KpiImport, ScoreOrigin, ScoreRun
from machiwb.indicators.services import (
    indicators_compute,
    kpi_values_import,
    official_results_import,
)
from machiwb.surveys.models import SurveyType

DATA_DIR = Path(__file__).resolve().parent / "data"
KPI_FILE = DATA_DIR / "kpi_values_public.csv"
FISCAL_YEAR = 2026


def load_demo_data(stdout: OutputWrapper) -> None:
    call_command("load_catalog", stdout=stdout)
    paths = sorted((DATA_DIR / "official").glob("*.csv"))
    checksums = tuple(sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in paths))
    loaded = {
        tuple(sorted(f["sha256"] for f in run.inputs.get("files", [])))
        for run in ScoreRun.objects.filter(origin=ScoreOrigin.OFFICIAL)
    }
    if checksums in loaded:
        stdout.write("official results: unchanged")
    else:
        report = official_results_import(files=[(p.name, p.read_bytes()) for p in paths])
        stdout.write(
            f"official results: imported={report.files} mismatches={len(report.mismatches)}"
        )
    data = KPI_FILE.read_bytes()
    if KpiImport.objects.filter(
        fiscal_year=FISCAL_YEAR, sha256=hashlib.sha256(data).hexdigest()
    ).exists():
        stdout.write("KPI values: unchanged")
    else:
        batch = kpi_values_import(fiscal_year=FISCAL_YEAR, file_name=KPI_FILE.name, data=data)
        stdout.write(f"KPI values: imported={batch.row_count}")
    for fiscal_year, survey_type in (
        (FISCAL_YEAR, SurveyType.NATIONAL),
        (FISCAL_YEAR - 1, SurveyType.INDIVIDUAL),
    ):
        run = indicators_compute(fiscal_year=fiscal_year, survey_type=survey_type)
        stdout.write(
            f"indicators {fiscal_year} {survey_type}: municipalities={run.municipality_count} "
            f"responses={run.response_count}"
        )
