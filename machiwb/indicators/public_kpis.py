"""KPI values derived from the public statistics shipped with the regions app (pure code).

Real data only: 令和2年国勢調査 / 統計でみる市区町村のすがた2024 features and the 住民基本台帳
population and migration of 2024 (machiwb/regions/data/PROVENANCE.md). The census features
file has wards but no 政令指定都市 totals; a city's ratio is then the wards' ratio weighted by
their population (or households), and the row's note says so. Values that cannot be
aggregated that way (per-taxpayer income) are left out for those cities.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from pathlib import Path

#: KPI code → (census features column, factor to the KPI's unit, weight column for cities).
CENSUS_KPIS: dict[str, tuple[str, float, str | None]] = {
    "owner_occupied_household_share": ("pct_owner_occupied", 100.0, "n_hh_total"),
    "single_household_share": ("pct_single_hh", 100.0, "n_hh_total"),
    "foreign_resident_share": ("pct_foreign", 100.0, "pop_total"),
    "university_graduate_share": ("pct_college", 100.0, "pop_total"),
    "taxable_income_per_taxpayer": ("taxable_income_per_capita", 1.0, None),
    "elderly_share": ("pct_elderly_65", 100.0, "pop_total"),
    "child_share": ("pct_child_under15", 100.0, "pop_total"),
}
CENSUS_NOTE = "令和2年国勢調査・統計でみる市区町村のすがた2024（e-Stat）"
JUMIN_NOTE = "住民基本台帳に基づく人口、人口動態及び世帯数（2025年1月1日、2024年中の動態）"
WEIGHTED_NOTE = "。政令指定都市は行政区の値を{weight}で加重平均"


def _float(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def public_kpi_rows(
    data_dir: Path, *, ward_parent: dict[str, str]
) -> Iterator[tuple[str, str, float, str]]:
    """(municipality code, KPI code, value, note) rows, sorted by code then KPI.

    ``ward_parent`` maps each 行政区's code to its 政令指定都市's code.
    """
    rows: list[tuple[str, str, float, str]] = []
    census = _read(data_dir / "municipal_census2020_features.csv")
    area = {r["lg_code"]: _float(r["area_km2"]) for r in _read(data_dir / "area_gsi_20260101.csv")}
    city_sums: dict[tuple[str, str], list[float]] = {}
    city_population: dict[str, float] = {}
    for r in census:
        code = r["lg_code"]
        population = _float(r["pop_total"]) or 0.0
        if population <= 0:
            continue
        for kpi, (column, factor, weight) in CENSUS_KPIS.items():
            value = _float(r[column])
            if value is None:
                continue
            rows.append((code, kpi, value * factor, CENSUS_NOTE))
            parent = ward_parent.get(code)
            weight_value = _float(r[weight]) if weight else None
            if parent and weight and weight_value:
                sums = city_sums.setdefault((parent, kpi), [0.0, 0.0])
                sums[0] += value * factor * weight_value
                sums[1] += weight_value
        density = _float(r["pop_density"])
        if density is not None:
            rows.append((code, "population_density", density, CENSUS_NOTE))
        if code in ward_parent:
            parent = ward_parent[code]
            city_population[parent] = city_population.get(parent, 0.0) + population
    weight_names = {"n_hh_total": "世帯数", "pop_total": "人口"}
    for (city, kpi), (total, weight_total) in city_sums.items():
        weight = CENSUS_KPIS[kpi][2] or ""
        note = CENSUS_NOTE + WEIGHTED_NOTE.format(weight=weight_names[weight])
        rows.append((city, kpi, total / weight_total, note))
    for city, population in city_population.items():
        city_area = area.get(city)
        if city_area:
            note = (
                CENSUS_NOTE
                + "。政令指定都市は行政区の人口の合計÷市の面積（国土地理院 2026年1月1日）"
            )
            rows.append((city, "population_density", population / city_area, note))
    for r in _read(data_dir / "population_jumin_20250101.csv"):
        if r["level"] not in {"municipality", "designated_ward"}:
            continue
        population = _float(r["totalpop"]) or 0.0
        if population <= 0:
            continue
        moved = sum(_float(r[c]) or 0.0 for c in ("inc_mov_dom", "inc_mov_intl"))
        left = sum(_float(r[c]) or 0.0 for c in ("dec_mov_dom", "dec_mov_intl"))
        rows.append(
            (r["lg_code"], "net_in_migration_rate", 100.0 * (moved - left) / population, JUMIN_NOTE)
        )
        births = _float(r["inc_born"]) or 0.0
        rows.append((r["lg_code"], "births_per_1000", 1000.0 * births / population, JUMIN_NOTE))
    yield from sorted(rows, key=lambda row: (row[0], row[1]))
