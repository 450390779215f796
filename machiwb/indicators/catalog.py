"""Reading and validating indicator catalog files (指標カタログ定義ファイル).

A catalog file is JSON with the schema ``machiwb.indicator-catalog/1`` (docs/indicators.md):
factor groups, the 24 categories, the overall questions, the category survey items, the
objective KPIs and context statistics. ``catalog_parse`` checks every rule and reports every
problem with its JSON path, so an operator replacing a file with the official list sees at
once what to fix. A problem is a ``jobs.messages.Text`` with the path as a value, shown in
the reader's language. Pure code: no database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django.utils.translation import gettext_noop

from machiwb.jobs.messages import Listing, Param, Plain, Text
from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS, OVERALL_COLUMNS

SCHEMA = "machiwb.indicator-catalog/1"
CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
CATEGORY_CODES: tuple[str, ...] = tuple(f"c{n:02d}" for n in range(1, 25))


class CatalogError(ValueError):
    """A catalog file breaks the schema; ``problems`` lists every violation found."""

    def __init__(self, source: str, problems: list[Text]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}:\n" + "\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class FactorGroupDef:
    code: str
    name_ja: str
    name_en: str
    order: int


@dataclass(frozen=True)
class CategoryDef:
    code: str
    group: str
    name_ja: str
    name_en: str
    order: int


@dataclass(frozen=True)
class OverallQuestionDef:
    code: str
    label_ja: str
    label_en: str
    text_ja: str
    text_en: str
    scale_min: int
    scale_max: int
    optional: bool


@dataclass(frozen=True)
class ItemDef:
    code: str
    category: str
    label_ja: str
    text_ja: str
    text_en: str
    reverse: bool
    provisional: bool
    order: int


@dataclass(frozen=True)
class KpiDef:
    """An objective KPI (客観指標); ``category`` and ``direction`` are empty for context statistics.

    ``unit_en``, ``source_en`` and ``vintage_en`` are optional in a file and empty when it has
    none: pages in English then show the Japanese form."""

    code: str
    category: str
    name_ja: str
    name_en: str
    unit: str
    unit_en: str
    direction: int
    source: str
    source_en: str
    vintage: str
    vintage_en: str
    plausible_min: float
    plausible_max: float
    official: bool


@dataclass(frozen=True)
class CatalogDef:
    version: str
    title: str
    first_fiscal_year: int
    last_fiscal_year: int | None
    note: str
    sha256: str
    raw: dict[str, Any]
    factor_groups: tuple[FactorGroupDef, ...]
    categories: tuple[CategoryDef, ...]
    overall_questions: tuple[OverallQuestionDef, ...]
    items: tuple[ItemDef, ...]
    kpis: tuple[KpiDef, ...]


def _got(value: object) -> Plain:
    return Plain(repr(value))


#: What ``_Checker.field`` expects, as said to the reader.
_NUMBER = gettext_noop("数値")
_KIND_NAMES: dict[object, str] = {
    str: gettext_noop("文字列"),
    int: gettext_noop("整数"),
    bool: gettext_noop("true または false"),
}


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Text] = []

    def add(self, msgid: str, /, path: str, **params: Param) -> None:
        self.problems.append(Text.of(msgid, path=path, **params))

    def expected(self, path: str, expected: Param, value: object) -> None:
        self.add(
            gettext_noop("%(path)s：%(expected)s が必要です（%(value)s）。"),
            path,
            expected=expected,
            value=_got(value),
        )

    def field(self, obj: dict[str, Any], path: str, key: str, kind: type | tuple[type, ...]) -> Any:
        if key not in obj:
            self.add(gettext_noop("%(path)s：ありません。"), f"{path}.{key}")
            return None
        value = obj[key]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            self.expected(f"{path}.{key}", Text.of(_NUMBER), value)
            return None
        if not isinstance(value, kind):
            self.expected(f"{path}.{key}", Text.of(_KIND_NAMES.get(kind, _NUMBER)), value)
            return None
        if isinstance(value, str) and not value.strip() and key not in {"vintage", "note"}:
            self.add(gettext_noop("%(path)s：空にはできません。"), f"{path}.{key}")
            return None
        return value

    def optional_text(self, obj: dict[str, Any], path: str, key: str) -> str:
        """A string that may be left out (then ""), but is not empty when given."""
        if key not in obj:
            return ""
        value = self.field(obj, path, key, str)
        return "" if value is None else value.strip()

    def records(self, data: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
        value = data.get(key)
        if not isinstance(value, list):
            self.add(gettext_noop("%(path)s：リストが必要です。"), f"$.{key}")
            return []
        out = []
        for index, record in enumerate(value):
            path = f"$.{key}[{index}]"
            if not isinstance(record, dict):
                self.add(gettext_noop("%(path)s：オブジェクトが必要です。"), path)
                continue
            out.append((path, record))
        return out

    def unique(self, key: str, codes: list[str]) -> None:
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                self.add(
                    gettext_noop("%(path)s：コード %(code)s が2回以上あります。"),
                    f"$.{key}",
                    code=_got(code),
                )
            seen.add(code)


def catalog_parse(text: str, *, source: str) -> CatalogDef:
    """Parse and validate one catalog file; raise ``CatalogError`` listing every problem."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problem = Text.of(
            gettext_noop("%(line)d行%(column)d列目：JSONとして読めません（%(detail)s）。"),
            line=exc.lineno,
            column=exc.colno,
            detail=Plain(exc.msg),
        )
        raise CatalogError(source, [problem]) from None
    if not isinstance(data, dict):
        c = _Checker()
        c.add(gettext_noop("%(path)s：オブジェクトが必要です。"), "$")
        raise CatalogError(source, c.problems)
    c = _Checker()
    if data.get("schema") != SCHEMA:
        c.expected("$.schema", _got(SCHEMA), data.get("schema"))
    version = c.field(data, "$", "version", str)
    title = c.field(data, "$", "title", str)
    years = data.get("fiscal_years")
    first = last = None
    if isinstance(years, dict):
        first = c.field(years, "$.fiscal_years", "first", int)
        last = years.get("last")
        if last is not None and (not isinstance(last, int) or isinstance(last, bool)):
            c.expected("$.fiscal_years.last", Text.of(gettext_noop("年または null")), last)
            last = None
        if first is not None and last is not None and last < first:
            c.add(
                gettext_noop("%(path)s：last（%(last)d）が first（%(first)d）より前です。"),
                "$.fiscal_years",
                last=last,
                first=first,
            )
    else:
        c.add(
            gettext_noop("%(path)s：first と last を持つオブジェクトが必要です。"), "$.fiscal_years"
        )

    groups = []
    for path, r in c.records(data, "factor_groups"):
        values = [
            c.field(r, path, k, t)
            for k, t in (("code", str), ("name_ja", str), ("name_en", str), ("order", int))
        ]
        if None not in values:
            groups.append(FactorGroupDef(*values))
    c.unique("factor_groups", [g.code for g in groups])
    group_codes = {g.code for g in groups}

    categories = []
    for path, r in c.records(data, "categories"):
        values = [
            c.field(r, path, k, t)
            for k, t in (
                ("code", str),
                ("group", str),
                ("name_ja", str),
                ("name_en", str),
                ("order", int),
            )
        ]
        if None in values:
            continue
        category = CategoryDef(*values)
        if category.group not in group_codes:
            c.add(
                gettext_noop("%(path)s：因子群 %(code)s はありません。"),
                f"{path}.group",
                code=_got(category.group),
            )
        categories.append(category)
    c.unique("categories", [cat.code for cat in categories])
    if sorted(cat.code for cat in categories) != list(CATEGORY_CODES):
        c.add(
            gettext_noop("%(path)s：コードはちょうど c01 … c24 でなければなりません。"),
            "$.categories",
        )
    category_codes = {cat.code for cat in categories}

    questions = []
    for path, r in c.records(data, "overall_questions"):
        values = [
            c.field(r, path, k, t)
            for k, t in (
                ("code", str),
                ("label_ja", str),
                ("label_en", str),
                ("text_ja", str),
                ("text_en", str),
                ("scale_min", int),
                ("scale_max", int),
                ("optional", bool),
            )
        ]
        if None in values:
            continue
        question = OverallQuestionDef(*values)
        if question.code not in OVERALL_COLUMNS:
            c.add(
                gettext_noop("%(path)s：%(code)s は %(allowed)s のどれでもありません。"),
                f"{path}.code",
                code=_got(question.code),
                allowed=Listing(tuple(OVERALL_COLUMNS)),
            )
        if question.scale_max <= question.scale_min:
            c.add(gettext_noop("%(path)s：scale_max は scale_min より大きくしてください。"), path)
        questions.append(question)
    c.unique("overall_questions", [q.code for q in questions])

    items = []
    for path, r in c.records(data, "items"):
        values = [
            c.field(r, path, k, t)
            for k, t in (
                ("code", str),
                ("category", str),
                ("label_ja", str),
                ("text_ja", str),
                ("text_en", str),
                ("reverse", bool),
                ("provisional", bool),
                ("order", int),
            )
        ]
        if None in values:
            continue
        item = ItemDef(*values)
        if item.code not in CATEGORY_ITEM_COLUMNS:
            c.add(
                gettext_noop("%(path)s：%(code)s は標準の設問列ではありません。"),
                f"{path}.code",
                code=_got(item.code),
            )
        elif item.category != item.code[:3]:
            c.add(
                gettext_noop("%(path)s：設問 %(item)s は %(category)s に属します。"),
                f"{path}.category",
                item=item.code,
                category=item.code[:3],
            )
        if item.category not in category_codes:
            c.add(
                gettext_noop("%(path)s：分野 %(code)s はありません。"),
                f"{path}.category",
                code=_got(item.category),
            )
        items.append(item)
    c.unique("items", [i.code for i in items])
    missing = sorted(set(CATEGORY_ITEM_COLUMNS) - {i.code for i in items})
    if missing:
        c.add(
            gettext_noop("%(path)s：標準の設問 %(items)s がありません。"),
            "$.items",
            items=Listing(tuple(missing)),
        )

    kpis = []
    for path, r in c.records(data, "kpis"):
        kpi_values = _kpi_values(c, path, r, context=False)
        if kpi_values is None:
            continue
        kpi = KpiDef(**kpi_values)
        if kpi.category not in category_codes:
            c.add(
                gettext_noop("%(path)s：分野 %(code)s はありません。"),
                f"{path}.category",
                code=_got(kpi.category),
            )
        kpis.append(kpi)
    for path, r in c.records(data, "context_statistics"):
        context_values = _kpi_values(c, path, r, context=True)
        if context_values is not None:
            kpis.append(KpiDef(**context_values))
    c.unique("kpis", [k.code for k in kpis])

    if c.problems:
        raise CatalogError(source, c.problems)
    return CatalogDef(
        version=cast(str, version),
        title=cast(str, title),
        first_fiscal_year=cast(int, first),
        last_fiscal_year=last,
        note=str(data.get("note", "")),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        raw=data,
        factor_groups=tuple(sorted(groups, key=lambda g: g.order)),
        categories=tuple(sorted(categories, key=lambda x: x.order)),
        overall_questions=tuple(sorted(questions, key=lambda q: q.code)),
        items=tuple(sorted(items, key=lambda i: i.order)),
        kpis=tuple(kpis),
    )


def _kpi_values(
    c: _Checker, path: str, r: dict[str, Any], *, context: bool
) -> dict[str, Any] | None:
    values: dict[str, Any] = {
        "code": c.field(r, path, "code", str),
        "category": "" if context else c.field(r, path, "category", str),
        "name_ja": c.field(r, path, "name_ja", str),
        "name_en": c.field(r, path, "name_en", str),
        "unit": c.field(r, path, "unit", str),
        "unit_en": c.optional_text(r, path, "unit_en"),
        "direction": 0,
        "source": c.field(r, path, "source", str),
        "source_en": c.optional_text(r, path, "source_en"),
        "vintage": c.field(r, path, "vintage", str),
        "vintage_en": c.optional_text(r, path, "vintage_en"),
        "plausible_min": c.field(r, path, "plausible_min", (int, float)),
        "plausible_max": c.field(r, path, "plausible_max", (int, float)),
        "official": False if context else c.field(r, path, "official", bool),
    }
    if not context:
        raw = r.get("direction")
        if raw not in ("+", "-"):
            c.expected(f"{path}.direction", Text.of(gettext_noop("'+' または '-'")), raw)
            return None
        values["direction"] = 1 if raw == "+" else -1
    if None in values.values():
        return None
    low, high = float(values["plausible_min"]), float(values["plausible_max"])
    if high <= low:
        c.add(
            gettext_noop("%(path)s：plausible_max は plausible_min より大きくしてください。"), path
        )
        return None
    return {**values, "plausible_min": low, "plausible_max": high}


def catalog_read(path: Path) -> CatalogDef:
    """Read and validate a catalog file from disk."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = Text.of(
            gettext_noop("ファイルを読めません（%(detail)s）。"), detail=Plain(str(exc))
        )
        raise CatalogError(path.name, [problem]) from exc
    return catalog_parse(text, source=path.name)


def shipped_catalog_paths() -> list[Path]:
    """The catalog versions shipped in the project, oldest first."""
    return sorted(CATALOG_DIR.glob("fy*.json"))
