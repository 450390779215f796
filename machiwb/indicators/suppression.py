"""Small-cell suppression of a two-way table of counts with its margins (秘匿処理): pure, no ORM.

The table is ``cells[i][j]`` (e.g. respondents by 年代 × 性別) with its published row totals,
column totals and grand total. Totals may exceed the sum of their cells (respondents who gave
no 年代 or 性別); those counts are not published.

* Primary suppression: every cell and margin with fewer than ``minimum`` respondents.
* Secondary (complementary) suppression: further entries are hidden until no hidden non-zero
  entry can be worked out from what is shown — neither by one subtraction within a row or
  column (total − the visible entries) nor by combining several rows and columns.

Every row and column with its total is one linear equation. Its unknowns are its hidden
entries and its respondents without 年代 or 性別; zeros count as known (a reader can often tell
them — hidden entries of a line that add up to 0 — and working one out tells nothing about
anyone). A hidden entry can be worked out exactly when it is determined by these equations
(every solution gives it the same value). The rule hides, cells before margins and smallest
first, until no hidden entry is determined. The grand total is never hidden unless it is
itself below the minimum (then everything is).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: An entry of the table with its margins: (row, column); row ``len(rows)`` is the column
#: totals, column ``len(columns)`` the row totals, both together the grand total.
Position = tuple[int, int]


@dataclass(frozen=True)
class SuppressedTable:
    """The published table: None where an entry is hidden."""

    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    total: int | None
    primary: frozenset[Position]
    secondary: frozenset[Position]


def suppress_table(
    cells: Sequence[Sequence[int]],
    *,
    row_totals: Sequence[int],
    column_totals: Sequence[int],
    total: int,
    minimum: int,
) -> SuppressedTable:
    """Hide the cells and margins below ``minimum`` and enough others to protect them."""
    rows, columns = len(cells), len(column_totals)
    if len(row_totals) != rows or any(len(row) != columns for row in cells):
        raise ValueError("cells, row totals and column totals do not have matching shapes")
    full = [[*row, row_total] for row, row_total in zip(cells, row_totals, strict=True)]
    full.append([*column_totals, total])
    grand = (rows, columns)
    entries = [(i, j) for i in range(rows + 1) for j in range(columns + 1)]
    if total < minimum:
        return _table(full, frozenset(entries), frozenset())
    primary = frozenset(p for p in entries if p != grand and full[p[0]][p[1]] < minimum)
    hidden = set(primary)
    while (exposed := _first_exposed(hidden, full)) is not None:
        choice = _complement(exposed, hidden, full, grand)
        if choice is None:  # nothing left to hide but the grand total
            hidden = set(entries)
            break
        hidden.add(choice)
    return _table(full, frozenset(hidden), frozenset(hidden - primary))


def _table(
    full: list[list[int]], hidden: frozenset[Position], secondary: frozenset[Position]
) -> SuppressedTable:
    shown = [
        [None if (i, j) in hidden else n for j, n in enumerate(row)] for i, row in enumerate(full)
    ]
    return SuppressedTable(
        cells=tuple(tuple(row[:-1]) for row in shown[:-1]),
        row_totals=tuple(row[-1] for row in shown[:-1]),
        column_totals=tuple(shown[-1][:-1]),
        total=shown[-1][-1],
        primary=frozenset(hidden - secondary),
        secondary=secondary,
    )


def _equations(full: list[list[int]], unknowns: Sequence[Position]) -> npt.NDArray[np.float64]:
    """Coefficients of the unknowns in the equations of the rows and columns with their totals.

    Besides the hidden non-zero entries, the respondents without 年代 or 性別 are unknowns
    (where there are any): per row, per column and with neither.
    """
    rows, columns = len(full) - 1, len(full[0]) - 1
    no_gender = [full[i][columns] - sum(full[i][:columns]) for i in range(rows)]
    no_age = [full[rows][j] - sum(full[i][j] for i in range(rows)) for j in range(columns)]
    neither = full[rows][columns] - sum(full[i][columns] for i in range(rows)) - sum(no_age)
    latent = [("u", i) for i, n in enumerate(no_gender) if n] + [
        ("v", j) for j, n in enumerate(no_age) if n
    ]
    if neither:
        latent.append(("w", 0))
    index = {p: k for k, p in enumerate([*unknowns, *latent])}
    # Equations: rows 0..rows-1, the column totals' row (``rows``), then columns likewise.
    matrix = np.zeros((rows + columns + 2, len(index)))
    margin_row, margin_column = rows, rows + 1 + columns
    for (i, j), k in ((p, index[p]) for p in unknowns):
        if i < rows and j < columns:
            matrix[i, k] = matrix[rows + 1 + j, k] = 1.0
        elif (i, j) == (rows, columns):  # the grand total, once nothing else is left
            matrix[margin_row, k] = matrix[margin_column, k] = -1.0
        elif j == columns:  # a row total: its row, and the row totals' column
            matrix[i, k], matrix[margin_column, k] = -1.0, 1.0
        else:  # a column total: its column, and the column totals' row
            matrix[rows + 1 + j, k], matrix[margin_row, k] = -1.0, 1.0
    for kind, i in latent:
        k = index[(kind, i)]
        if kind == "u":
            matrix[i, k] = matrix[margin_row, k] = 1.0
        elif kind == "v":
            matrix[rows + 1 + i, k] = matrix[margin_column, k] = 1.0
        else:
            matrix[margin_row, k] = matrix[margin_column, k] = 1.0
    return matrix


def _determined(full: list[list[int]], unknowns: Sequence[Position]) -> list[bool]:
    """For each unknown, whether the equations fix its value (its null-space row is zero)."""
    matrix = _equations(full, unknowns)
    _, singular, vh = np.linalg.svd(matrix)
    rank = int((singular > 1e-9).sum())
    null = vh[rank:]
    return [bool(np.all(np.abs(null[:, k]) < 1e-9)) for k in range(len(unknowns))]


def _unknowns(hidden: set[Position], full: list[list[int]]) -> list[Position]:
    return sorted((i, j) for i, j in hidden if full[i][j])


def _first_exposed(hidden: set[Position], full: list[list[int]]) -> Position | None:
    """The first hidden non-zero entry that the shown entries determine, if any."""
    unknowns = _unknowns(hidden, full)
    for p, fixed in zip(unknowns, _determined(full, unknowns), strict=True):
        if fixed:
            return p
    return None


def _complement(
    exposed: Position, hidden: set[Position], full: list[list[int]], grand: Position
) -> Position | None:
    """The entry to hide next so that ``exposed`` can no longer be worked out.

    Preferably one that protects it at once; else one in its row or column, so its
    equations gain an unknown. Cells before margins, smallest count first, then position.
    """

    def rank(p: Position) -> tuple[int, int, Position]:
        margin = p[0] == grand[0] or p[1] == grand[1]
        return (int(margin), full[p[0]][p[1]], p)

    visible = sorted(
        (
            (a, b)
            for a in range(grand[0] + 1)
            for b in range(grand[1] + 1)
            if (a, b) not in hidden and (a, b) != grand
        ),
        key=rank,
    )
    for p in visible:
        unknowns = _unknowns(hidden | {p}, full)
        if not _determined(full, unknowns)[unknowns.index(exposed)]:
            return p
    nearby = [p for p in visible if p[0] == exposed[0] or p[1] == exposed[1]]
    return nearby[0] if nearby else None
