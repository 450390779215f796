"""MyPage panels (マイページのパネル) contributed by any app.

An app shows something on /mypage/ by having ``machiwb/<app>/mypage.py`` with::

    from machiwb.accounts.panels import MyPagePanel

    def mypage_panels(request: HttpRequest) -> list[MyPagePanel]:
        return [MyPagePanel(title=_("実施中の調査"), template_name="surveys/_mypage.html",
                            context={"surveys": ...})]

The page is only shown to two-factor-verified users; each app still decides what the
user may see (use ``machiwb.accounts.access`` / ``Membership``). The panel template is
rendered with ``panel`` (this object; its values under ``panel.context``) and the page's
context (``request``, ``user``). Panels appear in INSTALLED_APPS order.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.http import HttpRequest


@dataclass(frozen=True)
class MyPagePanel:
    title: str
    template_name: str
    context: dict[str, Any] = field(default_factory=dict)


def mypage_panels_collect(request: HttpRequest) -> list[MyPagePanel]:
    """Panels from every installed ``machiwb.*`` app that has a ``mypage`` module."""
    panels: list[MyPagePanel] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("machiwb."):
            continue
        module_name = f"{config.name}.mypage"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        panels.extend(module.mypage_panels(request))
    return panels
