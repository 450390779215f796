"""The answer aggregation on PostgreSQL: one parallel hash aggregation, read as binary.

Same result as the ORM query in services (integer sums and counts per 市区町村 × 年代 × 性別
cell), written by hand so a national recompute costs about one pass over the responses:

* each item is one ``sum(item::int4 + 2^20)`` over the rows that answered it: int4 inputs
  keep PostgreSQL's fast bigint accumulator, and the total is ``count × 2^20 + sum``, exact
  while a cell has fewer than 209,715 respondents (5 × n < 2^20; larger cells are read with
  separate ``sum`` and ``count`` columns instead);
* the answer counts of Q1–Q5 are packed three per column: ``sum(CASE q1 WHEN 0 THEN 1 WHEN 1
  THEN 2^15 WHEN 2 THEN 2^30 END)`` — int4 inputs keep the fast bigint accumulator, exact
  while a cell has fewer than 2^15 respondents (larger cells are read with two answers per
  column, 1 and 2^30, which no cell can overflow);
* the result comes back with ``COPY … TO STDOUT (FORMAT binary)`` and is read by numpy
  without one Python object per number.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.db import connection, transaction

from machiwb.indicators.compute import AnswerCells, ItemSpec, QuestionSpec
from machiwb.surveys.models import Response
from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS, OVERALL_COLUMNS

_ITEM_SHIFT = 1 << 20
#: Bits per answer count when three (packed) or two (plain) share a column.
_TRIPLE_BITS, _PAIR_BITS = 15, 30
#: Largest cell for which the packed columns cannot overflow: item sums (answers are at
#: most 5) and the answer counts packed three to a column.
PACKED_MAX_CELL = min((_ITEM_SHIFT - 1) // 5, (1 << _TRIPLE_BITS) - 1)
#: Planner cost above which the aggregation is JIT-compiled (about 4 million responses:
#: the plan costs about 0.25 per response).
JIT_ABOVE_COST = 1_000_000
_HEADER = 19  # PGCOPY signature (11) + flags (4) + header extension length (4)


def _packs(low: int, high: int, per_column: int) -> list[tuple[int, ...]]:
    """The answers of a scale, ``per_column`` at a time (the last group may be shorter)."""
    answers = list(range(low, high + 1))
    return [tuple(answers[k : k + per_column]) for k in range(0, len(answers), per_column)]


def answer_cells_postgresql(
    *,
    version_ids: Sequence[int],
    items: Sequence[ItemSpec],
    questions: Sequence[QuestionSpec],
    packed: bool = True,
) -> tuple[AnswerCells, dict[int, int]]:
    """Cells of the responses of these survey versions, and the response count per version."""
    for item in items:
        if item.code not in CATEGORY_ITEM_COLUMNS:
            raise ValueError(f"{item.code!r} is not a response column")
    for q in questions:
        if q.code not in OVERALL_COLUMNS:
            raise ValueError(f"{q.code!r} is not a response column")
    columns = [
        "survey_version_id::int8",
        "municipality_id::int8",
        "coalesce(age_band, 0)::int8",
        "coalesce(gender, 0)::int8",
        "count(*)",
    ]
    for item in items:
        if packed:
            columns.append(f"coalesce(sum({item.code}::int4 + {_ITEM_SHIFT}), 0)::int8")
        else:
            columns += [f"coalesce(sum({item.code}), 0)::int8", f"count({item.code})"]
    per_column, bits = (3, _TRIPLE_BITS) if packed else (2, _PAIR_BITS)
    for q in questions:
        for pack in _packs(q.scale_min, q.scale_max, per_column):
            whens = " ".join(f"WHEN {a} THEN {1 << (bits * k)}" for k, a in enumerate(pack))
            columns.append(f"coalesce(sum(CASE {q.code} {whens} END), 0)::int8")
    table = Response._meta.db_table
    sql = (
        f"COPY (SELECT {', '.join(columns)} FROM {table} "  # noqa: S608 - identifiers checked above
        "WHERE survey_version_id = ANY(%s) "
        # Grouped by the stored columns: the casts above then run once per cell, not per row.
        "GROUP BY survey_version_id, municipality_id, age_band, gender) TO STDOUT (FORMAT binary)"
    )
    buffer = bytearray()
    with transaction.atomic(), connection.cursor() as cursor:
        # Enough memory for an in-memory parallel hash aggregation.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # JIT-compiling (optimised, inlined) the 60-odd aggregates halves the aggregation
        # of a 全国調査 of millions of responses; below a few million (planner cost about
        # 10^6) its compile time, about a second per process, does not pay off.
        cursor.execute("SET LOCAL jit = on")
        for setting in ("jit_above_cost", "jit_optimize_above_cost", "jit_inline_above_cost"):
            cursor.execute(f"SET LOCAL {setting} = {JIT_ABOVE_COST}")
        with cursor.cursor.copy(sql, [list(version_ids)]) as copy:
            for chunk in copy:
                buffer += chunk
    width = len(columns)
    row = np.dtype([("fields", ">i2"), ("values", [("size", ">i4"), ("value", ">i8")], (width,))])
    body = len(buffer) - _HEADER - 2
    count = body // row.itemsize if body > 0 else 0
    data = np.frombuffer(bytes(buffer), dtype=row, count=count, offset=_HEADER)
    matrix = data["values"]["value"].astype(np.int64).reshape(count, width)
    n_items = len(items)
    if packed:
        packed_items = matrix[:, 5 : 5 + n_items]
        unpacked = np.empty((count, 2 * n_items), dtype=np.int64)
        unpacked[:, 0::2] = packed_items % _ITEM_SHIFT
        unpacked[:, 1::2] = packed_items // _ITEM_SHIFT
        matrix = np.hstack([matrix[:, :5], unpacked, matrix[:, 5 + n_items :]])
        width = matrix.shape[1]

    # Fold survey versions together: one cell per municipality, age band and gender, in
    # that order (sort the keys, then add up each run of equal keys).
    order = np.lexsort((matrix[:, 3], matrix[:, 2], matrix[:, 1]))
    keys = matrix[order, 1:4]
    starts = np.flatnonzero(np.r_[True, np.any(keys[1:] != keys[:-1], axis=1)]) if count else order
    unique = keys[starts]
    if len(starts) == count:
        totals = matrix[order, 4:]
    else:
        totals = np.add.reduceat(matrix[order, 4:], starts, axis=0)
    # A cell (all survey versions together) too large for the packed columns: read again.
    if packed and count and int(totals[:, 0].max()) > PACKED_MAX_CELL:
        return answer_cells_postgresql(
            version_ids=version_ids, items=items, questions=questions, packed=False
        )
    per_version: dict[int, int] = {}
    for version, n in zip(matrix[:, 0].tolist(), matrix[:, 4].tolist(), strict=True):
        per_version[version] = per_version.get(version, 0) + n

    answer_counts = {}
    offset = 1 + 2 * n_items
    mask = (1 << bits) - 1
    for q in questions:
        packs = _packs(q.scale_min, q.scale_max, per_column)
        shared = totals[:, offset : offset + len(packs)]
        counts = np.zeros((len(unique), q.scale_max - q.scale_min + 1), dtype=np.int64)
        for j, pack in enumerate(packs):
            for k, answer in enumerate(pack):
                part = shared[:, j] >> (bits * k)
                # The last answer of a column has the bits above it to itself.
                counts[:, answer - q.scale_min] = part & mask if k < per_column - 1 else part
        answer_counts[q.code] = counts
        offset += len(packs)
    cells = AnswerCells(
        municipality=tuple(f"{code:06d}" for code in unique[:, 0].tolist()),
        age_band=np.ascontiguousarray(unique[:, 1]),
        gender=np.ascontiguousarray(unique[:, 2]),
        n=np.ascontiguousarray(totals[:, 0]),
        item_sums=np.ascontiguousarray(totals[:, 1 : 1 + 2 * n_items : 2]),
        item_counts=np.ascontiguousarray(totals[:, 2 : 2 + 2 * n_items : 2]),
        answer_counts=answer_counts,
    )
    return cells, per_version
