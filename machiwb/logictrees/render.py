"""Drawing a logic tree to PNG, SVG or PDF (ロジックツリーの図) with matplotlib's object API.

The goal sits on the left and each level (中間アウトカム → 施策 → 関連施策 → アウトプット) is a
column to the right; a node is centred on its children. Tree edges are solid, extra
contributes-to links dotted, synergy links between measures dashed; links run from border to
border and beneath the nodes, so they never cover a label. PDFs embed the Japanese font
as TrueType (the charts app's font set-up), so their text stays selectable.
"""

from __future__ import annotations

import io
import textwrap
from typing import Literal

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from machiwb.charts.render import japanese_style
from machiwb.logictrees.document import KIND_LABELS, LinkType, NodeKind, TreeDocument

ImageFormat = Literal["png", "svg", "pdf"]
#: Fill colours (light) with a dark border each, text stays #1a1a1a for contrast.
KIND_COLOURS = {
    NodeKind.GOAL: ("#e8f1fe", "#0017c1"),
    NodeKind.OUTCOME: ("#e6f5ec", "#115a36"),
    NodeKind.MEASURE: ("#fff3e6", "#c74700"),
    NodeKind.RELATED_MEASURE: ("#f5ecfe", "#5109ad"),
    NodeKind.OUTPUT: ("#f2f2f2", "#4d4d4d"),
}
COLUMN_WIDTH = 3.3  # inches per level
ROW_HEIGHT = 0.95  # inches per leaf
WRAP = 15  # characters per line in a box
#: Drawing order, bottom to top: tree edges, cross-links, nodes (opaque), text.
Z_EDGE, Z_LINK, Z_NODE, Z_TEXT = 1, 2, 3, 4


def _layout(document: TreeDocument) -> dict[str, tuple[int, float]]:
    """Column (depth) and row (centre) of every node: leaves in order, parents centred."""
    positions: dict[str, tuple[int, float]] = {}
    next_row = [0.0]

    def place(node_id: str, depth: int) -> float:
        children = document.children(node_id)
        if children:
            rows = [place(child.id, depth + 1) for child in children]
            row = (rows[0] + rows[-1]) / 2
        else:
            row = next_row[0]
            next_row[0] += 1
        positions[node_id] = (depth, row)
        return row

    place(document.goal.id, 0)
    return positions


def _link_route(
    source: tuple[float, float],
    target: tuple[float, float],
    box: tuple[float, float],
    positions: dict[str, tuple[int, float]],
    source_id: str,
    target_id: str,
) -> tuple[tuple[float, float], tuple[float, float], float]:
    """Where a cross-link starts and ends (on node borders) and how much it bends.

    Between columns it runs from the side of one node to the facing side of the other; within
    a column it leaves and enters on the right-hand side and bows into the gap between columns.
    """
    (x1, y1), (x2, y2) = source, target
    box_w, box_h = box
    half = box_w / 2
    source_column, target_column = positions[source_id][0], positions[target_id][0]
    if source_column == target_column:
        # arc3 bends to the left of the direction of travel on screen (y grows downwards
        # here), so going down the page a negative radius bows to the right
        bow = min(0.6, 0.6 / max(abs(y2 - y1), 0.1))
        return (x1 + half, y1), (x2 + half, y2), -bow if y2 > y1 else bow
    side = half if target_column > source_column else -half
    # off the middle of the side, where the tree edges attach, towards the other node
    shift = 0.0 if y1 == y2 else (box_h * 0.3 if y2 > y1 else -box_h * 0.3)
    return (x1 + side, y1 + shift), (x2 - side, y2 - shift), 0.15


def tree_figure(document: TreeDocument, *, subtitle: str = "") -> Figure:
    positions = _layout(document)
    columns = max(d for d, _ in positions.values()) + 1
    rows = max(r for _, r in positions.values()) + 1
    width = max(8.0, columns * COLUMN_WIDTH)
    height = rows * ROW_HEIGHT + 1.4
    fig = Figure(figsize=(width, height), facecolor="white")
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    ax.text(0.3, 0.35, document.title, fontsize=14, va="center")
    if subtitle:
        ax.text(0.3, 0.75, subtitle, fontsize=9, va="center", color="#4d4d4d")
    box_w, box_h = COLUMN_WIDTH - 0.7, ROW_HEIGHT - 0.2

    def centre(node_id: str) -> tuple[float, float]:
        depth, row = positions[node_id]
        return (0.3 + depth * COLUMN_WIDTH + box_w / 2, 1.2 + row * ROW_HEIGHT + box_h / 2)

    # Drawing order: tree edges, then cross-links, then opaque nodes, then text. A link
    # starts and ends on the border of its nodes, and where it passes another node it runs
    # beneath it, so it never covers a label.
    for node in document.nodes:
        if node.parent is not None and node.id in positions and node.parent in positions:
            (x1, y1), (x2, y2) = centre(node.parent), centre(node.id)
            middle = (x1 + box_w / 2 + x2 - box_w / 2) / 2
            ax.plot(
                [x1 + box_w / 2, middle, middle, x2 - box_w / 2],
                [y1, y1, y2, y2],
                color="#4d4d4d",
                linewidth=1,
                zorder=Z_EDGE,
            )
    for link in document.links:
        if link.source not in positions or link.target not in positions:
            continue
        start, end, rad = _link_route(
            centre(link.source),
            centre(link.target),
            (box_w, box_h),
            positions,
            link.source,
            link.target,
        )
        synergy = link.type == LinkType.SYNERGY
        ax.annotate(
            "",
            xy=end,
            xytext=start,
            zorder=Z_LINK,
            arrowprops={
                "arrowstyle": "<->" if synergy else "->",
                "linestyle": "--" if synergy else ":",
                "color": "#c74700" if synergy else "#4d4d4d",
                "connectionstyle": f"arc3,rad={rad:.3f}",
                "linewidth": 1.2,
                "shrinkA": 0,
                "shrinkB": 0,
            },
        )
    for node in document.nodes:
        if node.id not in positions:
            continue
        x, y = centre(node.id)
        fill, border = KIND_COLOURS[node.kind]
        ax.add_patch(
            FancyBboxPatch(
                (x - box_w / 2, y - box_h / 2),
                box_w,
                box_h,
                boxstyle="round,pad=0.02,rounding_size=0.08",
                facecolor=fill,
                edgecolor=border,
                linewidth=1.4,
                zorder=Z_NODE,
            )
        )
        lines = textwrap.wrap(node.label, WRAP)[:3]
        header = str(KIND_LABELS[node.kind]) + (f"｜{node.department}" if node.department else "")
        ax.text(
            x - box_w / 2 + 0.08,
            y - box_h / 2 + 0.06,
            header,
            fontsize=6.5,
            va="top",
            color=border,
            zorder=Z_TEXT,
        )
        ax.text(
            x,
            y + 0.08,
            "\n".join(lines),
            fontsize=8,
            ha="center",
            va="center",
            linespacing=1.2,
            zorder=Z_TEXT,
        )
        if node.kpis:
            ax.text(
                x + box_w / 2 - 0.08,
                y + box_h / 2 - 0.05,
                f"KPI {len(node.kpis)}",
                fontsize=6.5,
                ha="right",
                va="bottom",
                color=border,
                zorder=Z_TEXT,
            )
    return fig


def tree_image(document: TreeDocument, image_format: ImageFormat, *, subtitle: str = "") -> bytes:
    """The tree as PNG, SVG or PDF bytes (the Japanese font embedded in PDF)."""
    buffer = io.BytesIO()
    with japanese_style({"svg.fonttype": "none", "text.color": "#1a1a1a"}):
        fig = tree_figure(document, subtitle=subtitle)
        metadata = {"Title": document.title}
        if image_format == "pdf":
            fig.savefig(
                buffer,
                format="pdf",
                metadata={**metadata, "Creator": "machiwb", "CreationDate": None},
            )
        elif image_format == "svg":
            fig.savefig(buffer, format="svg", metadata={**metadata, "Date": None})
        else:
            fig.savefig(buffer, format="png", dpi=130, metadata=metadata)
    return buffer.getvalue()
