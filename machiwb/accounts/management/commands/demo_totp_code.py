"""Print the current TOTP code of the demo accounts (DEMO ONLY, DJANGO_DEBUG=1)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from machiwb.accounts.demo import demo_totp_key_hex


class Command(BaseCommand):
    help = "DEMO ONLY: print the current six-digit code of the demo accounts' authenticator."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_totp_code works only with DJANGO_DEBUG=1 (demo only).")
        code = TOTP(bytes.fromhex(demo_totp_key_hex())).token()
        self.stdout.write(f"{code:06d}")
