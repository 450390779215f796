"""KPI numbers are written one way, and exported images keep cross-links off node labels."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from matplotlib.colors import to_rgba
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Annotation

from machiwb.accounts.models import Role, User
from machiwb.logictrees.document import LinkType, link_add
from machiwb.logictrees.models import KpiCandidate, KpiKind, LogicTree
from machiwb.logictrees.numbers import kpi_number
from machiwb.logictrees.reference import reference_tree
from machiwb.logictrees.render import tree_figure


@pytest.mark.parametrize(
    ("value", "unit", "written"),
    [
        (None, "人", "—"),
        (12345.678, "人", "12,346人"),
        (1234.56, "千円/人", "1,234.6千円/人"),
        (12.5, "%", "12.5%"),
        (12.0, "%", "12%"),
        (0.123456, "", "0.12"),
        (-0.001, "", "0"),
        (3.256, "1–5", "3.26（1–5）"),
        (52.3456, "偏差値", "52.3（偏差値）"),
        (1000000.0, "", "1,000,000"),
    ],
)
def test_kpi_numbers_have_separators_sensible_decimals_and_the_unit(
    value: float | None, unit: str, written: str
) -> None:
    assert kpi_number(value, unit) == written


@pytest.mark.parametrize(
    ("value", "unit", "written"),
    [
        (1234.56, "thousand yen/person", "1,234.6 thousand yen/person"),
        (12.5, "%", "12.5%"),
        (3.256, "1–5", "3.26 (1–5)"),
        (52.3456, "deviation score", "52.3 (deviation score)"),
        (7.0, "", "7"),
    ],
)
def test_kpi_numbers_in_english_space_the_unit_and_use_ascii_brackets(
    value: float, unit: str, written: str
) -> None:
    with translation.override("en"):
        assert kpi_number(value, unit) == written


@pytest.mark.django_db
def test_tree_page_writes_kpi_values_with_their_unit(
    official_results: None,
    staff_user_factory: Callable[..., User],
    verified_client: Callable[[User], Client],
) -> None:
    KpiCandidate.objects.create(
        code="users", name_ja="一時預かりの利用者数", kind=KpiKind.OUTPUT, unit="人"
    )
    client = verified_client(staff_user_factory(municipality="302023", role=Role.EDITOR))
    client.post("/logictrees/302023/", {"title": "子育て", "reference": "childcare"})
    tree = LogicTree.objects.get(title="子育て")
    base = f"/logictrees/302023/{tree.public_id}/"
    client.post(
        base + "nodes/measure-1/",
        {
            "action": "kpi_set",
            "revision": "1",
            "ref": "custom:users",
            "baseline": "12345.678",
            "target": "15000",
            "target_year": "2028",
        },
    )
    for page in (client.get(base), client.get(base + "nodes/measure-1/")):
        text = page.content.decode()
        assert "12,346人" in text
        assert "15,000人" in text
        assert "12345.68" not in text


@pytest.mark.django_db
def test_english_tree_page_writes_catalog_kpis_with_the_english_unit(
    official_results: None,
    staff_user_factory: Callable[..., User],
    verified_client: Callable[[User], Client],
) -> None:
    client = verified_client(staff_user_factory(municipality="302023", role=Role.EDITOR))
    client.post("/logictrees/302023/", {"title": "医療", "reference": "childcare"})
    tree = LogicTree.objects.get(title="医療")
    base = f"/logictrees/302023/{tree.public_id}/"
    for ref, revision in (("kpi:nhi_medical_cost_per_capita", "1"), ("objective:c01", "2")):
        client.post(
            base + "nodes/measure-1/",
            {"action": "kpi_set", "revision": revision, "ref": ref, "baseline": "321.5"},
        )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for page in (client.get(base), client.get(base + "nodes/measure-1/")):
        text = page.content.decode()
        assert "321.5 thousand yen/person" in text
        assert "321.5 (deviation score)" in text
        assert "千円/人" not in text
    node_page = page.content.decode()
    assert '<optgroup label="Objective KPIs">' in node_page
    assert '<optgroup label="Categories (objective)">' in node_page
    assert "(objective deviation score) [deviation score]</option>" in node_page
    assert "［" not in node_page
    assert "客観偏差値" not in node_page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    text = client.get(base).content.decode()
    assert "321.5千円/人" in text
    assert "321.5（偏差値）" in text
    node_page = client.get(base + "nodes/measure-1/").content.decode()
    assert '<optgroup label="客観指標">' in node_page
    assert "（客観偏差値）［偏差値］</option>" in node_page


def test_cross_links_run_beneath_nodes_from_border_to_border() -> None:
    reference = reference_tree("childcare")
    assert reference is not None
    document = reference.document
    for source, target, kind in [
        ("measure-1", "outcome-3", LinkType.CONTRIBUTES),  # across columns, past other nodes
        ("output-2", "measure-4", LinkType.CONTRIBUTES),
        ("related-measure-1", "measure-1", LinkType.SYNERGY),
    ]:
        document = link_add(document, source=source, target=target, link_type=kind)
    figure = tree_figure(document)
    ax = figure.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    links = [t for t in ax.texts if isinstance(t, Annotation)]
    labels = [
        t
        for t in ax.texts
        if not isinstance(t, Annotation) and t.get_text() not in ("", document.title)
    ]
    assert len(links) == len(document.links) == 4
    node_z = {b.get_zorder() for b in boxes}
    assert len(node_z) == 1
    assert all(to_rgba(b.get_facecolor())[3] == 1 for b in boxes)  # opaque
    arrows = [a.arrow_patch for a in links if a.arrow_patch is not None]
    assert len(arrows) == 4
    assert max(a.get_zorder() for a in arrows) < min(node_z)
    assert min(t.get_zorder() for t in labels) > max(node_z)
    edges = [
        (b.get_x(), b.get_x() + b.get_width(), b.get_y(), b.get_y() + b.get_height()) for b in boxes
    ]
    for link in links:
        for x, y in (link.xy, link.xyann):
            # each end lies on the left or right side of a node, never inside one
            assert any(
                min(abs(x - left), abs(x - right)) < 0.05 and top <= y <= bottom
                for left, right, top, bottom in edges
            ), (x, y)
            assert not any(
                left + 0.05 < x < right - 0.05 and top < y < bottom
                for left, right, top, bottom in edges
            )
