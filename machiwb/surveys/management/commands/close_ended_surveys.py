from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from machiwb.surveys.services import surveys_close_ended, verified_subjects_delete_expired


class Command(BaseCommand):
    help = (
        "回答受付終了日を過ぎた公開中の調査を終了し、その年度の指標の再計算を登録する。"
        "終了から MACHIWB_VERIFIED_SUBJECTS_KEPT_DAYS 日たった調査の本人確認の記録を削除する"
        "（毎晩 machiwb-close-surveys.timer から実行）。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        closed = surveys_close_ended(today=today)
        for survey, job in closed:
            self.stdout.write(
                f"closed {survey.public_id} closes_on={survey.closes_on} "
                f"fiscal_year={survey.fiscal_year} recompute={job.public_id}"
            )
        self.stdout.write(f"closed={len(closed)}")
        forgotten = verified_subjects_delete_expired(today=today)
        for survey, count in forgotten:
            self.stdout.write(f"verified subjects deleted {survey.public_id} count={count}")
        self.stdout.write(f"verified_subjects_deleted={len(forgotten)}")
