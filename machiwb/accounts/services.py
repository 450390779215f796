"""Writes for accounts: two-factor devices, invitations, roles, sessions (アカウントの操作)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from machiwb.accounts.models import Invitation, Membership, Role, User, new_session_salt
from machiwb.audit.services import audit_log_write
from machiwb.regions.models import Municipality

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


class AccountRuleError(Exception):
    """A change to accounts that the rules forbid; the message says why, for the user."""


#: Days an invitation link stays valid.
INVITATION_DAYS = 7


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(
    *, actor: User, municipality: Municipality, email: str, role: Role
) -> tuple[Invitation, str]:
    """Create an invitation and return it with the secret for the e-mailed link.

    Earlier open invitations of the same address to the same municipality are revoked.
    """
    email = email.strip().lower()
    if Membership.objects.filter(user__email=email, municipality=municipality).exists():
        raise AccountRuleError(
            gettext("%(email)s はすでにこの自治体の職員として登録されています。") % {"email": email}
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            email=email, municipality=municipality, accepted_at=None, revoked_at=None
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            email=email,
            municipality=municipality,
            role=role,
            token_hash=_token_hash(token),
            invited_by=actor,
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        audit_log_write(
            actor=actor,
            action="account.invite",
            municipality=municipality,
            target=invitation,
            summary=f"{email} を{Role(role).label}として招待",
            details={"email": email, "role": str(role)},
        )
    return invitation, token


def invitation_send(*, invitation: Invitation, token: str, accept_url: str) -> None:
    """E-mail the invitation link (console backend locally, SMTP by env var)."""
    context = {"invitation": invitation, "accept_url": accept_url, "days": INVITATION_DAYS}
    send_mail(
        subject=render_to_string("accounts/email/invitation_subject.txt", context).strip(),
        message=render_to_string("accounts/email/invitation_body.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_by_token(token: str) -> Invitation | None:
    """The open invitation for the link's secret, or None (unknown, used, revoked, expired)."""
    invitation = (
        Invitation.objects.select_related("municipality")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if invitation is None or not invitation.is_open:
        return None
    return invitation


def invitation_accept(
    *, invitation: Invitation, user: User | None, password: str, display_name: str = ""
) -> User:
    """Accept: create the account (``user`` None) or add the membership to ``user``."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_open:
            raise AccountRuleError(gettext("この招待はすでに使われたか、期限が切れています。"))
        if user is None:
            user = User.objects.create_user(
                locked.email, password, display_name=display_name.strip()
            )
        Membership.objects.update_or_create(
            user=user, municipality=locked.municipality, defaults={"role": locked.role}
        )
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
        audit_log_write(
            actor=user,
            action="account.invite_accept",
            municipality=locked.municipality,
            target=locked,
            summary=f"招待を受諾（{Role(locked.role).label}）",
        )
    return user


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        audit_log_write(
            actor=actor,
            action="account.invite_revoke",
            municipality=invitation.municipality,
            target=invitation,
            summary=f"{invitation.email} への招待を取消",
        )


def _other_admins_exist(*, municipality: Municipality, user: User) -> bool:
    return (
        Membership.objects.filter(municipality=municipality, role=Role.ADMIN)
        .exclude(user=user)
        .filter(user__is_active=True)
        .exists()
    )


def membership_role_change(
    *, actor: User, municipality: Municipality, member: User, role: Role
) -> Membership:
    """Change a staff member's role; the last admin of a municipality cannot be demoted."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(
            user=member, municipality=municipality
        )
        old = Role(membership.role)
        if old == role:
            return membership
        if old == Role.ADMIN and not _other_admins_exist(municipality=municipality, user=member):
            raise AccountRuleError(
                gettext(
                    "自治体には少なくとも1人の管理者が必要です。先に別の管理者を任命してください。"
                )
            )
        membership.role = role
        membership.save(update_fields=["role"])
        audit_log_write(
            actor=actor,
            action="account.role_change",
            municipality=municipality,
            target=member,
            summary=f"{member.email}: {old.label} → {role.label}",
            details={"from": str(old), "to": str(role)},
        )
    return membership


def membership_remove(*, actor: User, municipality: Municipality, member: User) -> None:
    """Remove a staff member from the municipality (the account itself stays)."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(
            user=member, municipality=municipality
        )
        if membership.role == Role.ADMIN and not _other_admins_exist(
            municipality=municipality, user=member
        ):
            raise AccountRuleError(
                gettext(
                    "自治体には少なくとも1人の管理者が必要です。先に別の管理者を任命してください。"
                )
            )
        membership.delete()
        audit_log_write(
            actor=actor,
            action="account.member_remove",
            municipality=municipality,
            target=member,
            summary=f"{member.email} を職員から外す",
        )


def operator_create(*, email: str, password: str) -> User:
    """Create an operator (運営者) account; two-factor enrolment happens at first sign-in."""
    validate_password(password, User(email=email))
    with transaction.atomic():
        user = User.objects.create_user(
            email, password, is_operator=True, is_staff=True, is_superuser=True
        )
        audit_log_write(actor=None, action="account.operator_create", target=user, summary=email)
    return user
