"""Parsing the official dashboard exports (公表結果のCSV), pure code.

The Digital Agency's 地域幸福度 dashboard downloads three CSV kinds per municipality
(shared/data/README.md): ``主観データ`` (46 items then 24 categories, 実数 and 偏差値),
``カテゴリー別`` (per category: 主観 実数, 主観 偏差値, 客観 偏差値) and ``幸福度・生活満足度``
(answer distributions in % of Q1–Q5). Rows are matched to the catalog by the official short
labels; every problem is reported with its row and column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from machiwb.indicators.compute import category_from_items
from machiwb.indicators.kpi_file import Problem
from machiwb.jobs.messages import Plain, Text

SUBJECTIVE = "subjective"
CATEGORY = "category"
HAPPINESS = "happiness"
_COMMON = ["年度", "調査種別", "地域", "データ種別", "因子群"]
HEADERS = {
    SUBJECTIVE: [*_COMMON, "カテゴリ・評価指標", "実数", "偏差値"],
    CATEGORY: [
        *_COMMON,
        "カテゴリ・評価指標",
        "主観データ実数",
        "主観データ偏差値",
        "客観データ偏差値",
    ],
    HAPPINESS: ["年度", "調査種別", "地域", "データ種別", "設問", "回答", "回答割合"],
}
SURVEY_TYPES = {"全国調査": "national", "個別調査": "individual"}
#: Published category values are rounded to 0.1; larger differences from the items are reported.
TOLERANCE = 0.1
_YEAR = re.compile(r"^(\d{4})年度")


class OfficialFileError(ValueError):
    """The file cannot be read; ``problems`` lists every reason, by row and column."""

    def __init__(self, name: str, problems: list[Text]) -> None:
        self.name = name
        self.problems = problems
        super().__init__(f"{name}:\n" + "\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class OfficialLabels:
    """Catalog labels used to recognise rows: item label → code, category name → code, …"""

    items: dict[str, str]
    item_category: dict[str, str]
    categories: dict[str, str]
    questions: dict[str, str]


@dataclass
class OfficialResult:
    """Everything published for one municipality, fiscal year and survey type."""

    fiscal_year: int
    survey_type: str
    region: str  # 地域 as written, e.g. 「和歌山県 和歌山市」
    items: dict[str, tuple[float, float]] = field(default_factory=dict)
    categories: dict[str, tuple[float | None, float | None, float | None]] = field(
        default_factory=dict
    )
    distributions: dict[str, dict[int, float]] = field(default_factory=dict)
    kinds: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Mismatch:
    region: str
    category: str
    measure: str  # 実数 or 偏差値 (the column name, also the msgid of its translation)
    published: float
    derived: float


def _number(record: dict[str, str], row: int, column: str, problems: list[Text]) -> float | None:
    raw = record[column]
    try:
        value = float(raw)
    except ValueError:
        reason = Text.of(gettext_noop("「%(value)s」は数値ではありません。"), value=raw)
        problems.append(Problem(row, column, reason).text())
        return None
    if not math.isfinite(value):
        reason = Text.of(gettext_noop("「%(value)s」は有限の数値ではありません。"), value=raw)
        problems.append(Problem(row, column, reason).text())
        return None
    return value


def official_file_parse(
    text: str,
    *,
    name: str,
    labels: OfficialLabels,
    results: dict[tuple[int, str, str], OfficialResult],
) -> str:
    """Parse one export file into ``results`` (keyed by year, survey type, region); return its kind."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    kind = next((k for k, h in HEADERS.items() if header == h), None)
    if kind is None:
        reason = Text.of(
            gettext_noop("見出し行が公表結果の3種類の形式のどれでもありません：%(header)s"),
            header=Plain(",".join(header or [])),
        )
        raise OfficialFileError(name, [Problem(1, "", reason).text()])
    problems: list[Text] = []
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(header or []):
            reason = Text.of(
                gettext_noop("列が%(found)d個あります（%(expected)d個のはずです）。"),
                found=len(row),
                expected=len(header or []),
            )
            problems.append(Problem(number, "", reason).text())
            continue
        record = dict(zip(header or [], row, strict=True))
        year_match = _YEAR.match(record["年度"])
        if year_match is None:
            reason = Text.of(
                gettext_noop("「%(value)s」に年度がありません（例：2024年度）。"),
                value=record["年度"],
            )
            problems.append(Problem(number, "年度", reason).text())
            continue
        survey_type = SURVEY_TYPES.get(record["調査種別"])
        if survey_type is None:
            reason = Text.of(
                gettext_noop("「%(value)s」は調査種別ではありません（全国調査 または 個別調査）。"),
                value=record["調査種別"],
            )
            problems.append(Problem(number, "調査種別", reason).text())
            continue
        key = (int(year_match.group(1)), survey_type, record["地域"].strip())
        result = results.setdefault(key, OfficialResult(key[0], key[1], key[2]))
        result.kinds.add(kind)
        if kind == HAPPINESS:
            code = labels.questions.get(record["設問"])
            if code is None:
                reason = Text.of(
                    gettext_noop("「%(value)s」はカタログにない設問です。"), value=record["設問"]
                )
                problems.append(Problem(number, "設問", reason).text())
                continue
            answer = _number(record, number, "回答", problems)
            share = _number(record, number, "回答割合", problems)
            if answer is not None and share is not None:
                result.distributions.setdefault(code, {})[int(answer)] = share
            continue
        label = record["カテゴリ・評価指標"]
        if kind == SUBJECTIVE and label in labels.items:
            value = _number(record, number, "実数", problems)
            score = _number(record, number, "偏差値", problems)
            if value is not None and score is not None:
                result.items[labels.items[label]] = (value, score)
            continue
        category = labels.categories.get(label)
        if category is None:
            reason = Text.of(
                gettext_noop("「%(value)s」はカタログにない評価指標・カテゴリーです。"), value=label
            )
            problems.append(Problem(number, "カテゴリ・評価指標", reason).text())
            continue
        old = result.categories.get(category, (None, None, None))
        if kind == SUBJECTIVE:
            value = _number(record, number, "実数", problems)
            score = _number(record, number, "偏差値", problems)
            result.categories[category] = (value, score, old[2])
        else:
            value = _number(record, number, "主観データ実数", problems)
            score = _number(record, number, "主観データ偏差値", problems)
            objective = _number(record, number, "客観データ偏差値", problems)
            result.categories[category] = (value, score, objective)
    if problems:
        raise OfficialFileError(name, problems)
    return kind


def official_mismatches(result: OfficialResult, labels: OfficialLabels) -> list[Mismatch]:
    """Categories whose published 実数/偏差値 differ from the mean of their items by > 0.1."""
    found = []
    for category, (value, score, _objective) in sorted(result.categories.items()):
        codes = [c for c, cat in labels.item_category.items() if cat == category]
        present = [result.items[c] for c in codes if c in result.items]
        if len(present) != len(codes):
            continue
        for measure, published, index in (
            (gettext_noop("実数"), value, 0),
            (gettext_noop("偏差値"), score, 1),
        ):
            derived = category_from_items([p[index] for p in present])
            if (
                published is not None
                and derived is not None
                and abs(published - derived) > TOLERANCE
            ):
                found.append(Mismatch(result.region, category, measure, published, derived))
    return found
