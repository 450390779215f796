"""MyPage panel: the surveys of each municipality the user works for (調査の管理)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from machiwb.accounts.decorators import request_user
from machiwb.accounts.panels import MyPagePanel
from machiwb.surveys.selectors import survey_overview_for_user


def mypage_panels(request: HttpRequest) -> list[MyPagePanel]:
    overview = survey_overview_for_user(user=request_user(request))
    if not overview:
        return []
    return [
        MyPagePanel(
            title=_("調査の管理"),
            template_name="surveys/_mypage.html",
            context={"overview": overview},
        )
    ]
