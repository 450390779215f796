"""The survey definition document (調査票の定義): standard questionnaire plus custom questions.

A definition is plain JSON, frozen into a :class:`~machiwb.surveys.models.SurveyVersion` when a
survey is published. Shape::

    {"schema": 1, "catalog_version": "fy2023", "catalog_sha256": "...", "title": "...",
     "agreement_labels": [[5, "とてもそう思う"], ..., [1, "まったくそう思わない"]],
     "questions": [{"id": "c01_1", "kind": "agreement5", "text": "...", ...}, ...],
     "pages": [{"title": "...", "questions": ["age_band", "gender"]}, ...]}

Question kinds and the answer value each one stores:

* ``agreement5`` — 5段階の同意（1 まったくそう思わない … 5 とてもそう思う）: int 1–5
* ``scale11`` — 0〜10 の11段階: int 0–10
* ``single`` / ``multiple`` — 選択肢（単一・複数）: option code / list of option codes
* ``number`` — 数値（範囲つき）: int within ``min``–``max``
* ``short_text`` / ``long_text`` — 自由記述（文字数上限つき）: str

The standard questionnaire (the 5 overall questions and the 46 category items, wording and
reverse/provisional flags) comes from the indicator catalog version in force for the survey's
fiscal year. A question with ``no_answer_label`` offers わからない・回答しない as an explicit choice, kept
while answering and stored as "no answer" (NULL).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from machiwb.indicators.catalog import CatalogDef
from machiwb.surveys.models import AgeBand, Gender
from machiwb.surveys.standard_columns import OVERALL_COLUMNS

SCHEMA_VERSION = 1

#: The answer recorded when a resident picks わからない／回答しない.
NO_ANSWER = "na"
NO_ANSWER_LABEL = "わからない・回答しない"
NO_ANSWER_LABEL_EN = "Don't know / prefer not to say"
GROUP_EN = {
    "生活環境": "Life environment",
    "地域の人間関係": "Community relationships",
    "自分らしい生き方": "Living authentically",
}

CLOSED_KINDS = frozenset({"agreement5", "scale11", "single", "multiple"})
CUSTOM_KINDS = (
    "single",
    "multiple",
    "agreement5",
    "scale11",
    "number",
    "short_text",
    "long_text",
)
TEXT_LIMITS = {"short_text": 200, "long_text": 2000}

#: End labels of the 0–10 overall questions (the catalog gives the wording, not the ends).
SCALE_ENDS: dict[str, tuple[str, str]] = {
    "q1": ("とても不幸", "とても幸せ"),
    "q2": ("とても不幸", "とても幸せ"),
    "q4": ("まったく満足していない", "とても満足している"),
    "q5": ("とても不幸", "とても幸せ"),
}

#: Items shown together on one answering page (a few questions per page).
ITEMS_PER_PAGE = 6
CUSTOM_PER_PAGE = 5


def agreement_labels(catalog: CatalogDef, language: str = "ja") -> list[list[Any]]:
    """The 5-point labels from the catalog, most agreeing first (as shown to residents)."""
    scale = catalog.raw["answer_scale"]
    values = range(int(scale["min"]), int(scale["max"]) + 1)
    labels = scale[f"labels_{language}"]
    return [[value, label] for value, label in reversed(list(zip(values, labels, strict=True)))]


def _options(choices: list[tuple[Any, Any]]) -> list[dict[str, str]]:
    """Options of an attribute question, labelled in Japanese and English whatever is active."""
    options = []
    for value, label in choices:
        with translation.override("ja"):
            ja = str(label)
        with translation.override("en"):
            en = str(label)
        options.append({"code": str(value), "label": ja, "label_en": en})
    return options


def definition_localized(definition: dict[str, Any], language: str) -> dict[str, Any]:
    """The definition with English wording where it has one (custom questions stay as written)."""
    if not language.startswith("en"):
        return definition

    def english(item: dict[str, Any], *keys: str) -> dict[str, Any]:
        item = dict(item)
        for key in keys:
            if item.get(f"{key}_en"):
                item[key] = item[f"{key}_en"]
        if "options" in item:
            item["options"] = [english(o, "label") for o in item["options"]]
        return item

    return {
        **definition,
        "agreement_labels": definition.get("agreement_labels_en", definition["agreement_labels"]),
        "questions": [english(q, "text", "no_answer_label") for q in definition["questions"]],
        "pages": [english(p, "title") for p in definition["pages"]],
    }


def _category_questions(catalog: CatalogDef) -> list[dict[str, Any]]:
    categories = {category.code: category for category in catalog.categories}
    groups = {group.code: group.name_ja for group in catalog.factor_groups}
    return [
        {
            "id": item.code,
            "kind": "agreement5",
            "text": item.text_ja,
            "text_en": item.text_en,
            "help": "",
            "required": False,
            "standard": True,
            "no_answer_label": NO_ANSWER_LABEL,
            "no_answer_label_en": NO_ANSWER_LABEL_EN,
            "group": groups[categories[item.category].group],
            "category": categories[item.category].name_ja,
            "reverse": item.reverse,
            "provisional": item.provisional,
        }
        for item in sorted(catalog.items, key=lambda item: item.order)
    ]


def _overall_questions(catalog: CatalogDef) -> list[dict[str, Any]]:
    questions = []
    for overall in catalog.overall_questions:
        kind = "scale11" if (overall.scale_min, overall.scale_max) == (0, 10) else "agreement5"
        low, high = SCALE_ENDS.get(overall.code, ("", ""))
        questions.append(
            {
                "id": overall.code,
                "kind": kind,
                "text": overall.text_ja,
                "text_en": overall.text_en,
                "help": f"0 = {low}、10 = {high}" if kind == "scale11" and low else "",
                "low_label": low,
                "high_label": high,
                "required": False,
                "standard": True,
                "no_answer_label": NO_ANSWER_LABEL,
                "no_answer_label_en": NO_ANSWER_LABEL_EN,
                "provisional": False,
            }
        )
    return questions


def _attribute_questions(areas: list[str]) -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = [
        {
            "id": "age_band",
            "kind": "single",
            "text": "あなたの年代を教えてください。",
            "text_en": "What is your age group?",
            "help": "",
            "required": False,
            "standard": True,
            "no_answer_label": "回答しない",
            "no_answer_label_en": "Prefer not to say",
            "options": _options(AgeBand.choices),
        },
        {
            "id": "gender",
            "kind": "single",
            "text": "あなたの性別を教えてください。",
            "text_en": "What is your gender?",
            "help": "",
            "required": False,
            "standard": True,
            "options": _options(Gender.choices),
        },
    ]
    if areas:
        questions.append(
            {
                "id": "area",
                "kind": "single",
                "text": "お住まいの地区を教えてください。",
                "text_en": "Which area do you live in?",
                "help": "",
                "required": False,
                "standard": True,
                "no_answer_label": "回答しない",
                "no_answer_label_en": "Prefer not to say",
                "options": [{"code": area, "label": area} for area in areas],
            }
        )
    return questions


def _chunks(ids: list[str], size: int) -> list[list[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def standard_pages(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Page the standard questions: attributes, overall, then category items by group."""
    by_id = {q["id"]: q for q in questions}
    pages: list[dict[str, Any]] = [
        {
            "title": "あなたについて",
            "title_en": "About you",
            "questions": [q for q in ("age_band", "gender", "area") if q in by_id],
        },
        {
            "title": "幸せについて",
            "title_en": "Happiness",
            "questions": [q for q in OVERALL_COLUMNS if q in by_id],
        },
    ]
    for group in dict.fromkeys(q["group"] for q in questions if "group" in q):
        ids = [q["id"] for q in questions if q.get("group") == group]
        chunks = _chunks(ids, ITEMS_PER_PAGE)
        for number, chunk in enumerate(chunks, start=1):
            title = group if len(chunks) == 1 else f"{group}（{number}/{len(chunks)}）"
            title_en = GROUP_EN.get(group, group)
            if len(chunks) > 1:
                title_en += f" ({number}/{len(chunks)})"
            pages.append({"title": title, "title_en": title_en, "questions": chunk})
    return pages


def definition_build(
    *,
    title: str,
    catalog: CatalogDef,
    custom_questions: list[dict[str, Any]] | None = None,
    areas: list[str] | None = None,
) -> dict[str, Any]:
    """Build the full definition: the locked standard questionnaire, then custom questions."""
    standard = (
        _attribute_questions(areas or [])
        + _overall_questions(catalog)
        + _category_questions(catalog)
    )
    custom = [dict(q, standard=False) for q in (custom_questions or [])]
    pages = standard_pages(standard)
    for number, chunk in enumerate(_chunks([q["id"] for q in custom], CUSTOM_PER_PAGE), start=1):
        pages.append(
            {
                "title": f"その他の質問（{number}）",
                "title_en": f"Other questions ({number})",
                "questions": chunk,
            }
        )
    return {
        "schema": SCHEMA_VERSION,
        "catalog_version": catalog.version,
        "catalog_sha256": catalog.sha256,
        "title": title,
        "agreement_labels": agreement_labels(catalog),
        "agreement_labels_en": agreement_labels(catalog, language="en"),
        "questions": standard + custom,
        "pages": pages,
    }


def questions_by_id(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["id"]: q for q in definition["questions"]}


def page_questions(definition: dict[str, Any], page_index: int) -> list[dict[str, Any]]:
    by_id = questions_by_id(definition)
    return [by_id[qid] for qid in definition["pages"][page_index]["questions"]]


#: Limits on what staff may define for a custom question (独自設問).
MAX_CUSTOM_QUESTIONS = 30
MAX_OPTIONS = 20
NUMBER_LIMIT = 1_000_000


def custom_question_errors(question: dict[str, Any]) -> dict[str, str]:
    """Problems of one custom question definition, by field, in the active language."""
    errors: dict[str, str] = {}
    kind = question.get("kind")
    if kind not in CUSTOM_KINDS:
        errors["kind"] = _("質問の種類を選んでください。")
    text = str(question.get("text", "")).strip()
    if not text:
        errors["text"] = _("質問文を入力してください。")
    elif len(text) > 300:
        errors["text"] = _("質問文は300文字以内にしてください。")
    if len(str(question.get("help", ""))) > 300:
        errors["help"] = _("説明は300文字以内にしてください。")
    if kind in ("single", "multiple"):
        options = question.get("options", [])
        labels = [o["label"] for o in options]
        if len(options) < 2:
            errors["options"] = _("選択肢を2つ以上入力してください。")
        elif len(options) > MAX_OPTIONS:
            errors["options"] = _("選択肢は%(n)d個までです。") % {"n": MAX_OPTIONS}
        elif len(set(labels)) != len(labels):
            errors["options"] = _("同じ選択肢が重複しています。")
        elif any(len(label) > 100 for label in labels):
            errors["options"] = _("選択肢は1つ100文字以内にしてください。")
    if kind == "number":
        low, high = question.get("min"), question.get("max")
        if not isinstance(low, int) or not isinstance(high, int):
            errors["min"] = _("最小値と最大値を整数で入力してください。")
        elif not -NUMBER_LIMIT <= low < high <= NUMBER_LIMIT:
            errors["min"] = _("最小値は最大値より小さく、±%(limit)sの範囲にしてください。") % {
                "limit": f"{NUMBER_LIMIT:,}"
            }
    if kind in TEXT_LIMITS:
        limit = question.get("max_length")
        if not isinstance(limit, int) or not 1 <= limit <= TEXT_LIMITS[kind]:
            errors["max_length"] = _("文字数の上限は1〜%(n)d文字で指定してください。") % {
                "n": TEXT_LIMITS[kind]
            }
    return errors
