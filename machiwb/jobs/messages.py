"""Job messages kept as message ids and values, translated when shown (処理のメッセージ).

A job runs on a worker in whatever language is active there, and is watched later by people
who read Japanese or English. So a handler does not store finished sentences: it builds
``Text`` values (the Japanese source text, marked with ``gettext_noop`` so ``makemessages``
finds it, and the values to put into it), the job keeps them as JSON, and ``str()`` on the
loaded value translates in the language of the page that shows it::

    Text(gettext_noop("%(n)d件の回答を取り込みました。"), n=120)

A value may itself be a ``Text`` (a row/column prefix around a reason), a ``Listing`` (codes
joined with the viewer's list separator) or a ``Plain`` piece shown as it is (a file name, a
text that has no translation). Old jobs stored their message as finished text; it loads as
``Plain`` and shows unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from django.utils.translation import gettext, pgettext

#: A value put into a message: a JSON scalar, or a piece translated in its turn.
Param = Union[str, int, float, None, "Text", "Plain", "Listing"]


@dataclass(frozen=True)
class Text:
    """A translatable message: its Japanese source text (the msgid) and named values."""

    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)

    @classmethod
    def of(cls, msgid: str, /, **params: Param) -> Text:
        return cls(msgid, params)

    def __str__(self) -> str:
        translated = gettext(self.msgid)
        if not self.params:
            return translated
        return translated % {name: _shown(value) for name, value in self.params.items()}


@dataclass(frozen=True)
class Plain:
    """Text shown as it is, in every language (a file name, an untranslated detail)."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Listing:
    """Items joined with the viewer's list separator (「、」 in Japanese, ", " in English)."""

    items: tuple[Param, ...]

    def __str__(self) -> str:
        return pgettext("list separator", "、").join(str(_shown(item)) for item in self.items)


Piece = Text | Plain | Listing


def _shown(value: Param) -> str | int | float | None:
    if isinstance(value, Text | Plain | Listing):
        return str(value)
    return value


def piece_of(value: Piece | str) -> Piece:
    """``value`` as a piece: a bare ``str`` is already finished text, kept as ``Plain``."""
    return Plain(value) if isinstance(value, str) else value


def lines_of(message: Piece | str | Sequence[Piece | str]) -> list[Piece]:
    """A message as a list of lines (a sequence of pieces is one piece a line)."""
    if isinstance(message, str | Text | Plain | Listing):
        return [piece_of(message)]
    return [piece_of(line) for line in message]


# Storage ---------------------------------------------------------------------------------


def _dump(value: Param) -> Any:
    if isinstance(value, Text):
        return {"id": value.msgid, "params": {k: _dump(v) for k, v in value.params.items()}}
    if isinstance(value, Plain):
        return {"text": value.text}
    if isinstance(value, Listing):
        return {"list": [_dump(item) for item in value.items]}
    return value


def _load(value: Any) -> Param:
    if isinstance(value, dict):
        if "id" in value:
            params = value.get("params") or {}
            return Text(str(value["id"]), {str(k): _load(v) for k, v in params.items()})
        if "list" in value:
            return Listing(tuple(_load(item) for item in value["list"]))
        return Plain(str(value.get("text", "")))
    if isinstance(value, str | int | float) or value is None:
        return value
    return Plain(str(value))


def lines_dump(lines: Iterable[Piece]) -> list[Any]:
    """The JSON kept in ``Job.message_lines``."""
    return [_dump(line) for line in lines]


def lines_load(data: Any) -> list[Piece]:
    """The lines stored by ``lines_dump`` (anything else becomes plain text, never an error)."""
    if not isinstance(data, list):
        return []
    return [piece_of(line) if isinstance(line, str) else _as_piece(_load(line)) for line in data]


def _as_piece(value: Param) -> Piece:
    if isinstance(value, Text | Plain | Listing):
        return value
    return Plain("" if value is None else str(value))
