from machiwb.surveys.models import Response
from machiwb.surveys.standard_columns import CATEGORY_ITEM_COLUMNS, STANDARD_COLUMNS


def test_standard_columns_cover_24_categories_and_50_questions() -> None:
    assert len(STANDARD_COLUMNS) == 51  # 46 items + q1..q5 (q5 optional)
    assert CATEGORY_ITEM_COLUMNS[0] == "c01_1"
    assert CATEGORY_ITEM_COLUMNS[-1] == "c24_1"
    assert "c17_5" in CATEGORY_ITEM_COLUMNS
    assert len({c[:3] for c in CATEGORY_ITEM_COLUMNS}) == 24


def test_response_has_no_identifying_or_ordering_fields() -> None:
    names = {f.name for f in Response._meta.get_fields()}
    assert set(STANDARD_COLUMNS) <= names
    forbidden = {"user", "ip", "ip_address", "user_agent", "created_at", "submitted_at", "code"}
    assert not names & forbidden
    assert Response._meta.pk is not None
    assert Response._meta.pk.get_internal_type() == "UUIDField"
