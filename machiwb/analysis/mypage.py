"""MyPage panel (マイページ): the priority-area analysis and logic trees of the user's municipalities."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from machiwb.accounts.decorators import request_user
from machiwb.accounts.panels import MyPagePanel
from machiwb.analysis.selectors import staff_municipalities


def mypage_panels(request: HttpRequest) -> list[MyPagePanel]:
    municipalities = staff_municipalities(user=request_user(request))
    if not municipalities:
        return []
    return [
        MyPagePanel(
            title=_("課題分野の分析とロジックツリー"),
            template_name="analysis/_mypage_panel.html",
            context={"municipalities": municipalities},
        )
    ]
