"""Reading and checking a resident's answers against a survey definition (回答の検証).

Pure functions on plain data: form values in, answer values and plain-Japanese errors out.
An answer sheet is a dict ``{question id: value}``; a question left blank is absent and
わからない・回答しない is kept as :data:`~machiwb.surveys.questionnaire.NO_ANSWER` until the
response is stored, where it becomes NULL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from machiwb.jobs.messages import Text
from machiwb.surveys.questionnaire import NO_ANSWER, TEXT_LIMITS, questions_by_id
from machiwb.surveys.standard_columns import STANDARD_COLUMNS

FIELD_PREFIX = "q-"
#: Full-width digits and minus, as Japanese input methods type them, read as ASCII.
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９－", "0123456789-")


class AnswerError(ValueError):
    """An answer that does not fit its question; the message is shown to the resident.

    ``text`` keeps it untranslated, for a background import that shows it later to staff.
    """

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


def field_name(question_id: str) -> str:
    return f"{FIELD_PREFIX}{question_id}"


def _option_codes(question: dict[str, Any]) -> list[str]:
    return [option["code"] for option in question.get("options", [])]


def _integer(raw: str, question: dict[str, Any], low: int, high: int) -> int:
    text = raw.strip().translate(_FULL_WIDTH_DIGITS)
    try:
        value = int(text)
    except ValueError:
        raise AnswerError(Text.of(gettext_noop("数字で入力してください。"))) from None
    if not low <= value <= high:
        raise AnswerError(
            Text.of(
                gettext_noop("%(low)sから%(high)sまでの数で答えてください。"), low=low, high=high
            )
        )
    return value


def answer_parse(question: dict[str, Any], raw: Sequence[str]) -> Any:
    """The stored value for ``raw`` form values, None for blank; AnswerError when invalid."""
    values = [value for value in raw if value.strip() != ""]
    kind = question["kind"]
    if not values:
        if question.get("required"):
            raise AnswerError(Text.of(gettext_noop("この質問は回答が必要です。")))
        return None
    if kind == "multiple":
        codes = _option_codes(question)
        if any(value not in codes for value in values):
            raise AnswerError(Text.of(gettext_noop("選択肢から選んでください。")))
        return [code for code in codes if code in values]
    if len(values) > 1:
        raise AnswerError(Text.of(gettext_noop("選択肢を1つだけ選んでください。")))
    value = values[0]
    if value == NO_ANSWER and question.get("no_answer_label"):
        return NO_ANSWER
    if kind == "agreement5":
        return _integer(value, question, 1, 5)
    if kind == "scale11":
        return _integer(value, question, 0, 10)
    if kind == "single":
        if value not in _option_codes(question):
            raise AnswerError(Text.of(gettext_noop("選択肢から選んでください。")))
        return value
    if kind == "number":
        return _integer(value, question, int(question["min"]), int(question["max"]))
    if kind in TEXT_LIMITS:
        limit = int(question.get("max_length", TEXT_LIMITS[kind]))
        text = value.strip()
        if len(text) > limit:
            raise AnswerError(
                Text.of(
                    gettext_noop("%(limit)s文字以内で入力してください（現在%(length)s文字）。"),
                    limit=limit,
                    length=len(text),
                )
            )
        return text
    raise AnswerError(Text.of(gettext_noop("この質問には回答できません。")))


@dataclass
class PageResult:
    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def page_parse(
    questions: Sequence[dict[str, Any]], data: Mapping[str, Sequence[str]]
) -> PageResult:
    """Parse one page of form data; blank answers are returned as None (to clear them)."""
    result = PageResult()
    for question in questions:
        try:
            result.answers[question["id"]] = answer_parse(
                question, data.get(field_name(question["id"]), [])
            )
        except AnswerError as error:
            result.errors[question["id"]] = str(error)
    return result


def sheet_merge(answers: dict[str, Any], page: dict[str, Any]) -> dict[str, Any]:
    """The answer sheet with one page's answers applied (None removes an answer)."""
    merged = dict(answers)
    for question_id, value in page.items():
        if value is None:
            merged.pop(question_id, None)
        else:
            merged[question_id] = value
    return merged


def sheet_errors(definition: dict[str, Any], answers: Mapping[str, Any]) -> dict[str, str]:
    """Every problem of a complete answer sheet, re-checked from scratch before storing."""
    errors: dict[str, str] = {}
    by_id = questions_by_id(definition)
    unknown = set(answers) - set(by_id)
    if unknown:
        errors["_sheet"] = _("調査票にない質問への回答が含まれています。")
    for question_id, question in by_id.items():
        value = answers.get(question_id)
        if value is None:
            raw: list[str] = []
        elif isinstance(value, list):
            raw = [str(v) for v in value]
        else:
            raw = [str(value)]
        try:
            answer_parse(question, raw)
        except AnswerError as error:
            errors[question_id] = str(error)
    return errors


def response_fields(definition: dict[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Model field values for a Response row from a checked answer sheet."""
    fields: dict[str, Any] = {"area": "", "age_band": None, "gender": None, "custom_answers": {}}
    for question in definition["questions"]:
        question_id = question["id"]
        value = answers.get(question_id)
        if value == NO_ANSWER:
            value = None
        if question_id in STANDARD_COLUMNS:
            fields[question_id] = value
        elif question_id in ("age_band", "gender"):
            fields[question_id] = int(value) if value is not None else None
        elif question_id == "area":
            fields["area"] = value or ""
        elif value is not None:
            fields["custom_answers"][question_id] = value
    return fields
