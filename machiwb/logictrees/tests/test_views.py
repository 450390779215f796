"""Logic-tree pages through the test client: roles, edits, versions, exports, share link."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from machiwb.accounts.models import Role, User
from machiwb.logictrees.models import LogicTree

pytestmark = pytest.mark.django_db

KAINAN = "302023"


@pytest.fixture
def editor_client(
    official_results: None,
    staff_user_factory: Callable[..., User],
    verified_client: Callable[[User], Client],
) -> Client:
    return verified_client(staff_user_factory(municipality=KAINAN, role=Role.EDITOR))


@pytest.fixture
def tree(editor_client: Client) -> LogicTree:
    response = editor_client.post(
        f"/logictrees/{KAINAN}/", {"title": "海南市 子育て", "reference": "childcare"}
    )
    created = LogicTree.objects.get(title="海南市 子育て")
    assert response["Location"] == f"/logictrees/{KAINAN}/{created.public_id}/"
    return created


def _url(tree: LogicTree, suffix: str = "") -> str:
    return f"/logictrees/{KAINAN}/{tree.public_id}/{suffix}"


def _messages(response: object) -> list[str]:
    return [str(m) for m in response.context["messages"]]  # type: ignore[attr-defined]


def test_anonymous_goes_to_login_and_other_towns_get_404(
    tree: LogicTree,
    client: Client,
    staff_user_factory: Callable[..., User],
    verified_client: Callable[[User], Client],
) -> None:
    assert client.get(_url(tree))["Location"].startswith("/accounts/login")
    outsider = verified_client(staff_user_factory(municipality="302015", role=Role.ADMIN))
    for suffix in ("", "nodes/goal/", "compare/", "tree.png", "tree.json"):
        assert outsider.get(_url(tree, suffix)).status_code == 404
    # the tree under the outsider's own code is just as missing
    assert outsider.get(f"/logictrees/302015/{tree.public_id}/").status_code == 404
    assert outsider.post(_url(tree, "nodes/goal/"), {"action": "delete"}).status_code == 404


def test_viewer_reads_but_cannot_change(
    tree: LogicTree,
    staff_user_factory: Callable[..., User],
    verified_client: Callable[[User], Client],
) -> None:
    viewer = verified_client(staff_user_factory(municipality=KAINAN, role=Role.VIEWER))
    page = viewer.get(_url(tree)).content.decode()
    assert "保育・預け先に困らない" in page
    assert "版を保存" not in page
    response = viewer.post(_url(tree), {"action": "version_save", "name": "たたき台"})
    assert response.status_code == 404
    assert not tree.versions.exists()


def test_build_a_tree_with_a_kpi_and_target(editor_client: Client, tree: LogicTree) -> None:
    response = editor_client.post(
        _url(tree, "nodes/measure-1/"),
        {
            "action": "add_child",
            "revision": "1",
            "kind": "output",
            "label": "一時預かりの利用日数",
            "department": "こども家庭課",
        },
        follow=True,
    )
    assert "「一時預かりの利用日数」を追加しました。" in _messages(response)
    assert response.redirect_chain[-1][0] == _url(tree, "nodes/output-4/")
    response = editor_client.post(
        _url(tree, "nodes/goal/"),
        {
            "action": "kpi_set",
            "revision": "2",
            "ref": "category:c06",
            "baseline": "39.9",
            "target": "45",
            "target_year": "2028",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "KPI「子育て（主観偏差値）」を設定しました。" in _messages(response)
    assert "39.9" in page
    assert "2028" in page
    tree.refresh_from_db()
    goal = next(n for n in tree.document["nodes"] if n["id"] == "goal")
    kpi = next(k for k in goal["kpis"] if k["ref"] == "category:c06")
    assert (kpi["baseline"], kpi["target"], kpi["target_year"]) == (39.9, 45.0, 2028)


def test_bad_input_gets_a_precise_message_and_changes_nothing(
    editor_client: Client, tree: LogicTree
) -> None:
    before = tree.document
    cases = [
        (
            {"action": "kpi_set", "revision": "1", "ref": "category:c06", "target": "たくさん"},
            "目標値「たくさん」は数値で入力してください",
        ),
        (
            {"action": "kpi_set", "revision": "1", "ref": "kpi:unknown"},
            "KPI候補の一覧からKPIを選んでください。",
        ),
        ({"action": "delete", "revision": "1"}, "下にあるノードを先に移動するか削除してください"),
        (
            {"action": "update", "revision": "0", "label": "x"},
            "ほかの人が先にこのツリーを更新しました",
        ),
        (
            {"action": "update", "revision": "1", "label": "", "parent": "goal"},
            "名称を入力してください",
        ),
    ]
    for data, message in cases:
        response = editor_client.post(_url(tree, "nodes/outcome-1/"), data, follow=True)
        assert any(message in m for m in _messages(response)), (data, _messages(response))
    tree.refresh_from_db()
    assert tree.document == before
    assert tree.revision == 1


def test_versions_diff_and_restore(editor_client: Client, tree: LogicTree) -> None:
    editor_client.post(_url(tree), {"action": "version_save", "name": "たたき台"})
    editor_client.post(
        _url(tree, "nodes/outcome-1/"),
        {
            "action": "update",
            "revision": "1",
            "label": "預け先に困らない",
            "department": "保育課",
            "parent": "goal",
        },
    )
    editor_client.post(_url(tree), {"action": "version_save", "name": "第2版"})
    page = editor_client.get(_url(tree, "compare/") + "?a=1&b=2").content.decode()
    assert "版 1「たたき台」 → 版 2「第2版」" in page
    assert "保育・預け先に困らない" in page
    assert "預け先に困らない" in page
    assert "保育課" in page
    editor_client.post(_url(tree), {"action": "version_restore", "number": "1"})
    tree.refresh_from_db()
    assert tree.document["nodes"][1]["label"] == "保育・預け先に困らない"
    assert editor_client.get(_url(tree, "compare/") + "?a=1&b=9").status_code == 404


def test_exports(editor_client: Client, tree: LogicTree) -> None:
    data = json.loads(editor_client.get(_url(tree, "tree.json")).content)
    assert data["schema"] == "machiwb.logic-tree/1"
    assert data["title"] == "海南市 子育て"
    png = editor_client.get(_url(tree, "tree.png"))
    assert png.content.startswith(b"\x89PNG")
    svg = editor_client.get(_url(tree, "tree.svg")).content.decode()
    assert "子どもを安心して産み育てられる" in svg
    pdf = editor_client.get(_url(tree, "tree.pdf")).content
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf  # the Japanese font is embedded
    assert editor_client.get(_url(tree, "tree.gif")).status_code == 404


def test_import_refuses_a_broken_file_and_accepts_an_export(
    editor_client: Client, tree: LogicTree
) -> None:
    exported = editor_client.get(_url(tree, "tree.json")).content
    broken = json.loads(exported)
    broken["nodes"][1]["parent"] = "nowhere"
    response = editor_client.post(
        _url(tree),
        {"action": "import", "file": SimpleUploadedFile("t.json", json.dumps(broken).encode())},
        follow=True,
    )
    assert any("親「nowhere」というノードはありません" in m for m in _messages(response))
    response = editor_client.post(
        _url(tree),
        {"action": "import", "file": SimpleUploadedFile("t.json", b"{nope")},
        follow=True,
    )
    assert any("JSONとして読めませんでした" in m for m in _messages(response))
    tree.refresh_from_db()
    assert tree.revision == 1
    imported = json.loads(exported)
    imported["title"] = "取り込んだツリー"
    editor_client.post(
        _url(tree),
        {"action": "import", "file": SimpleUploadedFile("t.json", json.dumps(imported).encode())},
    )
    tree.refresh_from_db()
    assert tree.title == "取り込んだツリー"


def test_links_and_comments(editor_client: Client, tree: LogicTree) -> None:
    response = editor_client.post(
        _url(tree),
        {
            "action": "link_add",
            "revision": "1",
            "source": "measure-1",
            "target": "measure-2",
            "type": "synergy",
        },
        follow=True,
    )
    assert "つながりを追加しました。" in _messages(response)
    response = editor_client.post(
        _url(tree, "nodes/measure-2/"),
        {"action": "comment", "body": "福祉課と連携したい"},
        follow=True,
    )
    assert "福祉課と連携したい" in response.content.decode()


def test_share_link_is_read_only_and_can_be_stopped(
    editor_client: Client, tree: LogicTree, client: Client
) -> None:
    editor_client.post(_url(tree), {"action": "share_on"})
    tree.refresh_from_db()
    shared = f"/logictrees/shared/{tree.share_token}/"
    page = client.get(shared).content.decode()
    assert "閲覧用（編集できません）" in page
    assert '<form method="post"' not in page
    assert client.get(shared + "tree.png").content.startswith(b"\x89PNG")
    editor_client.post(_url(tree), {"action": "share_off"})
    assert client.get(shared).status_code == 404


def test_index_goes_to_the_users_municipality(
    regions_loaded: None,
    staff_user_factory: Callable[..., User],
    verified_client: Callable[[User], Client],
) -> None:
    client = verified_client(staff_user_factory(municipality=KAINAN, role=Role.VIEWER))
    assert client.get("/logictrees/")["Location"] == f"/logictrees/{KAINAN}/"


def test_reorder_siblings_from_the_node_page(editor_client: Client, tree: LogicTree) -> None:
    response = editor_client.post(
        _url(tree, "nodes/outcome-1/"), {"action": "move_down", "revision": "1"}, follow=True
    )
    assert "並び順を変更しました。" in _messages(response)
    tree.refresh_from_db()
    outcomes = [n["id"] for n in tree.document["nodes"] if n["parent"] == "goal"]
    assert outcomes == ["outcome-2", "outcome-1", "outcome-3"]


def test_operator_adds_kpi_candidates_that_trees_can_use(
    tree: LogicTree, editor_client: Client, verified_client: Callable[[User], Client]
) -> None:
    from machiwb.accounts.testing import make_operator

    assert editor_client.get("/logictrees/kpi-candidates/").status_code == 403
    operator = verified_client(make_operator())
    response = operator.post(
        "/logictrees/kpi-candidates/",
        {
            "code": "evacuation_drills",
            "name_ja": "避難訓練の参加者数",
            "kind": "output",
            "unit": "人",
        },
        follow=True,
    )
    assert "KPI候補「避難訓練の参加者数」を追加しました。" in _messages(response)
    response = operator.post(
        "/logictrees/kpi-candidates/",
        {"code": "Bad Code", "name_ja": "x", "kind": "output"},
        follow=True,
    )
    assert any("code:" in m for m in _messages(response))
    page = editor_client.get(_url(tree, "nodes/measure-1/")).content.decode()
    assert 'value="custom:evacuation_drills"' in page
    operator.post("/logictrees/kpi-candidates/", {"action": "toggle", "code": "evacuation_drills"})
    page = editor_client.get(_url(tree, "nodes/measure-1/")).content.decode()
    assert "custom:evacuation_drills" not in page
