from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from machiwb.surveys.services import surveys_close_ended


class Command(BaseCommand):
    help = (
        "回答受付終了日を過ぎた公開中の調査を終了し、その年度の指標の再計算を登録する"
        "（毎晩 machiwb-close-surveys.timer から実行）。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        closed = surveys_close_ended(today=timezone.localdate())
        for survey, job in closed:
            self.stdout.write(
                f"closed {survey.public_id} closes_on={survey.closes_on} "
                f"fiscal_year={survey.fiscal_year} recompute={job.public_id}"
            )
        self.stdout.write(f"closed={len(closed)}")
