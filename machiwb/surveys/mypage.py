"""MyPage panels: the surveys of each municipality the user works for (調査の管理), and for
operators the 全国調査 (national surveys)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from machiwb.accounts.decorators import request_user
from machiwb.accounts.panels import MyPagePanel
from machiwb.surveys.selectors import survey_national_list, survey_overview_for_user


def mypage_panels(request: HttpRequest) -> list[MyPagePanel]:
    user = request_user(request)
    panels = []
    if user.is_operator:
        panels.append(
            MyPagePanel(
                title=_("全国調査の管理"),
                template_name="surveys/_mypage_national.html",
                context={"surveys": survey_national_list()[:5]},
            )
        )
    overview = survey_overview_for_user(user=user)
    if overview:
        panels.append(
            MyPagePanel(
                title=_("調査の管理"),
                template_name="surveys/_mypage.html",
                context={"overview": overview},
            )
        )
    return panels
