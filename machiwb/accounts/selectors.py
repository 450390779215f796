"""Reads for account management pages (職員・招待の一覧)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from machiwb.accounts.models import Invitation, Membership
from machiwb.regions.models import Municipality


def membership_list(*, municipality: Municipality) -> QuerySet[Membership]:
    """Staff of the municipality, by e-mail address (not by rank or date)."""
    return (
        Membership.objects.filter(municipality=municipality)
        .select_related("user")
        .order_by("user__email")
    )


def invitation_open_list(*, municipality: Municipality | None = None) -> QuerySet[Invitation]:
    """Invitations not yet accepted, revoked or expired; newest first."""
    invitations = Invitation.objects.filter(
        accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).select_related("municipality", "invited_by")
    if municipality is not None:
        invitations = invitations.filter(municipality=municipality)
    return invitations.order_by("-created_at")
