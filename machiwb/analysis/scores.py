"""Category 偏差値 for the analysis, read through the indicators app's score selectors.

Performance is the subjective 偏差値 and the gap needs the objective one, both from the
current score run of the survey's fiscal year. A 個別調査 without its own run falls back to the
全国調査 run of the same year, and the page says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache

from machiwb.indicators.models import ScoreCell, ScoreRun
from machiwb.indicators.selectors import score_municipality, score_run_current
from machiwb.surveys.models import Survey, SurveyType

if TYPE_CHECKING:
    from machiwb.analysis.selectors import CategoryInfo

ALL = "all"


@dataclass(frozen=True)
class ScoreSet:
    """One municipality's unclipped category 偏差値 in catalog order, with where they come from."""

    run: ScoreRun
    municipality_code: str
    subjective: tuple[float | None, ...]
    objective: tuple[float | None, ...]
    analysed_survey_type: str

    @property
    def from_other_survey_type(self) -> bool:
        """True when a 個別調査 is compared with 全国調査 scores."""
        return self.run.survey_type != self.analysed_survey_type


def _score_set(
    run: ScoreRun, code: str, categories: Sequence[CategoryInfo], survey_type: str
) -> ScoreSet | None:
    result = score_municipality(run=run, municipality_code=code)
    if not result.has_results:
        return None
    by_code = {c.code: c for c in result.categories}
    subjective: list[float | None] = []
    objective: list[float | None] = []
    for info in categories:
        score = by_code.get(info.code)
        subjective.append(score.subjective_score_raw if score else None)
        objective.append(score.objective_score_raw if score else None)
    if all(v is None for v in subjective + objective):
        return None  # e.g. a 個別調査 run without a reference set: 実数 but no 偏差値
    return ScoreSet(run, code, tuple(subjective), tuple(objective), survey_type)


def category_scores(
    *, survey: Survey, municipality_code: str, categories: Sequence[CategoryInfo]
) -> ScoreSet | None:
    """The municipality's scores for the survey's year, or None when none are computed."""
    types = [survey.survey_type]
    if survey.survey_type == SurveyType.INDIVIDUAL:
        types.append(SurveyType.NATIONAL)
    for survey_type in types:
        run = score_run_current(fiscal_year=survey.fiscal_year, survey_type=survey_type)
        if run is None:
            continue
        scores = _score_set(run, municipality_code, categories, survey.survey_type)
        if scores is not None:
            return scores
    return None


def _has_subjective(categories: object) -> bool:
    """Whether a cell's ``categories`` (documented on ScoreCell: [主観実数[], 主観偏差値[], …])
    holds any subjective 偏差値."""
    if not isinstance(categories, list) or len(categories) < 2:
        return False
    scores = categories[1]
    return isinstance(scores, list) and any(v is not None for v in scores)


def scored_municipality_codes(run: ScoreRun) -> list[str]:
    """Codes of the municipalities with subjective category scores in the run.

    A run can hold objective scores for every municipality; only those with survey results
    can be compared on performance and gap. The list is cached per run (runs never change).
    """
    key = f"analysis:v1:scored:{run.public_id}"
    cached = cache.get(key)
    if isinstance(cached, list):
        return cached
    cells = ScoreCell.objects.filter(run=run, breakdown=ALL).values_list(
        "municipality_id", "categories"
    )
    codes = [code for code, categories in cells if _has_subjective(categories)]
    cache.set(key, codes, 3600)
    return codes


def peer_score_sets(
    scores: ScoreSet, codes: Sequence[str], categories: Sequence[CategoryInfo]
) -> dict[str, ScoreSet]:
    """Scores of the chosen peer municipalities in the same run."""
    peers: dict[str, ScoreSet] = {}
    for code in codes:
        peer = _score_set(scores.run, code, categories, scores.analysed_survey_type)
        if peer is not None:
            peers[code] = peer
    return peers
