"""Demo accounts for a local demonstration only (デモ用アカウント、DEBUG のときだけ).

The passwords and the TOTP secret below are public: they are printed by ``load_demo`` and
written here. They are created only when DJANGO_DEBUG is on, and never in production.
The municipalities are real (和歌山市 302015, 海南市 302023); the people are not.
"""

from __future__ import annotations

from base64 import b32decode

from django.conf import settings
from django.core.management.base import OutputWrapper
from django_otp.plugins.otp_totp.models import TOTPDevice

from machiwb.accounts.models import Membership, Role, User
from machiwb.regions.models import Municipality

#: DEMO ONLY — public password of every demo account.
DEMO_PASSWORD = "demo-machiwb-2026"  # noqa: S105
#: DEMO ONLY — public TOTP secret (base32) shared by every demo account.
DEMO_TOTP_SECRET = "MACHIWBDEMOTOTPSECRETFORDEMO2345"  # noqa: S105

#: (e-mail, display name, operator?, facilitator?, [(municipality code, role)])
DEMO_ACCOUNTS: list[tuple[str, str, bool, bool, list[tuple[str, Role]]]] = [
    ("demo-operator@example.jp", "デモ運営者", True, False, []),
    (
        "demo-admin@wakayama.example.jp",
        "デモ 和歌山市管理者",
        False,
        False,
        [("302015", Role.ADMIN)],
    ),
    (
        "demo-editor@wakayama.example.jp",
        "デモ 和歌山市編集者",
        False,
        False,
        [("302015", Role.EDITOR)],
    ),
    (
        "demo-viewer@wakayama.example.jp",
        "デモ 和歌山市閲覧者",
        False,
        False,
        [("302015", Role.VIEWER)],
    ),
    ("demo-admin@kainan.example.jp", "デモ 海南市管理者", False, False, [("302023", Role.ADMIN)]),
    ("demo-facilitator@example.jp", "デモ ファシリテーター", False, True, []),
]


def demo_totp_key_hex() -> str:
    return b32decode(DEMO_TOTP_SECRET).hex()


def load_demo_data(stdout: OutputWrapper) -> None:
    if not settings.DEBUG:
        stdout.write("accounts: demo accounts are created only with DJANGO_DEBUG=1 (skipped)")
        return
    for email, name, operator, facilitator, memberships in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                DEMO_PASSWORD,
                display_name=name,
                is_operator=operator,
                is_staff=operator,
                is_superuser=operator,
                is_facilitator=facilitator,
            )
        TOTPDevice.objects.get_or_create(
            user=user,
            name="demo authenticator",
            defaults={"key": demo_totp_key_hex(), "confirmed": True},
        )
        for code, role in memberships:
            municipality = Municipality.objects.get(code=code)
            Membership.objects.get_or_create(
                user=user, municipality=municipality, defaults={"role": role}
            )
    stdout.write("accounts: DEMO ONLY — local demo accounts (never use these in production):")
    for email, _name, _operator, _facilitator, memberships in DEMO_ACCOUNTS:
        where = ", ".join(f"{code} {role.label}" for code, role in memberships) or "—"
        stdout.write(f"  {email}  ({where})")
    stdout.write(f"  password: {DEMO_PASSWORD}")
    stdout.write(
        f"  TOTP secret (add to an authenticator app): {DEMO_TOTP_SECRET}"
        "  — or print the current code: manage.py demo_totp_code"
    )
