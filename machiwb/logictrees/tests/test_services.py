"""Logic-tree services and selectors against the database."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from machiwb.accounts.models import Role, User
from machiwb.audit.models import AuditEntry
from machiwb.logictrees.document import DocumentError, NodeKind, NodeKpi, kpi_set, node_add
from machiwb.logictrees.models import KpiCandidate, KpiKind, LogicTree, LogicTreeVersion
from machiwb.logictrees.selectors import kpi_catalog, kpi_current_values, tree_document
from machiwb.logictrees.services import (
    StaleEditError,
    logictree_create,
    logictree_edit,
    logictree_import,
    logictree_share_set,
    logictree_version_restore,
    logictree_version_save,
    node_comment_add,
)
from machiwb.regions.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(regions_loaded: None, staff_user_factory: Callable[..., User]) -> User:
    return staff_user_factory(municipality="302023", role=Role.EDITOR)


@pytest.fixture
def kainan(regions_loaded: None) -> Municipality:
    return Municipality.objects.get(code="302023")


def test_create_from_reference_copies_it_and_is_audited(editor: User, kainan: Municipality) -> None:
    tree = logictree_create(
        municipality=kainan, actor=editor, title="海南市 子育て", reference_code="childcare"
    )
    document = tree_document(tree)
    assert document.title == "海南市 子育て"
    assert document.goal.wellbeing == "c06"
    assert len(document.nodes) == 13
    entry = AuditEntry.objects.get(action="logictree.create")
    assert entry.municipality_id == "302023"
    assert entry.object_id == str(tree.public_id)


def test_create_from_scratch_has_only_the_goal(editor: User, kainan: Municipality) -> None:
    tree = logictree_create(municipality=kainan, actor=editor, title="暮らしの満足", wellbeing="q4")
    document = tree_document(tree)
    assert [(n.kind, n.wellbeing) for n in document.nodes] == [(NodeKind.GOAL, "q4")]
    with pytest.raises(DocumentError, match="参照ツリー「space」はありません"):
        logictree_create(municipality=kainan, actor=editor, title="x", reference_code="space")


def test_edit_applies_a_change_and_refuses_a_stale_one(editor: User, kainan: Municipality) -> None:
    tree = logictree_create(
        municipality=kainan, actor=editor, title="防災", reference_code="disaster"
    )
    edited = logictree_edit(
        tree=tree,
        actor=editor,
        revision=1,
        change=lambda d: node_add(d, parent="measure-2", kind=NodeKind.OUTPUT, label="訓練回数")[0],
        summary="ノード追加",
    )
    assert edited.revision == 2
    assert "訓練回数" in {n.label for n in tree_document(edited).nodes}
    with pytest.raises(StaleEditError):
        logictree_edit(tree=tree, actor=editor, revision=1, change=lambda d: d, summary="古い画面")
    with pytest.raises(DocumentError):
        logictree_edit(
            tree=tree,
            actor=editor,
            revision=2,
            change=lambda d: node_add(d, parent="goal", kind=NodeKind.OUTPUT, label="x")[0],
            summary="不正",
        )
    tree.refresh_from_db()
    assert tree.revision == 2  # the refused edits wrote nothing
    assert AuditEntry.objects.filter(action="logictree.edit").count() == 1


def test_versions_are_named_immutable_restorable_and_audited(
    editor: User, kainan: Municipality
) -> None:
    tree = logictree_create(
        municipality=kainan, actor=editor, title="デジタル", reference_code="digital"
    )
    first = logictree_version_save(tree=tree, actor=editor, name="たたき台")
    tree = logictree_edit(
        tree=tree,
        actor=editor,
        revision=tree.revision,
        change=lambda d: kpi_set(
            d, "goal", NodeKpi("category:c09", "デジタル生活", target=55.0, target_year=2028)
        ),
        summary="KPI",
    )
    second = logictree_version_save(tree=tree, actor=editor, name="第2版")
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(DocumentError, match="版「たたき台」はすでにあります"):
        logictree_version_save(tree=tree, actor=editor, name="たたき台")
    first.name = "書き換え"
    with pytest.raises(ValueError, match="immutable"):
        first.save()
    restored = logictree_version_restore(tree=tree, version=first, actor=editor)
    goal_kpis = {k.ref: k for k in tree_document(restored).goal.kpis}
    assert goal_kpis["category:c09"].target is None
    assert LogicTreeVersion.objects.filter(tree=tree).count() == 2
    actions = list(
        AuditEntry.objects.filter(object_id=str(tree.public_id)).values_list("action", flat=True)
    )
    assert actions.count("logictree.version_save") == 2
    assert "logictree.version_restore" in actions


def test_import_is_all_or_nothing(editor: User, kainan: Municipality) -> None:
    tree = logictree_create(
        municipality=kainan, actor=editor, title="移動", reference_code="mobility"
    )
    before = tree.document
    with pytest.raises(DocumentError) as caught:
        logictree_import(
            tree=tree,
            actor=editor,
            data={
                "schema": "machiwb.logic-tree/1",
                "title": "x",
                "nodes": [{"id": "a", "kind": "outcome", "label": "a"}],
            },
        )
    assert "ノード a: つながる先（親）が必要です" in caught.value.problems
    tree.refresh_from_db()
    assert tree.document == before
    other = logictree_create(
        municipality=kainan, actor=editor, title="医療", reference_code="healthcare"
    )
    imported = logictree_import(tree=tree, actor=editor, data=other.document)
    assert tree_document(imported).title == "医療"


def test_comments_need_a_real_node_and_text(editor: User, kainan: Municipality) -> None:
    tree = logictree_create(
        municipality=kainan, actor=editor, title="子育て", reference_code="childcare"
    )
    comment = node_comment_add(
        tree=tree, actor=editor, node_id="measure-1", body="福祉課とも相談したい"
    )
    assert comment.node_id == "measure-1"
    with pytest.raises(KeyError):
        node_comment_add(tree=tree, actor=editor, node_id="nope", body="x")
    with pytest.raises(DocumentError):
        node_comment_add(tree=tree, actor=editor, node_id="goal", body="  ")


def test_share_link_on_and_off(editor: User, kainan: Municipality) -> None:
    tree = logictree_create(
        municipality=kainan, actor=editor, title="防災", reference_code="disaster"
    )
    token = logictree_share_set(tree=tree, actor=editor, enabled=True).share_token
    assert token is not None
    assert LogicTree.objects.get(share_token=token) == tree
    assert logictree_share_set(tree=tree, actor=editor, enabled=False).share_token is None


def test_kpi_catalog_holds_categories_items_kpis_and_operator_candidates(
    official_results: None,
) -> None:
    KpiCandidate.objects.create(
        code="online_applications", name_ja="オンライン申請件数", kind=KpiKind.OUTPUT, unit="件"
    )
    refs = {o.ref: o for o in kpi_catalog()}
    assert sum(1 for r in refs if r.startswith("category:")) == 24
    assert sum(1 for r in refs if r.startswith("item:")) == 46
    assert refs["kpi:medical_facility_walk_coverage"].unit == "%"
    assert refs["custom:online_applications"].group == "アウトプット指標"


def test_current_values_come_from_the_published_results(
    official_results: None, kainan: Municipality
) -> None:
    values = kpi_current_values(
        municipality=kainan, refs=["category:c01", "objective:c01", "item:c01_1", "custom:x"]
    )
    # 海南市, 2026年度版 全国調査 (official export): 医療・福祉 主観 35.0 / 客観 50.5, item 3.0
    assert values["category:c01"].value == 35.0
    assert values["objective:c01"].value == 50.5
    assert values["item:c01_1"].value == 3.0
    assert "custom:x" not in values
