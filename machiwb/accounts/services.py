"""Writes for accounts: two-factor devices and recovery codes (二要素認証の登録)."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from machiwb.accounts.models import User, new_session_salt
from machiwb.audit.services import audit_log_write

#: How many single-use recovery codes a user gets at enrolment.
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first call (for the enrolment QR)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_enrolment_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``device`` with a first code; return fresh recovery codes, or None if wrong.

    Confirming replaces any earlier authenticator and recovery codes of the user.
    """
    with transaction.atomic():
        if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_regenerate(user=user)
        audit_log_write(actor=user, action="account.totp_enrol", summary="二要素認証を登録")
    return codes


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace the user's recovery codes with new single-use ones and return them."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def sessions_end_all(*, user: User) -> None:
    """End every signed-in session of ``user`` on every device (すべての端末からログアウト)."""
    with transaction.atomic():
        user.session_salt = new_session_salt()
        user.save(update_fields=["session_salt"])
        audit_log_write(
            actor=user, action="account.logout_everywhere", summary="すべての端末からログアウト"
        )
