"""The logic-tree document (ロジックツリー): parsing, validation, edits and differences.

One JSON format serves the shipped reference trees, the municipality's working copy, every
saved version and the JSON export/import::

    {"schema": "machiwb.logic-tree/1", "title": "…", "description": "…",
     "nodes": [{"id": "goal", "kind": "goal", "label": "…", "parent": null,
                "wellbeing": "c01", "department": "", "note": "",
                "kpis": [{"ref": "category:c01", "label": "…", "baseline": null,
                          "target": null, "target_year": null}]}, …],
     "links": [{"source": "m1", "target": "m2", "type": "synergy"}]}

The tree edge is ``parent`` (the node contributes to its parent); ``links`` add further
contributes-to edges and synergy links between measures. Everything here is pure: plain data
in, frozen dataclasses out, and every edit returns a new, validated document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SCHEMA = "machiwb.logic-tree/1"
MAX_NODES = 300
MAX_LABEL = 100
MAX_DEPARTMENT = 50
MAX_NOTE = 1000
MAX_KPIS_PER_NODE = 10
NODE_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
WELLBEING = re.compile(r"^(c(0[1-9]|1[0-9]|2[0-4])|q[1-5])$")
KPI_REF = re.compile(r"^(category|objective|item|question|kpi|custom):[a-z0-9_]{1,60}$")


class NodeKind(StrEnum):
    """Levels of a logic tree, from the Well-Being goal to the outputs."""

    GOAL = "goal"  # Well-Being の目標（カテゴリーまたは総合設問）
    OUTCOME = "outcome"  # 中間アウトカム
    MEASURE = "measure"  # 施策
    RELATED_MEASURE = "related_measure"  # 関連施策
    OUTPUT = "output"  # アウトプット


#: Which kinds a node of each kind may contribute to (its parent and contributes-to links).
ALLOWED_PARENTS: dict[NodeKind, frozenset[NodeKind]] = {
    NodeKind.GOAL: frozenset(),
    NodeKind.OUTCOME: frozenset({NodeKind.GOAL, NodeKind.OUTCOME}),
    NodeKind.MEASURE: frozenset({NodeKind.GOAL, NodeKind.OUTCOME}),
    NodeKind.RELATED_MEASURE: frozenset({NodeKind.OUTCOME, NodeKind.MEASURE}),
    NodeKind.OUTPUT: frozenset({NodeKind.MEASURE, NodeKind.RELATED_MEASURE}),
}
SYNERGY_KINDS = frozenset({NodeKind.MEASURE, NodeKind.RELATED_MEASURE})


class LinkType(StrEnum):
    CONTRIBUTES = "contributes"  # 寄与（親以外への寄与）
    SYNERGY = "synergy"  # 施策間の相乗効果


class DocumentError(ValueError):
    """A document that breaks the format; ``problems`` name each place and reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class NodeKpi:
    """A KPI attached to a node, with its baseline, target value and target year."""

    ref: str
    label: str
    baseline: float | None = None
    target: float | None = None
    target_year: int | None = None


@dataclass(frozen=True)
class Node:
    id: str
    kind: NodeKind
    label: str
    parent: str | None = None
    wellbeing: str | None = None
    department: str = ""
    note: str = ""
    kpis: tuple[NodeKpi, ...] = ()


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    type: LinkType


@dataclass(frozen=True)
class TreeDocument:
    title: str
    nodes: tuple[Node, ...]
    links: tuple[Link, ...] = ()
    description: str = ""

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    @property
    def goal(self) -> Node:
        return next(n for n in self.nodes if n.kind == NodeKind.GOAL)

    def children(self, node_id: str) -> list[Node]:
        return [n for n in self.nodes if n.parent == node_id]

    def walk(self) -> list[tuple[Node, int]]:
        """Nodes depth-first from the goal with their depth, children in document order."""
        out: list[tuple[Node, int]] = []

        def visit(node: Node, depth: int) -> None:
            out.append((node, depth))
            for child in self.children(node.id):
                visit(child, depth + 1)

        visit(self.goal, 0)
        return out

    @property
    def departments(self) -> list[str]:
        return sorted({n.department for n in self.nodes if n.department})


# --- parsing and validation -----------------------------------------------------------------


#: Names of the levels in messages (also used on the pages and in the drawing).
KIND_LABELS: dict[NodeKind, StrPromise] = {
    NodeKind.GOAL: gettext_lazy("Well-Being の目標"),
    NodeKind.OUTCOME: gettext_lazy("中間アウトカム"),
    NodeKind.MEASURE: gettext_lazy("施策"),
    NodeKind.RELATED_MEASURE: gettext_lazy("関連施策"),
    NodeKind.OUTPUT: gettext_lazy("アウトプット"),
}
FIELD_NAMES: dict[str, StrPromise] = {
    "label": gettext_lazy("名称"),
    "department": gettext_lazy("担当課"),
    "note": gettext_lazy("メモ"),
    "title": gettext_lazy("ツリーの名前"),
    "description": gettext_lazy("説明"),
}


def _field(key: str) -> str:
    return str(FIELD_NAMES.get(key, key))


def _node_where(node_id: object) -> str:
    return _("ノード %(id)s") % {"id": node_id}


def _cannot(kind: NodeKind, other: NodeKind) -> str:
    return _("%(kind)sは%(other)sにつなげられません") % {
        "kind": KIND_LABELS[kind],
        "other": KIND_LABELS[other],
    }


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def _text(
    p: _Problems,
    where: str,
    raw: Mapping[str, Any],
    key: str,
    limit: int,
    *,
    required: bool = False,
) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        p.add(where, _("%(field)sは文字で入力してください") % {"field": _field(key)})
        return ""
    text: str = value.strip()
    if required and not text:
        p.add(where, _("%(field)sを入力してください") % {"field": _field(key)})
    if len(text) > limit:
        p.add(
            where,
            _("%(field)sは%(limit)s文字以内にしてください")
            % {"field": _field(key), "limit": limit},
        )
    return text


def _number(p: _Problems, where: str, raw: Mapping[str, Any], key: str) -> float | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        p.add(where, _("%(field)sは数値で入力してください") % {"field": _field(key)})
        return None
    return float(value)


def _kpi(p: _Problems, where: str, raw: Any) -> NodeKpi | None:
    if not isinstance(raw, dict):
        p.add(where, _("KPI はオブジェクトで書いてください"))
        return None
    ref = raw.get("ref")
    if not isinstance(ref, str) or not KPI_REF.match(ref):
        p.add(
            where,
            _("ref「%(ref)s」は category:c01 や kpi:<コード> のような KPI の参照ではありません")
            % {"ref": ref},
        )
        return None
    year = raw.get("target_year")
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100
    ):
        p.add(where, _("目標年度「%(year)s」は2000〜2100年の西暦にしてください") % {"year": year})
        year = None
    return NodeKpi(
        ref=ref,
        label=_text(p, where, raw, "label", MAX_LABEL, required=True),
        baseline=_number(p, where, raw, "baseline"),
        target=_number(p, where, raw, "target"),
        target_year=year,
    )


def _node(p: _Problems, index: int, raw: Any) -> Node | None:
    where = f"nodes[{index}]"
    if not isinstance(raw, dict):
        p.add(where, _("ノードはオブジェクトで書いてください"))
        return None
    node_id = raw.get("id")
    if not isinstance(node_id, str) or not NODE_ID.match(node_id):
        p.add(
            where,
            _("id「%(id)s」は半角英小文字で始まり、英小文字・数字・-・_ の40文字以内にしてください")
            % {"id": node_id},
        )
        return None
    where = _node_where(node_id)
    try:
        kind = NodeKind(str(raw.get("kind")))
    except ValueError:
        p.add(
            where,
            _("種類「%(kind)s」は %(kinds)s のどれかにしてください")
            % {"kind": raw.get("kind"), "kinds": ", ".join(NodeKind)},
        )
        return None
    parent = raw.get("parent")
    if parent is not None and not isinstance(parent, str):
        p.add(where, _("parent はノードの id か null にしてください"))
        parent = None
    wellbeing = raw.get("wellbeing")
    if kind == NodeKind.GOAL:
        if not isinstance(wellbeing, str) or not WELLBEING.match(wellbeing):
            p.add(
                where,
                _(
                    "目標ノードには wellbeing（c01〜c24 のカテゴリーか q1〜q5 の総合設問）が必要です"
                ),
            )
    elif wellbeing is not None:
        p.add(where, _("wellbeing を持てるのは目標ノードだけです"))
        wellbeing = None
    kpis_raw = raw.get("kpis", [])
    if not isinstance(kpis_raw, list):
        p.add(where, _("kpis はリストにしてください"))
        kpis_raw = []
    if len(kpis_raw) > MAX_KPIS_PER_NODE:
        p.add(where, _("KPI は1ノード%(max)s件までです") % {"max": MAX_KPIS_PER_NODE})
    kpis = [
        k for i, r in enumerate(kpis_raw) if (k := _kpi(p, f"{where} kpis[{i}]", r)) is not None
    ]
    refs = [k.ref for k in kpis]
    if len(set(refs)) != len(refs):
        p.add(where, _("同じ KPI が2回設定されています"))
    return Node(
        id=node_id,
        kind=kind,
        label=_text(p, where, raw, "label", MAX_LABEL, required=True),
        parent=parent,
        wellbeing=wellbeing if isinstance(wellbeing, str) else None,
        department=_text(p, where, raw, "department", MAX_DEPARTMENT),
        note=_text(p, where, raw, "note", MAX_NOTE),
        kpis=tuple(kpis),
    )


def _check_structure(p: _Problems, nodes: Sequence[Node], links: Sequence[Link]) -> None:
    by_id: dict[str, Node] = {}
    for node in nodes:
        if node.id in by_id:
            p.add(_node_where(node.id), _("この id は2回使われています"))
        by_id[node.id] = node
    goals = [n for n in nodes if n.kind == NodeKind.GOAL]
    if len(goals) != 1:
        p.add(
            "nodes",
            _("目標ノードは1つだけにしてください（%(count)s個あります）") % {"count": len(goals)},
        )
    for node in nodes:
        where = _node_where(node.id)
        if node.kind == NodeKind.GOAL:
            if node.parent is not None:
                p.add(where, _("目標ノードには親を設定できません"))
            continue
        if node.parent is None:
            p.add(where, _("つながる先（親）が必要です"))
            continue
        parent = by_id.get(node.parent)
        if parent is None:
            p.add(where, _("親「%(parent)s」というノードはありません") % {"parent": node.parent})
        elif parent.kind not in ALLOWED_PARENTS[node.kind]:
            p.add(where, _cannot(node.kind, parent.kind))
    for node in nodes:
        seen = {node.id}
        current = node
        while current.parent is not None and current.parent in by_id:
            if current.parent in seen:
                p.add(_node_where(node.id), _("親をたどると輪になっています"))
                break
            seen.add(current.parent)
            current = by_id[current.parent]
    pairs: set[tuple[str, str, str]] = set()
    for i, link in enumerate(links):
        where = f"links[{i}]"
        source, target = by_id.get(link.source), by_id.get(link.target)
        if source is None or target is None:
            p.add(
                where,
                _("%(source)s → %(target)s：両方のノードが必要です")
                % {"source": link.source, "target": link.target},
            )
            continue
        if link.source == link.target:
            p.add(where, _("ノードを自分自身にはつなげません"))
            continue
        key = (
            (link.type, *sorted((link.source, link.target)))
            if link.type == LinkType.SYNERGY
            else (link.type, link.source, link.target)
        )
        if key in pairs:
            p.add(where, _("同じつながりが2回あります"))
        pairs.add(key)  # type: ignore[arg-type]
        if link.type == LinkType.SYNERGY:
            if source.kind not in SYNERGY_KINDS or target.kind not in SYNERGY_KINDS:
                p.add(where, _("相乗効果のつながりは施策・関連施策どうしに限ります"))
        elif target.kind not in ALLOWED_PARENTS[source.kind]:
            p.add(where, _cannot(source.kind, target.kind))
        elif source.parent == target.id:
            p.add(where, _("このノードはすでに親へ寄与しています"))


def document_parse(data: Any) -> TreeDocument:
    """Validate a decoded JSON document; raises DocumentError listing every problem."""
    p = _Problems()
    if not isinstance(data, dict):
        raise DocumentError([_("JSON のオブジェクト（{…}）にしてください")])
    if data.get("schema") != SCHEMA:
        p.add("schema", _("「%(schema)s」にしてください") % {"schema": SCHEMA})
    raw_nodes = data.get("nodes")
    if not isinstance(raw_nodes, list) or not raw_nodes:
        raise DocumentError([*p.items, "nodes: " + _("ノードのリストが空です")])
    if len(raw_nodes) > MAX_NODES:
        p.add("nodes", _("ノードは%(max)s個までです") % {"max": MAX_NODES})
    nodes = [n for i, raw in enumerate(raw_nodes) if (n := _node(p, i, raw)) is not None]
    links: list[Link] = []
    raw_links = data.get("links", [])
    if not isinstance(raw_links, list):
        p.add("links", _("リストにしてください"))
        raw_links = []
    for i, raw in enumerate(raw_links):
        if (
            not isinstance(raw, dict)
            or not isinstance(raw.get("source"), str)
            or not isinstance(raw.get("target"), str)
        ):
            p.add(f"links[{i}]", _("source と target のノード id が必要です"))
            continue
        try:
            link_type = LinkType(raw.get("type", LinkType.CONTRIBUTES))
        except ValueError:
            p.add(
                f"links[{i}]",
                _("種類「%(type)s」は contributes か synergy にしてください")
                % {"type": raw.get("type")},
            )
            continue
        links.append(Link(raw["source"], raw["target"], link_type))
    title = _text(p, "title", data, "title", MAX_LABEL, required=True)
    description = _text(p, "description", data, "description", MAX_NOTE)
    if not p.items:
        _check_structure(p, nodes, links)
    if p.items:
        raise DocumentError(p.items)
    return TreeDocument(
        title=title, nodes=tuple(nodes), links=tuple(links), description=description
    )


def document_to_data(document: TreeDocument) -> dict[str, Any]:
    """The JSON-ready form (the inverse of document_parse)."""
    return {
        "schema": SCHEMA,
        "title": document.title,
        "description": document.description,
        "nodes": [
            {
                "id": n.id,
                "kind": str(n.kind),
                "label": n.label,
                "parent": n.parent,
                **({"wellbeing": n.wellbeing} if n.kind == NodeKind.GOAL else {}),
                "department": n.department,
                "note": n.note,
                "kpis": [
                    {
                        "ref": k.ref,
                        "label": k.label,
                        "baseline": k.baseline,
                        "target": k.target,
                        "target_year": k.target_year,
                    }
                    for k in n.kpis
                ],
            }
            for n in document.nodes
        ],
        "links": [
            {"source": li.source, "target": li.target, "type": str(li.type)}
            for li in document.links
        ],
    }


def _validated(document: TreeDocument) -> TreeDocument:
    return document_parse(document_to_data(document))


# --- edits ----------------------------------------------------------------------------------


def new_node_id(document: TreeDocument, kind: NodeKind) -> str:
    """The next free id for a node of ``kind`` (outcome-3, measure-12 …)."""
    prefix = str(kind).replace("_", "-")
    used = {n.id for n in document.nodes}
    number = 1
    while f"{prefix}-{number}" in used:
        number += 1
    return f"{prefix}-{number}"


def node_add(
    document: TreeDocument,
    *,
    parent: str,
    kind: NodeKind,
    label: str,
    department: str = "",
    note: str = "",
) -> tuple[TreeDocument, str]:
    """Add a node under ``parent``; returns the new document and the new node's id."""
    node_id = new_node_id(document, kind)
    node = Node(id=node_id, kind=kind, label=label, parent=parent, department=department, note=note)
    return _validated(replace(document, nodes=(*document.nodes, node))), node_id


def node_update(document: TreeDocument, node_id: str, **changes: Any) -> TreeDocument:
    """Change a node's label, department, note, wellbeing or parent (a move)."""
    allowed = {"label", "department", "note", "wellbeing", "parent"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    document.node(node_id)
    nodes = tuple(replace(n, **changes) if n.id == node_id else n for n in document.nodes)
    return _validated(replace(document, nodes=nodes))


def node_reorder(document: TreeDocument, node_id: str, offset: int) -> TreeDocument:
    """Move a node one place earlier (−1) or later (+1) among its siblings; at an end, no change."""
    node = document.node(node_id)
    siblings = [n.id for n in document.nodes if n.parent == node.parent]
    position = siblings.index(node_id) + offset
    if not 0 <= position < len(siblings):
        return document
    other = siblings[position]
    order = [n.id for n in document.nodes]
    i, j = order.index(node_id), order.index(other)
    nodes = list(document.nodes)
    nodes[i], nodes[j] = nodes[j], nodes[i]
    return replace(document, nodes=tuple(nodes))


def node_delete(document: TreeDocument, node_id: str) -> TreeDocument:
    """Delete a node without children, with its links. The goal cannot be deleted."""
    node = document.node(node_id)
    if node.kind == NodeKind.GOAL:
        raise DocumentError([f"{_node_where(node_id)}: " + _("目標ノードは削除できません")])
    if document.children(node_id):
        raise DocumentError(
            [f"{_node_where(node_id)}: " + _("下にあるノードを先に移動するか削除してください")]
        )
    return _validated(
        replace(
            document,
            nodes=tuple(n for n in document.nodes if n.id != node_id),
            links=tuple(li for li in document.links if node_id not in (li.source, li.target)),
        )
    )


def link_add(
    document: TreeDocument, *, source: str, target: str, link_type: LinkType
) -> TreeDocument:
    return _validated(replace(document, links=(*document.links, Link(source, target, link_type))))


def link_remove(
    document: TreeDocument, *, source: str, target: str, link_type: LinkType
) -> TreeDocument:
    links = tuple(
        li
        for li in document.links
        if (li.source, li.target, li.type) != (source, target, link_type)
    )
    return replace(document, links=links)


def kpi_set(document: TreeDocument, node_id: str, kpi: NodeKpi) -> TreeDocument:
    """Attach a KPI to a node, or replace the node's KPI with the same ref."""
    node = document.node(node_id)
    kpis = [k for k in node.kpis if k.ref != kpi.ref]
    kpis.append(kpi)
    return node_update_kpis(document, node_id, tuple(kpis))


def kpi_remove(document: TreeDocument, node_id: str, ref: str) -> TreeDocument:
    node = document.node(node_id)
    return node_update_kpis(document, node_id, tuple(k for k in node.kpis if k.ref != ref))


def node_update_kpis(
    document: TreeDocument, node_id: str, kpis: tuple[NodeKpi, ...]
) -> TreeDocument:
    nodes = tuple(replace(n, kpis=kpis) if n.id == node_id else n for n in document.nodes)
    return _validated(replace(document, nodes=nodes))


# --- differences ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeChange:
    node_id: str
    label: str
    fields: tuple[tuple[str, str, str], ...]  # (field, before, after)


@dataclass(frozen=True)
class DocumentDiff:
    """What changed from one version to another (版の比較)."""

    added: tuple[Node, ...] = ()
    removed: tuple[Node, ...] = ()
    changed: tuple[NodeChange, ...] = ()
    links_added: tuple[Link, ...] = ()
    links_removed: tuple[Link, ...] = ()
    title_change: tuple[str, str] | None = field(default=None)

    @property
    def is_empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.links_added
            or self.links_removed
            or self.title_change
        )


def _kpi_text(k: NodeKpi) -> str:
    parts = [k.label]
    if k.baseline is not None:
        parts.append(f"基準値 {k.baseline:g}")
    if k.target is not None:
        parts.append(f"目標値 {k.target:g}")
    if k.target_year is not None:
        parts.append(f"{k.target_year}年度")
    return " ".join(parts)


def _node_fields(node: Node) -> dict[str, str]:
    return {
        "label": node.label,
        "parent": node.parent or "",
        "department": node.department,
        "note": node.note,
        "wellbeing": node.wellbeing or "",
        "kpis": " / ".join(_kpi_text(k) for k in node.kpis),
    }


def document_diff(before: TreeDocument, after: TreeDocument) -> DocumentDiff:
    """Nodes added, removed and changed (field by field), and links added and removed."""
    old = {n.id: n for n in before.nodes}
    new = {n.id: n for n in after.nodes}
    changed = []
    for node in after.nodes:
        if node.id not in old:
            continue
        a, b = _node_fields(old[node.id]), _node_fields(node)
        fields = tuple((key, a[key], b[key]) for key in a if a[key] != b[key])
        if fields:
            changed.append(NodeChange(node.id, node.label, fields))
    old_links, new_links = set(before.links), set(after.links)
    return DocumentDiff(
        added=tuple(n for n in after.nodes if n.id not in old),
        removed=tuple(n for n in before.nodes if n.id not in new),
        changed=tuple(changed),
        links_added=tuple(li for li in after.links if li not in old_links),
        links_removed=tuple(li for li in before.links if li not in new_links),
        title_change=(before.title, after.title) if before.title != after.title else None,
    )
