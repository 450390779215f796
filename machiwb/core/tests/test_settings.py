"""Settings must refuse bad environment values loudly (checked in a fresh interpreter)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from machiwb.core.env import env_bool, env_database, env_int, env_list, env_oidc_provider

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEY = "k" * 60


def _load_settings(
    env: dict[str, str], code: str = "import config.settings"
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG='maybe' is not a boolean"),
        (
            {"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "example.jp"},
            "DJANGO_SECRET_KEY is required",
        ),
        (
            {"DJANGO_SECRET_KEY": "short", "DJANGO_ALLOWED_HOSTS": "example.jp"},
            "at least 50 characters",
        ),
        ({"DJANGO_SECRET_KEY": GOOD_KEY}, "DJANGO_ALLOWED_HOSTS is required"),
        (
            {"DJANGO_SECRET_KEY": GOOD_KEY, "DJANGO_ALLOWED_HOSTS": "a.jp,,b.jp"},
            "contains an empty item",
        ),
        (
            {"DJANGO_DEBUG": "1", "DATABASE_URL": "mysql://root@localhost/x"},
            "unsupported scheme 'mysql'",
        ),
        ({"DJANGO_DEBUG": "1", "DJANGO_HSTS_SECONDS": "year"}, "is not an integer"),
        (
            {
                "DJANGO_DEBUG": "1",
                "DATABASE_URL": "postgres://machiwb@db.example.jp/machiwb",
                "DATABASE_REPLICA_URL": "mysql://machiwb@replica.example.jp/machiwb",
            },
            "DATABASE_REPLICA_URL uses the unsupported scheme 'mysql'",
        ),
        (
            {"DJANGO_DEBUG": "1", "DATABASE_REPLICA_URL": "postgres://machiwb@replica/machiwb"},
            "DATABASE_REPLICA_URL needs PostgreSQL for both DATABASE_URL and the replica",
        ),
        (
            {"DJANGO_DEBUG": "1", "MACHIWB_OIDC_ISSUER": "https://id.example.jp"},
            "MACHIWB_OIDC_CLIENT_ID, MACHIWB_OIDC_CLIENT_SECRET must be set too",
        ),
        (
            {
                "DJANGO_DEBUG": "1",
                "MACHIWB_OIDC_ISSUER": "http://id.example.jp",
                "MACHIWB_OIDC_CLIENT_ID": "machiwb",
                "MACHIWB_OIDC_CLIENT_SECRET": "secret",
            },
            "is not an https:// URL",
        ),
    ],
)
def test_bad_environment_is_refused(env: dict[str, str], message: str) -> None:
    result = _load_settings(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_environment_is_accepted() -> None:
    result = _load_settings(
        {"DJANGO_SECRET_KEY": GOOD_KEY, "DJANGO_ALLOWED_HOSTS": "wb.example.jp"}
    )
    assert result.returncode == 0, result.stderr


def test_replica_url_adds_the_replica_alias_and_its_router() -> None:
    show = "import config.settings as s; r = s.DATABASES['replica']; "
    show += "print(r['HOST'], r['OPTIONS'], r['CONN_HEALTH_CHECKS'], s.DATABASE_ROUTERS)"
    result = _load_settings(
        {
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": "postgres://machiwb@db.example.jp/machiwb",
            "DATABASE_REPLICA_URL": "postgres://machiwb@replica.example.jp/machiwb",
        },
        show,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "replica.example.jp",
        "{'connect_timeout':",
        "5}",
        "True",
        "['machiwb.core.db.ReplicaRouter']",
    ]


def test_check_deploy_is_clean_with_production_env() -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(
        {
            "DJANGO_SECRET_KEY": "x7!" + "q9Lm2#vB" * 8,
            "DJANGO_ALLOWED_HOSTS": "wb.example.jp",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("TRUE", True), ("off", False), ("", True)]
)
def test_env_bool(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", True) is expected


def test_env_int_lower_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("X_INT", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("X_INT", 5, minimum=0)


def test_env_list_and_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_LIST", "a.jp, b.jp")
    assert env_list("X_LIST", []) == ["a.jp", "b.jp"]
    monkeypatch.setenv("X_DB", "postgres://u@127.0.0.1:5432/wb")
    config = env_database("X_DB", "sqlite:///x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "wb"


def test_env_oidc_provider(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert env_oidc_provider("X_OIDC") is None
    secret = tmp_path / "oidc_secret"
    secret.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("X_OIDC_ISSUER", "https://id.example.jp/realm/")
    monkeypatch.setenv("X_OIDC_CLIENT_ID", "machiwb")
    monkeypatch.setenv("X_OIDC_CLIENT_SECRET_FILE", str(secret))
    assert env_oidc_provider("X_OIDC") == {
        "issuer": "https://id.example.jp/realm/",
        "discovery_url": "https://id.example.jp/realm/.well-known/openid-configuration",
        "client_id": "machiwb",
        "client_secret": "from-a-file",
    }
