"""MyPage link to the audit log, for operators and municipality admins."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from machiwb.accounts.decorators import request_user
from machiwb.accounts.panels import MyPagePanel
from machiwb.audit.selectors import audit_admin_municipalities


def mypage_panels(request: HttpRequest) -> list[MyPagePanel]:
    user = request_user(request)
    municipalities = list(audit_admin_municipalities(user=user))
    if not user.is_operator and not municipalities:
        return []
    return [
        MyPagePanel(
            title=_("管理"),
            template_name="audit/_mypage.html",
            context={"municipalities": municipalities},
        )
    ]
