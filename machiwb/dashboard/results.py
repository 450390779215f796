"""Results for the dashboard and the open-data API, read through the indicators selectors.

Both the pages and the API read every number through this module, so they always show the same
values and the same suppression. Municipalities keep the order the user chose; nothing here
sorts by a score.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from machiwb.core.wareki import fiscal_year_label, wareki_date
from machiwb.dashboard.selectors import run_uses_generated_responses
from machiwb.indicators.models import ScoreOrigin, ScoreRun
from machiwb.indicators.selectors import (
    MunicipalityScores,
    ProfileCell,
    min_public_cell_n,
    score_available,
    score_municipality,
    score_run_current,
)
from machiwb.regions.models import Municipality
from machiwb.surveys.models import SurveyType


@dataclass(frozen=True)
class Result:
    """One municipality's results for one fiscal year and survey type (表示する結果)."""

    municipality: Municipality
    scores: MunicipalityScores
    run_date: datetime.date
    """The day the results were computed or imported (算出・取込日)."""
    generated: bool = False
    """Computed from a demo survey's generated responses (not a real survey's results)."""

    @property
    def has_scores(self) -> bool:
        """Whether any category has a 偏差値 (a 個別調査 without a reference set has none)."""
        return any(
            c.subjective_score is not None or c.objective_score is not None
            for c in self.scores.categories
        )

    @property
    def region(self) -> str:
        return f"{self.municipality.prefecture.name} {self.municipality.name}"

    @property
    def fiscal_year_text(self) -> str:
        return fiscal_year_label(self.scores.fiscal_year)

    @property
    def survey_type_text(self) -> str:
        return str(SurveyType(self.scores.survey_type).label)

    @property
    def n_text(self) -> str:
        if self.scores.n is None:
            return _("回答者数 n：公表値に記載なし")
        return _("回答者数 n=%(n)s") % {"n": f"{self.scores.n:,}"}

    @property
    def n_short(self) -> str:
        if self.scores.n is None:
            return _("（n 記載なし）")
        return _("（n=%(n)s）") % {"n": f"{self.scores.n:,}"}

    @property
    def official(self) -> bool:
        return self.scores.origin == ScoreOrigin.OFFICIAL

    @property
    def source_text(self) -> str:
        """The source with the date of the results, printed on every chart."""
        if self.official:
            source = _(
                "出典：デジタル庁「地域幸福度（Well-Being）指標」%(fy)s版 %(type)s 公表値"
            ) % {
                "fy": self.fiscal_year_text,
                "type": self.survey_type_text,
            }
            dated = _("（%(date)s 取込）")
        else:
            source = _("出典：machiwb が回答から算出（%(type)s・調査票 %(catalog)s）") % {
                "type": self.survey_type_text,
                "catalog": self.scores.catalog_version,
            }
            dated = _("（%(date)s 算出）")
        return source + dated % {"date": wareki_date(self.run_date)}

    @property
    def short_label(self) -> str:
        return f"{self.municipality.name} {self.scores.fiscal_year}"

    @property
    def meta_line(self) -> str:
        """Survey type, fiscal year and n: printed on every chart."""
        return _("%(type)s・%(year)s・%(n)s") % {
            "type": self.survey_type_text,
            "year": self.fiscal_year_text,
            "n": self.n_text,
        }


def result_load(
    *,
    municipality: Municipality,
    fiscal_year: int,
    survey_type: str,
    run: ScoreRun | None = None,
) -> Result | None:
    """The current results of a municipality, or None when none are published.

    Pass ``run`` when it is already known (several municipalities of one year)."""
    if run is None:
        run = score_run_current(fiscal_year=fiscal_year, survey_type=survey_type)
    if run is None or (run.fiscal_year, run.survey_type) != (fiscal_year, survey_type):
        return None
    scores = scores_cached(run=run, municipality_code=municipality.code)
    if not scores.has_results:
        return None
    return Result(
        municipality=municipality,
        scores=scores,
        run_date=run.created_at.date(),
        generated=run_uses_generated_responses(run=run, municipality_code=municipality.code),
    )


SCORES_CACHE_SECONDS = 24 * 60 * 60


def scores_cached(*, run: ScoreRun, municipality_code: str) -> MunicipalityScores:
    """score_municipality, cached: a run is never changed once written, so its results can be
    kept by the run's id (with the language of the labels and the suppression threshold)."""
    key = ":".join(
        (
            "dashboard:scores:v2",
            str(run.public_id),
            municipality_code,
            get_language() or "ja",
            str(min_public_cell_n()),
        )
    )
    cached = cache.get(key)
    if isinstance(cached, MunicipalityScores):
        return cached
    scores = score_municipality(run=run, municipality_code=municipality_code)
    cache.set(key, scores, SCORES_CACHE_SECONDS)
    return scores


def result_years(*, municipality_code: str, survey_type: str) -> list[int]:
    """Fiscal years with published results for a municipality and survey type, newest first."""
    return [
        year
        for year, kind in score_available(municipality_code=municipality_code)
        if kind == survey_type
    ]


@dataclass(frozen=True)
class ProfileTable:
    """回答者の属性: respondents by 年代 (rows) × 性別 (columns); None = not shown."""

    ages: tuple[str, ...]
    genders: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    suppressed: int
    minimum: int


def profile_table(scores: MunicipalityScores) -> ProfileTable | None:
    """The respondent profile as a 年代 × 性別 table, suppressed exactly as the selector did
    (small cells and the cells hidden to protect them)."""
    cells: list[ProfileCell] = list(scores.profile)
    if not cells:
        return None
    ages = tuple(dict.fromkeys(c.age_label for c in cells))
    genders = tuple(dict.fromkeys(c.gender_label for c in cells))
    values = {(c.age_label, c.gender_label): c.n for c in cells}
    return ProfileTable(
        ages=ages,
        genders=genders,
        cells=tuple(tuple(values[(age, gender)] for gender in genders) for age in ages),
        suppressed=sum(1 for c in cells if c.suppressed),
        minimum=scores.min_public_n,
    )
