from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from machiwb.indicators.compute import Parameters
from machiwb.indicators.services import ComputeError, indicators_compute
from machiwb.surveys.models import SurveyType


class Command(BaseCommand):
    help = "回答とKPIの値から、指定年度の地域幸福度指標を全市区町村・全内訳について再計算する。"

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Parameters()
        parser.add_argument("--fiscal-year", type=int, required=True)
        parser.add_argument("--survey-type", choices=SurveyType.values, default=SurveyType.NATIONAL)
        parser.add_argument(
            "--subjective-min-population", type=int, default=defaults.subjective_min_population
        )
        parser.add_argument(
            "--subjective-min-responses", type=int, default=defaults.subjective_min_responses
        )
        parser.add_argument(
            "--objective-min-population", type=int, default=defaults.objective_min_population
        )

    def handle(self, *args: Any, **options: Any) -> None:
        parameters = Parameters(
            subjective_min_population=options["subjective_min_population"],
            subjective_min_responses=options["subjective_min_responses"],
            objective_min_population=options["objective_min_population"],
        )
        try:
            run = indicators_compute(
                fiscal_year=options["fiscal_year"],
                survey_type=options["survey_type"],
                parameters=parameters,
            )
        except ComputeError as exc:
            raise CommandError(str(exc.text)) from exc
        self.stdout.write(
            f"run={run.public_id} responses={run.response_count} "
            f"municipalities={run.municipality_count} results_sha256={run.results_sha256}"
        )
