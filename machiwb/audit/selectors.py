"""Reading the audit log (監査ログの閲覧): who may see which entries, and filtering."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from machiwb.accounts.models import Membership, Role, User
from machiwb.audit.models import AuditEntry
from machiwb.regions.models import Municipality


@dataclass(frozen=True)
class AuditFilter:
    """Filters for the audit log; every field is optional."""

    municipality_code: str = ""
    action: str = ""
    actor: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_admin_municipalities(*, user: User) -> QuerySet[Municipality]:
    """Municipalities whose audit log ``user`` may read as a municipality admin (管理者)."""
    return Municipality.objects.filter(
        memberships__user=user, memberships__role=Role.ADMIN
    ).order_by("code")


def audit_entries_visible(*, user: User) -> QuerySet[AuditEntry]:
    """Operators see every entry; a municipality admin sees their municipalities' entries."""
    entries = AuditEntry.objects.select_related("municipality")
    if user.is_operator:
        return entries
    codes = Membership.objects.filter(user=user, role=Role.ADMIN).values("municipality_id")
    return entries.filter(municipality_id__in=codes)


def audit_entries_filter(
    entries: QuerySet[AuditEntry], audit_filter: AuditFilter
) -> QuerySet[AuditEntry]:
    """Apply ``audit_filter``; dates are whole days in the site's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    if audit_filter.municipality_code:
        entries = entries.filter(municipality_id=audit_filter.municipality_code)
    if audit_filter.action:
        entries = entries.filter(action__startswith=audit_filter.action)
    if audit_filter.actor:
        entries = entries.filter(actor_label__icontains=audit_filter.actor)
    if audit_filter.date_from:
        start = dt.datetime.combine(audit_filter.date_from, dt.time.min, tzinfo=zone)
        entries = entries.filter(at__gte=start)
    if audit_filter.date_to:
        end = dt.datetime.combine(audit_filter.date_to + dt.timedelta(days=1), dt.time.min, zone)
        entries = entries.filter(at__lt=end)
    return entries.order_by("-at", "-id")


def audit_action_names(entries: QuerySet[AuditEntry]) -> list[str]:
    """The distinct action names among ``entries``, alphabetical (for the filter menu)."""
    return sorted(set(entries.values_list("action", flat=True).distinct()))
