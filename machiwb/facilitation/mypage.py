"""MyPage panels: staff see their municipalities' applications, facilitators their assignments."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from machiwb.accounts.decorators import request_user
from machiwb.accounts.panels import MyPagePanel
from machiwb.facilitation import selectors


def mypage_panels(request: HttpRequest) -> list[MyPagePanel]:
    user = request_user(request)
    panels = []
    municipalities = selectors.municipalities_where_staff_may_apply(user=user)
    applications = selectors.dispatch_list_for_staff(user=user)
    if municipalities or applications:
        panels.append(
            MyPagePanel(
                title=_("ファシリテーター派遣の申請"),
                template_name="facilitation/_mypage_applications.html",
                context={"municipalities": municipalities, "dispatches": applications},
            )
        )
    assignments = selectors.dispatch_list_for_facilitator(user=user)
    if assignments or user.is_facilitator:
        panels.append(
            MyPagePanel(
                title=_("担当するワークショップ"),
                template_name="facilitation/_mypage_assignments.html",
                context={"dispatches": assignments},
            )
        )
    if user.is_operator:
        panels.append(
            MyPagePanel(
                title=_("ファシリテーター派遣（運営者）"),
                template_name="facilitation/_mypage_operator.html",
                context={"waiting": selectors.dispatch_waiting_for_operator()},
            )
        )
    return panels
