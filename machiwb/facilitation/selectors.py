"""Reads of the facilitation app (派遣事業の一覧・検索), with related rows preloaded."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from machiwb.accounts.models import ROLE_RANK, Role, User
from machiwb.audit.models import AuditEntry
from machiwb.core.wareki import fiscal_year_of
from machiwb.facilitation.matching import Problem, availability_problem
from machiwb.facilitation.models import (
    BOOKED_STATES,
    Dispatch,
    DispatchState,
    Facilitator,
    FacilitatorUnavailability,
    WorkshopReport,
)
from machiwb.regions.models import Municipality


def facilitator_public_list() -> list[Facilitator]:
    """Facilitators who agreed to be listed and are certified today (公開リスト)."""
    today = timezone.localdate()
    return list(
        Facilitator.objects.filter(
            is_active=True,
            is_public=True,
            training_completed_on__lte=today,
            certification_valid_until__gte=today,
        ).prefetch_related("prefectures")
    )


def facilitator_get(*, public_id: uuid.UUID) -> Facilitator | None:
    """One registry entry with what its edit form shows (operator pages only)."""
    return (
        Facilitator.objects.select_related("user")
        .prefetch_related("prefectures", "unavailabilities")
        .filter(public_id=public_id)
        .first()
    )


def facilitator_registry_list() -> list[Facilitator]:
    """Every registry entry, for the operator (登録簿)."""
    return list(
        Facilitator.objects.select_related("user").prefetch_related(
            "prefectures", "unavailabilities"
        )
    )


@dataclass(frozen=True)
class DayCheck:
    """One candidate day for one facilitator: free, or the rule that stands in the way."""

    day: datetime.date
    problem: Problem | None

    @property
    def is_free(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class MatchRow:
    """A facilitator on the matching screen with their availability on each candidate day."""

    facilitator: Facilitator
    days: list[DayCheck]

    @property
    def free_days(self) -> list[datetime.date]:
        return [check.day for check in self.days if check.is_free]


def match_rows(
    *,
    dispatch: Dispatch,
    prefecture_code: str = "",
    specialty: str = "",
    available_only: bool = True,
) -> list[MatchRow]:
    """Candidates for ``dispatch`` (マッチング候補), filtered as the operator chose.

    ``prefecture_code`` keeps facilitators covering that prefecture; ``specialty`` those with
    that specialty; ``available_only`` those free (certified, available, not booked) on at
    least one candidate day. Three queries whatever the registry size.
    """
    days = [c.day for c in dispatch.date_candidates.all()]
    facilitators = Facilitator.objects.prefetch_related(
        "prefectures",
        Prefetch(
            "unavailabilities",
            queryset=FacilitatorUnavailability.objects.filter(
                start__lte=max(days, default=datetime.date.max),
                end__gte=min(days, default=datetime.date.min),
            ),
        ),
    )
    if prefecture_code:
        facilitators = facilitators.filter(prefectures__code=prefecture_code)
    booked: dict[int, set[datetime.date]] = defaultdict(set)
    for facilitator_id, day in (
        Dispatch.objects.filter(workshop_date__in=days, state__in=BOOKED_STATES)
        .exclude(pk=dispatch.pk)
        .values_list("facilitator_id", "workshop_date")
    ):
        if facilitator_id is not None and day is not None:
            booked[facilitator_id].add(day)
    rows = []
    for facilitator in facilitators:
        if specialty and specialty not in facilitator.specialties:
            continue
        periods = [(u.start, u.end) for u in facilitator.unavailabilities.all()]
        checks = [
            DayCheck(
                day,
                availability_problem(
                    facilitator=facilitator,
                    day=day,
                    unavailable=periods,
                    booked_days=booked[facilitator.pk],
                ),
            )
            for day in days
        ]
        row = MatchRow(facilitator=facilitator, days=checks)
        if available_only and not row.free_days:
            continue
        rows.append(row)
    return rows


def _dispatches() -> QuerySet[Dispatch]:
    return Dispatch.objects.select_related(
        "municipality__prefecture", "facilitator", "applicant"
    ).prefetch_related("date_candidates")


def dispatch_list_for_staff(*, user: User) -> list[Dispatch]:
    """Applications of every municipality the user belongs to (自治体の申請一覧)."""
    return list(_dispatches().filter(municipality__memberships__user=user).distinct())


def dispatch_list_for_facilitator(*, user: User) -> list[Dispatch]:
    """What the user was asked to do or is assigned to, soonest first (担当一覧)."""
    return list(_dispatches().filter(facilitator__user=user).order_by("workshop_date", "id"))


#: States in which the next step is the operator's (運営者の対応待ち).
WAITING_FOR_OPERATOR = (
    DispatchState.SUBMITTED,
    DispatchState.ACCEPTED,
    DispatchState.DECIDED,
    DispatchState.REPORTED,
)


def dispatch_list_for_fiscal_year(
    *, fiscal_year: int, states: Iterable[str] | None = None
) -> list[Dispatch]:
    """Every dispatch of one fiscal year (or those in ``states``), for the operator (年度別一覧).

    Ordered by date and municipality code, never by anything that could read as a ranking.
    """
    dispatches = _dispatches().prefetch_related("reports").filter(fiscal_year=fiscal_year)
    if states is not None:
        dispatches = dispatches.filter(state__in=list(states))
    return list(dispatches.order_by("workshop_date", "municipality__code", "created_at"))


def dispatch_fiscal_years() -> list[int]:
    """Fiscal years with dispatches, plus the current one, newest first."""
    years = set(Dispatch.objects.values_list("fiscal_year", flat=True).distinct())
    years.add(fiscal_year_of(timezone.localdate()))
    return sorted(years, reverse=True)


def municipalities_where_staff_may_apply(*, user: User) -> list[Municipality]:
    """Municipalities in which the user is editor or admin (申請できる自治体)."""
    if not user.is_authenticated:
        return []
    roles = [role for role, rank in ROLE_RANK.items() if rank >= ROLE_RANK[Role.EDITOR]]
    return list(
        Municipality.objects.filter(memberships__user=user, memberships__role__in=roles).order_by(
            "code"
        )
    )


def dispatch_reports(*, dispatch: Dispatch) -> dict[str, WorkshopReport]:
    """The dispatch's reports keyed by role (``organiser``, ``facilitator``)."""
    return {r.role: r for r in dispatch.reports.select_related("author")}


def dispatch_history(*, dispatch: Dispatch) -> Iterable[AuditEntry]:
    """The audit entries of this dispatch, oldest first (経過)."""
    return AuditEntry.objects.filter(
        object_type=Dispatch._meta.label_lower, object_id=str(dispatch.public_id)
    ).order_by("at", "id")


def dispatch_waiting_for_operator() -> int:
    """How many dispatches wait for the operator's next step (運営者の対応待ち)."""
    return Dispatch.objects.filter(state__in=WAITING_FOR_OPERATOR).count()
