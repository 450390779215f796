"""Typed readers for environment variables.

Every setting comes from the environment; a value that cannot be understood stops the
process at start-up with the variable's name and what was expected, instead of running
with a silently wrong configuration.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    """Return the variable, or ``default`` when it is unset or empty."""
    return os.environ.get(name, "") or default


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean; accepts 1/0, true/false, yes/no, on/off (any case)."""
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Read an integer, optionally with a lower bound."""
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list; blank items are refused (a typo such as ``a,,b``)."""
    raw = os.environ.get(name, "")
    if raw == "":
        return list(default)
    items = [item.strip() for item in raw.split(",")]
    if any(item == "" for item in items):
        raise ImproperlyConfigured(f"{name}={raw!r} contains an empty item.")
    return items


def env_secret(name: str) -> str:
    """Read a secret from ``NAME`` or from the file named by ``NAME_FILE``."""
    file_name = os.environ.get(f"{name}_FILE", "")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, "")


def local_secret_key(path: Path) -> str:
    """Return a secret key kept in ``path``, creating it on first use.

    Only for local, DEBUG runs: production must pass ``DJANGO_SECRET_KEY``.
    """
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


def env_database(name: str, default: str) -> dict[str, object]:
    """Parse ``DATABASE_URL``-style configuration, refusing unknown schemes."""
    url = os.environ.get(name, "") or default
    scheme = url.split(":", 1)[0]
    if scheme not in {"sqlite", "postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"{name} uses the unsupported scheme {scheme!r}; use sqlite:/// or postgres://."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=0)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} cannot be parsed: {exc}") from exc
    return dict(config)


def env_oidc_provider(prefix: str) -> dict[str, str] | None:
    """Read an OpenID Connect provider from ``<prefix>_ISSUER``, ``_CLIENT_ID``, ``_CLIENT_SECRET``.

    All three or none: none means the option is off. The issuer must be an ``https://`` URL
    without query or fragment; its discovery document is ``/.well-known/openid-configuration``.
    """
    issuer = env_str(f"{prefix}_ISSUER").strip()
    client_id = env_str(f"{prefix}_CLIENT_ID").strip()
    client_secret = env_secret(f"{prefix}_CLIENT_SECRET")
    given = {"ISSUER": issuer, "CLIENT_ID": client_id, "CLIENT_SECRET": client_secret}
    if not any(given.values()):
        return None
    missing = [f"{prefix}_{key}" for key, value in given.items() if not value]
    if missing:
        raise ImproperlyConfigured(
            f"{', '.join(missing)} must be set too: an OpenID Connect provider needs "
            f"{prefix}_ISSUER, {prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET."
        )
    parts = urlsplit(issuer)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"{prefix}_ISSUER={issuer!r} is not an https:// URL without query or fragment."
        )
    return {
        "issuer": issuer,
        "discovery_url": issuer.rstrip("/") + "/.well-known/openid-configuration",
        "client_id": client_id,
        "client_secret": client_secret,
    }
