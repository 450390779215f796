from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogictreesConfig(AppConfig):
    name = "machiwb.logictrees"
    verbose_name = _("ロジックツリー")
    default_auto_field = "django.db.models.BigAutoField"
