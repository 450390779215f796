"""Whether a facilitator can take a workshop on a day (派遣可否の判定), on plain data.

Shared by the proposal service (which refuses) and the matching screen (which explains), so
both apply exactly the same rules. No database access here: callers pass the facilitator's
unavailable periods and already-booked days.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from machiwb.facilitation.models import Facilitator


@dataclass(frozen=True)
class Problem:
    """Why a facilitator cannot take a day; ``field`` is the form field it belongs to."""

    field: str
    message: str


def availability_problem(
    *,
    facilitator: Facilitator,
    day: datetime.date,
    unavailable: Iterable[tuple[datetime.date, datetime.date]],
    booked_days: Collection[datetime.date],
) -> Problem | None:
    """The first rule ``facilitator`` breaks on ``day``, or None when they can be matched.

    The rules: in the registry as dispatchable; certification valid on the day (a lapsed
    facilitator must take the renewal course first); works on that weekday; not in an
    unavailable period; no other workshop booked on that day.
    """
    name = facilitator.name
    if not facilitator.is_active:
        return Problem("facilitator", _("%(name)s さんは現在派遣対象外です。") % {"name": name})
    if not facilitator.is_certified_on(day):
        return Problem(
            "facilitator",
            _(
                "%(name)s さんの認定は %(day)s の時点で有効ではありません"
                "（有効期限 %(until)s）。更新研修の修了が必要です。"
            )
            % {
                "name": name,
                "day": day.isoformat(),
                "until": facilitator.certification_valid_until.isoformat(),
            },
        )
    if not facilitator.works_on_weekday(day):
        return Problem(
            "workshop_date",
            _("%(name)s さんは %(day)s の曜日には対応していません。")
            % {"name": name, "day": day.isoformat()},
        )
    if any(start <= day <= end for start, end in unavailable):
        return Problem(
            "workshop_date",
            _("%(name)s さんは %(day)s は不在期間です。") % {"name": name, "day": day.isoformat()},
        )
    if day in booked_days:
        return Problem(
            "workshop_date",
            _("%(name)s さんは %(day)s に別の派遣が入っています。")
            % {"name": name, "day": day.isoformat()},
        )
    return None
