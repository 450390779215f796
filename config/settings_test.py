"""Test settings: the production settings with fast hashing and in-memory mail."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Background jobs run inside the enqueueing call, so tests see their result at once.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405

# A replica alias that mirrors the test database, so tests can check which alias a public
# view reads (machiwb/core/tests/test_replica.py switches the router on).
DATABASES.setdefault("replica", {**DATABASES["default"], "TEST": {"MIRROR": "default"}})  # noqa: F405
