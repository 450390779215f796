"""The standard programme and the material links of a workshop sheet."""

from __future__ import annotations

import pytest

from machiwb.facilitation.programme import STANDARD_PROGRAMME, Material, material_links


def test_standard_programme_is_two_hours_then_three() -> None:
    morning, afternoon = STANDARD_PROGRAMME
    assert (morning.minutes, afternoon.minutes) == (120, 180)


@pytest.mark.parametrize(
    ("line", "href"),
    [
        ("/dashboard/?pref=30&m=302015", "/dashboard/?pref=30&m=302015"),
        (
            "/logictrees/shared/0b6c1a52-3d7e-4bb1-9d4a-111111111111/",
            "/logictrees/shared/0b6c1a52-3d7e-4bb1-9d4a-111111111111/",
        ),
        ("//elsewhere.example/x", ""),
        ("/\\elsewhere.example", ""),
        ("https://elsewhere.example/", ""),
        ("javascript:alert(1)", ""),
        ("/two words", ""),
        ("子育て分野の参考ロジックツリー", ""),
    ],
)
def test_only_same_site_paths_become_links(line: str, href: str) -> None:
    assert material_links(f"  {line}  \n\n") == [Material(text=line, href=href)]
