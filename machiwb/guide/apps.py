from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuideConfig(AppConfig):
    """利用ガイド: 指標について知る・使いこなす・個別調査をする・よくある質問."""

    name = "machiwb.guide"
    verbose_name = _("利用ガイド")
