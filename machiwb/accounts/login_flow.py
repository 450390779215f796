"""The two-step sign-in (ログイン): password first, then a second factor.

After a correct password the session only remembers a *pending* user; the person is
signed in (``django.contrib.auth.login``) only once a TOTP code or a recovery code is
accepted, so no request ever runs as a user who passed just one factor.
"""

from __future__ import annotations

import time

from django.contrib.auth import login as auth_login
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.models import Device

from machiwb.accounts.middleware import SIGNED_IN_AT_KEY
from machiwb.accounts.models import User

PENDING_USER_KEY = "accounts_pending_user"
PENDING_SINCE_KEY = "accounts_pending_since"
#: Seconds a correct password stays good for the second step.
PENDING_MAX_AGE = 600
#: Failed passwords per e-mail address before the account is locked for the window.
LOGIN_FAILURE_RATE = "5/15m"
#: Failed second-factor codes per user before the second step is locked for the window.
OTP_FAILURE_RATE = "5/15m"
#: Login attempts per client address (any outcome).
LOGIN_IP_RATE = "30/m"


def pending_user_set(request: HttpRequest, user: User) -> None:
    request.session.cycle_key()
    request.session[PENDING_USER_KEY] = user.pk
    request.session[PENDING_SINCE_KEY] = int(time.time())


def pending_user(request: HttpRequest) -> User | None:
    """The user who gave a correct password in this session, if still fresh and active."""
    user_id = request.session.get(PENDING_USER_KEY)
    since = int(request.session.get(PENDING_SINCE_KEY, 0))
    if user_id is None or time.time() - since > PENDING_MAX_AGE:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def pending_user_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING_USER_KEY, None)
    request.session.pop(PENDING_SINCE_KEY, None)


def complete_login(request: HttpRequest, user: User, device: Device) -> None:
    """Sign the user in, marked as verified by ``device``."""
    pending_user_clear(request)
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    request.session[SIGNED_IN_AT_KEY] = int(time.time())
