"""The logic-tree document: validation with precise errors, pure edits, differences."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from machiwb.logictrees.document import (
    SCHEMA,
    DocumentError,
    LinkType,
    NodeKind,
    NodeKpi,
    document_diff,
    document_parse,
    document_to_data,
    kpi_remove,
    kpi_set,
    link_add,
    link_remove,
    node_add,
    node_delete,
    node_reorder,
    node_update,
)
from machiwb.logictrees.reference import REFERENCE_CODES, reference_read, reference_trees


def _data() -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "title": "子育て",
        "nodes": [
            {"id": "goal", "kind": "goal", "label": "安心して子育て", "wellbeing": "c06"},
            {"id": "o1", "kind": "outcome", "label": "預け先がある", "parent": "goal"},
            {"id": "m1", "kind": "measure", "label": "保育定員", "parent": "o1"},
            {"id": "m2", "kind": "measure", "label": "一時預かり", "parent": "o1"},
            {"id": "p1", "kind": "output", "label": "定員数", "parent": "m1"},
        ],
        "links": [{"source": "m1", "target": "m2", "type": "synergy"}],
    }


def _problems(data: Any) -> list[str]:
    with pytest.raises(DocumentError) as caught:
        document_parse(data)
    return caught.value.problems


def test_a_valid_document_round_trips() -> None:
    document = document_parse(_data())
    assert document.goal.wellbeing == "c06"
    assert [n.id for n, _ in document.walk()] == ["goal", "o1", "m1", "p1", "m2"]
    assert document_parse(document_to_data(document)) == document


def test_every_reference_tree_is_valid_and_has_all_levels() -> None:
    trees = reference_trees()
    assert [t.code for t in trees] == list(REFERENCE_CODES)
    assert [t.document.title for t in trees] == [
        "医療・介護",
        "モビリティ",
        "子育て",
        "防災",
        "デジタル生活",
    ]
    for tree in trees:
        kinds = {n.kind for n in tree.document.nodes}
        assert kinds == set(NodeKind), tree.code
        assert any(li.type == LinkType.SYNERGY for li in tree.document.links), tree.code


def test_a_broken_reference_file_names_the_file(tmp_path: Any) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"schema": "machiwb.logic-tree/1", "title": "x", "nodes": []}', "utf-8")
    with pytest.raises(DocumentError, match="broken.json: nodes: ノードのリストが空です"):
        reference_read(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema="other/1"), "schema: 「machiwb.logic-tree/1」にしてください"),
        (lambda d: d["nodes"][1].update(id="O 1"), "nodes[1]: id「O 1」は半角英小文字で始まり"),
        (
            lambda d: d["nodes"][1].update(kind="vision"),
            "ノード o1: 種類「vision」は goal, outcome",
        ),
        (lambda d: d["nodes"][0].update(wellbeing="c25"), "ノード goal: 目標ノードには wellbeing"),
        (lambda d: d["nodes"][2].update(label=""), "ノード m1: 名称を入力してください"),
        (
            lambda d: d["nodes"][2].update(label="あ" * 101),
            "ノード m1: 名称は100文字以内にしてください",
        ),
        (
            lambda d: d["nodes"][2].update(parent="zz"),
            "ノード m1: 親「zz」というノードはありません",
        ),
        (
            lambda d: d["nodes"][4].update(parent="goal"),
            "ノード p1: アウトプットはWell-Being の目標につなげられません",
        ),
        (lambda d: d["nodes"][3].update(id="m1"), "ノード m1: この id は2回使われています"),
        (
            lambda d: d["nodes"][1].update(kind="goal", wellbeing="q1"),
            "目標ノードは1つだけにしてください（2個あります）",
        ),
        (
            lambda d: d["links"].append({"source": "o1", "target": "m1", "type": "synergy"}),
            "links[1]: 相乗効果のつながりは施策・関連施策どうしに限ります",
        ),
        (
            lambda d: d["links"].append({"source": "m2", "target": "m1", "type": "synergy"}),
            "links[1]: 同じつながりが2回あります",
        ),
        (
            lambda d: d["nodes"][2].update(kpis=[{"ref": "score c01", "label": "x"}]),
            "ノード m1 kpis[0]: ref「score c01」は category:c01",
        ),
        (
            lambda d: d["nodes"][2].update(
                kpis=[{"ref": "category:c06", "label": "子育て", "target_year": 1999}]
            ),
            "目標年度「1999」は2000〜2100年の西暦にしてください",
        ),
    ],
)
def test_validation_names_the_place_and_reason(change: Any, message: str) -> None:
    data = copy.deepcopy(_data())
    change(data)
    assert any(message in p for p in _problems(data)), _problems(data)


def test_a_loop_of_outcomes_is_refused() -> None:
    data = _data()
    data["nodes"].append({"id": "o2", "kind": "outcome", "label": "a", "parent": "o3"})
    data["nodes"].append({"id": "o3", "kind": "outcome", "label": "b", "parent": "o2"})
    assert "ノード o2: 親をたどると輪になっています" in _problems(data)


def test_not_an_object_is_refused() -> None:
    assert _problems([1, 2]) == ["JSON のオブジェクト（{…}）にしてください"]


def test_edits_return_new_validated_documents() -> None:
    document = document_parse(_data())
    added, node_id = node_add(
        document, parent="m2", kind=NodeKind.OUTPUT, label="利用件数", department="こども家庭課"
    )
    assert node_id == "output-1"
    assert added.node("output-1").department == "こども家庭課"
    assert "output-1" not in {n.id for n in document.nodes}  # the original is untouched
    moved = node_update(added, "output-1", parent="m1")
    assert [c.id for c in moved.children("m1")] == ["p1", "output-1"]
    with pytest.raises(DocumentError, match="アウトプットは中間アウトカムにつなげられません"):
        node_update(added, "output-1", parent="o1")
    with pytest.raises(ValueError, match="cannot change kind"):
        node_update(added, "output-1", kind=NodeKind.MEASURE)


def test_delete_refuses_the_goal_and_nodes_with_children_and_drops_links() -> None:
    document = document_parse(_data())
    with pytest.raises(DocumentError, match="目標ノードは削除できません"):
        node_delete(document, "goal")
    with pytest.raises(DocumentError, match="下にあるノードを先に移動するか削除してください"):
        node_delete(document, "m1")
    smaller = node_delete(document, "m2")
    assert "m2" not in {n.id for n in smaller.nodes}
    assert smaller.links == ()


def test_links_and_kpis() -> None:
    document = document_parse(_data())
    linked = link_add(document, source="p1", target="m2", link_type=LinkType.CONTRIBUTES)
    assert len(linked.links) == 2
    with pytest.raises(DocumentError, match="すでに親へ寄与しています"):
        link_add(document, source="p1", target="m1", link_type=LinkType.CONTRIBUTES)
    assert link_remove(linked, source="p1", target="m2", link_type=LinkType.CONTRIBUTES) == document
    kpi = NodeKpi(
        "category:c06", "子育て（主観偏差値）", baseline=45.0, target=50.0, target_year=2028
    )
    with_kpi = kpi_set(document, "goal", kpi)
    assert with_kpi.goal.kpis == (kpi,)
    replaced = kpi_set(
        with_kpi, "goal", NodeKpi("category:c06", "子育て（主観偏差値）", target=52.0)
    )
    assert replaced.goal.kpis[0].target == 52.0
    assert kpi_remove(replaced, "goal", "category:c06").goal.kpis == ()


def test_diff_lists_added_removed_changed_nodes_and_links() -> None:
    before = document_parse(_data())
    after, new_id = node_add(before, parent="o1", kind=NodeKind.MEASURE, label="送迎支援")
    after = node_update(after, "m1", label="保育定員の拡大", department="こども家庭課")
    after = node_delete(after, "m2")
    after = kpi_set(
        after,
        "goal",
        NodeKpi("category:c06", "子育て", baseline=45.0, target=50.0, target_year=2028),
    )
    diff = document_diff(before, after)
    assert [n.id for n in diff.added] == [new_id]
    assert [n.id for n in diff.removed] == ["m2"]
    changes = {c.node_id: c.fields for c in diff.changed}
    assert changes["m1"] == (
        ("label", "保育定員", "保育定員の拡大"),
        ("department", "", "こども家庭課"),
    )
    assert changes["goal"] == (("kpis", "", "子育て 基準値 45 目標値 50 2028年度"),)
    assert [(li.source, li.target) for li in diff.links_removed] == [("m1", "m2")]
    assert not diff.is_empty
    assert document_diff(before, before).is_empty


def test_reorder_swaps_siblings_and_stops_at_the_ends() -> None:
    document = document_parse(_data())
    later = node_reorder(document, "m1", 1)
    assert [c.id for c in later.children("o1")] == ["m2", "m1"]
    assert [c.id for c in node_reorder(later, "m1", -1).children("o1")] == ["m1", "m2"]
    assert node_reorder(document, "m1", -1) == document
    assert node_reorder(document, "p1", 1) == document  # an only child stays
