"""Reads of the dashboard's own data: a user's favourites; whether results are generated."""

from __future__ import annotations

from machiwb.accounts.models import User
from machiwb.dashboard.models import Favorite
from machiwb.indicators.models import ScoreRun
from machiwb.surveys.models import Survey

GENERATED_TITLE_MARK = "【デモ・生成データ】"
"""How a demo survey with generated (not real) responses is marked in its title."""


def favorite_list(*, user: User) -> list[Favorite]:
    """The user's favourites in the order they were added."""
    return list(
        Favorite.objects.filter(user=user).select_related("municipality").order_by("created_at")
    )


def favorite_for(*, user: User, query: str) -> Favorite | None:
    return Favorite.objects.filter(user=user, query=query).first()


def run_uses_generated_responses(*, run: ScoreRun, municipality_code: str) -> bool:
    """Whether a run's results for a municipality were computed from a demo survey's
    generated responses (生成データ), so the page can say they are not real results."""
    surveys = list((run.inputs or {}).get("responses_by_survey", {}))
    if not surveys:
        return False
    return Survey.objects.filter(
        public_id__in=surveys,
        municipality_id=municipality_code,
        title__startswith=GENERATED_TITLE_MARK,
    ).exists()
