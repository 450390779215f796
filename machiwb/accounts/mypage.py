"""The account's own MyPage panel: memberships, two-factor status, sign-out everywhere."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticToken

from machiwb.accounts.decorators import request_user
from machiwb.accounts.models import Membership
from machiwb.accounts.panels import MyPagePanel


def mypage_panels(request: HttpRequest) -> list[MyPagePanel]:
    user = request_user(request)
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("municipality", "municipality__prefecture")
        .order_by("municipality__code")
    )
    recovery_left = StaticToken.objects.filter(device__user=user).count()
    return [
        MyPagePanel(
            title=_("アカウント"),
            template_name="accounts/_mypage_account.html",
            context={"memberships": list(memberships), "recovery_left": recovery_left},
        )
    ]
