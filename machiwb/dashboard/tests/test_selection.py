"""The selection lives in the URL: it round-trips, and bad values are dropped with a reason."""

from __future__ import annotations

from django.http import QueryDict

from machiwb.dashboard.selection import Selection, parse_selection


def test_selection_round_trips_through_the_query_string() -> None:
    selection = Selection(
        prefecture="30",
        municipality="302015",
        survey_type="national",
        fiscal_year=2026,
        compare=("302023", "302031"),
        years=(2024, 2025),
        layout="multiples",
    )
    parsed, errors = parse_selection(QueryDict(selection.query()))
    assert errors == []
    assert parsed == selection


def test_bad_values_are_dropped_and_explained() -> None:
    parsed, errors = parse_selection(
        QueryDict("m=12&type=mystery&fy=1999&c=abc&c=302015&y=2026&y=x&layout=weird")
    )
    assert parsed == Selection(compare=("302015",), years=(2026,))
    assert len(errors) == 5
    assert any("団体コード「12」" in e for e in errors)
    assert any("調査の種類「mystery」" in e for e in errors)
    assert any("年度「1999」" in e for e in errors)


def test_at_most_five_municipalities() -> None:
    codes = ["302023", "302031", "302040", "302058", "302066", "302074"]
    parsed, errors = parse_selection(QueryDict("m=302015&" + "&".join(f"c={c}" for c in codes)))
    assert parsed.municipalities == ("302015", *codes[:4])
    assert any("5団体まで" in e for e in errors)


def test_main_municipality_and_duplicates_are_not_repeated_in_compare() -> None:
    parsed, _errors = parse_selection(QueryDict("m=302015&c=302015&c=302023&c=302023"))
    assert parsed.compare == ("302023",)
