"""Benchmark: the cost of signing in (ログインの性能).

    python -m bench.login --rounds 20

In one process, against a fresh SQLite database: argon2 hashing and checking of a password
(the production hasher), the two-step sign-in (password POST, then TOTP POST) through
Django's test client, and — as this machine's baseline in the same run — a trivial view
(/healthz) through the same client. The last line is::

    argon2_hash_ms=A argon2_check_ms=B login_ms=C healthz_ms=D login_over_healthz=C/D

Argon2 is slow on purpose (it makes stolen password hashes expensive to crack); the figure to
watch is that one sign-in stays well under a second on modest hardware.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="bench-login-")
    os.environ.update(
        DJANGO_DEBUG="1",
        MACHIWB_VAR_DIR=var_dir,
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{var_dir}/bench.sqlite3",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import check_password, make_password
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from machiwb.accounts.models import User
    from machiwb.core import ratelimit

    setup_test_environment()
    call_command("migrate", verbosity=0)
    password = "bench-kumano-kodo-2026"  # noqa: S105 (a throw-away benchmark account)

    hash_times, check_times = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        encoded = make_password(password)
        hash_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        check_password(password, encoded)
        check_times.append(time.perf_counter() - start)

    login_times, health_times = [], []
    for i in range(args.rounds):
        user = User.objects.create_user(f"bench{i}@example.jp", password)
        device = TOTPDevice.objects.create(user=user, confirmed=True)
        code = f"{TOTP(device.bin_key).token():06d}"
        client = Client()
        start = time.perf_counter()
        client.post("/accounts/login/", {"email": user.email, "password": password})
        response = client.post("/accounts/login/verify/", {"code": code})
        login_times.append(time.perf_counter() - start)
        if response.status_code != 302:
            sys.exit(f"sign-in failed in round {i}: {response.status_code}")
        ratelimit.reset("login-ip", "127.0.0.1", "30/m")
        start = time.perf_counter()
        client.get("/healthz")
        health_times.append(time.perf_counter() - start)

    login_ms, health_ms = _ms(login_times), _ms(health_times)
    print(
        f"argon2_hash_ms={_ms(hash_times):.1f} argon2_check_ms={_ms(check_times):.1f} "
        f"login_ms={login_ms:.1f} healthz_ms={health_ms:.2f} "
        f"login_over_healthz={login_ms / health_ms:.0f}"
    )


if __name__ == "__main__":
    main()
