"""Writing the audit log: the one route every consequential action takes."""

from __future__ import annotations

from typing import Any

from django.db import models

from machiwb.accounts.models import User
from machiwb.audit.models import AuditEntry
from machiwb.regions.models import Municipality

#: Keys that must never reach the log: answers, codes, secrets.
FORBIDDEN_DETAIL_KEYS = frozenset(
    {"answers", "answer", "code", "codes", "invitation_code", "password", "token", "otp", "secret"}
)


def _check_details(details: dict[str, Any]) -> None:
    for key, value in details.items():
        if key.lower() in FORBIDDEN_DETAIL_KEYS:
            raise ValueError(f"audit details must not contain {key!r}")
        if isinstance(value, dict):
            _check_details(value)


def audit_log_write(
    *,
    actor: User | None,
    action: str,
    municipality: Municipality | None = None,
    target: models.Model | None = None,
    summary: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the same transaction as the action it records.

    ``action`` is a dotted name such as ``survey.publish`` or ``kpi.import``; ``target`` is
    the object acted on (its public id is stored when it has one, else its primary key).
    """
    details = details or {}
    _check_details(details)
    object_type = object_id = ""
    if target is not None:
        object_type = target._meta.label_lower
        object_id = str(getattr(target, "public_id", None) or target.pk)
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor.email if actor is not None else "system",
        municipality=municipality,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        details=details,
    )
