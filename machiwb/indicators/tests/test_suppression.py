"""Small-cell suppression of the respondent profile, on hand-worked tables and at random."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from machiwb.indicators.suppression import SuppressedTable, suppress_table

X = None  # a hidden entry, for readable expectations


def _suppress(cells: list[list[int]]) -> SuppressedTable:
    """Suppress a table whose totals are the sums of its cells, at the default minimum 10."""
    return suppress_table(
        cells,
        row_totals=[sum(row) for row in cells],
        column_totals=[sum(column) for column in zip(*cells, strict=True)],
        total=sum(map(sum, cells)),
        minimum=10,
    )


CASES = [
    pytest.param(
        # Nothing below 10: everything shown.
        [[20, 30], [25, 35]],
        [[20, 30], [25, 35]],
        [50, 60],
        [45, 65],
        110,
        id="nothing-small",
    ),
    pytest.param(
        # One small cell (5) in row 0: 55 − 20 − 30 would give it away, so the smallest cell
        # of its row (20) goes too; then column 0 shows 25 beside one hidden cell, so 25 goes;
        # the cycle closes on 40, the cell that joins row 1 to the small cell's column.
        [[20, 30, 5], [25, 35, 40]],
        [[X, 30, X], [X, 35, X]],
        [55, 100],
        [45, 65, 45],
        155,
        id="one-small-cell",
    ),
    pytest.param(
        # Two small cells in row 0 protect each other in the row, but each is alone in its
        # column: 30 (smallest beside them in column 0) and then 35 (closing the rectangle).
        [[5, 3, 40], [30, 35, 50]],
        [[X, X, 40], [X, X, 50]],
        [48, 115],
        [35, 38, 90],
        163,
        id="two-small-cells",
    ),
    pytest.param(
        # Column 0 has 7 respondents: its total is small, so 70 = 77 − 7 hides with it (the
        # total's complement), and the cells of column 1 hide to protect column 0's cells.
        [[4, 30], [3, 40]],
        [[X, X], [X, X]],
        [34, 43],
        [X, X],
        77,
        id="small-margin-and-its-complement",
    ),
    pytest.param(
        # A hidden 0 needs no protection: working it out tells nothing about anyone.
        [[0, 30], [25, 35]],
        [[X, 30], [25, 35]],
        [30, 60],
        [25, 65],
        90,
        id="zero-cell",
    ),
    pytest.param(
        # Fewer respondents than the minimum in total: nothing is shown.
        [[4, 3], [1, 0]],
        [[X, X], [X, X]],
        [X, X],
        [X, X],
        X,
        id="small-total",
    ),
]


@pytest.mark.parametrize(("cells", "cells_shown", "rows_shown", "columns_shown", "total"), CASES)
def test_hand_worked_tables(
    cells: list[list[int]],
    cells_shown: list[list[int | None]],
    rows_shown: list[int | None],
    columns_shown: list[int | None],
    total: int | None,
) -> None:
    table = _suppress(cells)
    assert [list(row) for row in table.cells] == cells_shown
    assert list(table.row_totals) == rows_shown
    assert list(table.column_totals) == columns_shown
    assert table.total == total


def test_primary_and_secondary_are_told_apart() -> None:
    table = _suppress([[20, 30, 5], [25, 35, 40]])
    assert table.primary == {(0, 2)}
    assert table.secondary == {(0, 0), (1, 0), (1, 2)}


def test_totals_may_exceed_their_cells() -> None:
    # 3 respondents of row 0 gave no 性別 (not published). Column 0 would give the small cell
    # away (25 − 20); with its total hidden, 38 − 30 = 8 is the small cell plus those 3, and
    # 25 = 98 − 70 would be too if no one had left out 性別.
    table = suppress_table(
        [[5, 30], [20, 40]], row_totals=[38, 60], column_totals=[25, 70], total=98, minimum=10
    )
    assert table.cells == ((None, 30), (20, 40))
    assert table.row_totals == (38, 60)
    assert table.column_totals == (None, 70)
    everyone_said = suppress_table(
        [[5, 30], [20, 40]], row_totals=[35, 60], column_totals=[25, 70], total=95, minimum=10
    )
    assert everyone_said.cells == ((None, None), (None, None))


def test_shapes_must_match() -> None:
    with pytest.raises(ValueError, match="matching shapes"):
        suppress_table([[1, 2]], row_totals=[3, 4], column_totals=[1, 2], total=3, minimum=10)


Latent = list[list[int]]


@st.composite
def tables(draw: st.DrawFn) -> Latent:
    """Counts by 年代 × 性別 with an extra row and column: respondents who gave no 年代 or 性別."""
    rows = draw(st.integers(2, 5))
    columns = draw(st.integers(2, 4))
    count = st.one_of(st.integers(0, 12), st.integers(10, 80))
    latent = [
        [draw(count) for _ in range(columns)] + [draw(st.integers(0, 3))] for _ in range(rows)
    ]
    latent.append([draw(st.integers(0, 3)) for _ in range(columns + 1)])
    return latent


@settings(max_examples=300, deadline=None)
@given(tables(), st.integers(1, 12))
def test_no_hidden_count_can_be_worked_out(latent: Latent, minimum: int) -> None:
    rows, columns = len(latent) - 1, len(latent[0]) - 1
    cells = [row[:columns] for row in latent[:rows]]
    row_totals = [sum(row) for row in latent[:rows]]
    column_totals = [sum(row[j] for row in latent) for j in range(columns)]
    total = sum(map(sum, latent))
    table = suppress_table(
        cells,
        row_totals=row_totals,
        column_totals=column_totals,
        total=total,
        minimum=minimum,
    )
    # Published entries: name → (value, shown value).
    published = {
        ("cell", i, j): (cells[i][j], table.cells[i][j])
        for i in range(rows)
        for j in range(columns)
    }
    published |= {("row", i, 0): (row_totals[i], table.row_totals[i]) for i in range(rows)}
    published |= {
        ("column", j, 0): (column_totals[j], table.column_totals[j]) for j in range(columns)
    }
    published[("total", 0, 0)] = (total, table.total)
    # What is shown is the truth, and every entry below the minimum is hidden.
    for value, shown in published.values():
        assert shown is None or (shown == value and value >= minimum)
    if total < minimum:
        assert all(shown is None for _, shown in published.values())
        return
    # What a reader does not know: hidden non-zero entries, and the non-zero counts of the
    # respondents without 年代 or 性別 (never published). Zeros count as known.
    hidden = [name for name, (value, shown) in published.items() if shown is None and value]
    latent_unknowns = [("latent", i, columns) for i in range(rows) if latent[i][columns]]
    latent_unknowns += [("latent", rows, j) for j in range(columns + 1) if latent[rows][j]]
    unknowns = hidden + latent_unknowns
    # Each published line: its entries with their signs (the total negative).
    lines = [
        [("cell", i, j) for j in range(columns)] + [("latent", i, columns)] + [("-row", i, 0)]
        for i in range(rows)
    ]
    lines += [
        [("cell", i, j) for i in range(rows)] + [("latent", rows, j)] + [("-column", j, 0)]
        for j in range(columns)
    ]
    lines.append(
        [("row", i, 0) for i in range(rows)]
        + [("latent", rows, j) for j in range(columns + 1)]
        + [("-total", 0, 0)]
    )
    lines.append(
        [("column", j, 0) for j in range(columns)]
        + [("latent", i, columns) for i in range(rows)]
        + [("latent", rows, columns), ("-total", 0, 0)]
    )
    index = {name: k for k, name in enumerate(unknowns)}
    system = np.zeros((len(lines), len(unknowns)))
    for e, line in enumerate(lines):
        for kind, a, b in line:
            name = (kind.lstrip("-"), a, b)
            if name in index:
                system[e, index[name]] += -1.0 if kind.startswith("-") else 1.0
    # No single subtraction: no line has exactly one unknown that is a hidden entry.
    for row in system:
        present = [unknowns[k] for k in np.flatnonzero(row)]
        assert not (len(present) == 1 and present[0][0] != "latent"), (present, table)
    # Nor any combination: no hidden entry is fixed by the equations (in their row space).
    rank = np.linalg.matrix_rank(system) if len(unknowns) else 0
    for name in hidden:
        unit = np.zeros(len(unknowns))
        unit[index[name]] = 1.0
        assert np.linalg.matrix_rank(np.vstack([system, unit])) > rank, (name, table)
