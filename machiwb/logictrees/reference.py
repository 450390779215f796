"""Reference trees shipped as data (参照ロジックツリー), validated when they are loaded.

One JSON file per field in ``reference/``: 医療・介護, モビリティ, 子育て, 防災, デジタル生活.
An operator can replace a file with an official tree in the same format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from machiwb.logictrees.document import DocumentError, TreeDocument, document_parse

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
#: File stems in the order the reference trees are offered.
REFERENCE_CODES: tuple[str, ...] = ("healthcare", "mobility", "childcare", "disaster", "digital")


@dataclass(frozen=True)
class ReferenceTree:
    code: str
    document: TreeDocument


def reference_read(path: Path) -> TreeDocument:
    """Parse and validate one reference file; errors name the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DocumentError([f"{path.name}: {exc}"]) from exc
    try:
        return document_parse(data)
    except DocumentError as exc:
        raise DocumentError([f"{path.name}: {p}" for p in exc.problems]) from exc


@cache
def reference_trees() -> tuple[ReferenceTree, ...]:
    """All shipped reference trees, validated (a broken file stops with its problems)."""
    return tuple(
        ReferenceTree(code, reference_read(REFERENCE_DIR / f"{code}.json"))
        for code in REFERENCE_CODES
    )


def reference_tree(code: str) -> ReferenceTree | None:
    return next((t for t in reference_trees() if t.code == code), None)
