"""MyPage panel (マイページ): the user's dashboard favourites."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from machiwb.accounts.decorators import request_user
from machiwb.accounts.panels import MyPagePanel
from machiwb.dashboard.selectors import favorite_list


def mypage_panels(request: HttpRequest) -> list[MyPagePanel]:
    return [
        MyPagePanel(
            title=_("ダッシュボードのお気に入り"),
            template_name="dashboard/_mypage_favorites.html",
            context={"favorites": favorite_list(user=request_user(request))},
        )
    ]
