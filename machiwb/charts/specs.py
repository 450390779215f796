"""Chart specifications (グラフの仕様): plain, hashable descriptions of what to draw.

A specification holds the numbers and every label already translated, so the same
specification always renders to the same bytes and can key a cache. The renderers in
``render.py`` draw it; ``tables.py`` gives each chart its data-table twin and a one-sentence
text summary for people who cannot see the image.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ChartMeta:
    """What is printed on every chart: title, the selection (region, survey type, fiscal year,
    n) and the data source with its date."""

    title: str
    subtitle: str = ""
    source: str = ""


@dataclass(frozen=True)
class Series:
    """One line or bar group: a label and one value per axis (None = no value).

    Counts may be given as int; they are shown without decimals."""

    label: str
    values: tuple[float | int | None, ...]


def _check_lengths(labels: tuple[str, ...], series: tuple[Series, ...]) -> None:
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(
                f"series {one.label!r} has {len(one.values)} values for {len(labels)} labels"
            )


@dataclass(frozen=True)
class RadarChart:
    """A radar (レーダーチャート) over named axes, e.g. the 24 categories, on a fixed scale.

    ``reference`` draws the reference circle (50 = the reference average of 偏差値)."""

    meta: ChartMeta
    axes: tuple[str, ...]
    series: tuple[Series, ...]
    value_label: str
    scale: tuple[float, float] = (20.0, 80.0)
    reference: float | None = 50.0

    def __post_init__(self) -> None:
        _check_lengths(self.axes, self.series)


@dataclass(frozen=True)
class BarChart:
    """Grouped horizontal bars: one row per category, one bar per series."""

    meta: ChartMeta
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    value_label: str
    scale: tuple[float, float] | None = None
    reference: float | None = None

    def __post_init__(self) -> None:
        _check_lengths(self.categories, self.series)


@dataclass(frozen=True)
class ScatterPoint:
    label: str
    x: float
    y: float


@dataclass(frozen=True)
class ScatterChart:
    """Labelled points; the reference lines split the plane into quadrants (象限)."""

    meta: ChartMeta
    points: tuple[ScatterPoint, ...]
    x_label: str
    y_label: str
    x_reference: float | None = None
    y_reference: float | None = None
    quadrant_labels: tuple[str, str, str, str] | None = field(default=None)
    """Upper right, upper left, lower left, lower right, drawn in the corners."""
    x_scale: tuple[float, float] | None = None
    y_scale: tuple[float, float] | None = None


Chart = RadarChart | BarChart | ScatterChart
