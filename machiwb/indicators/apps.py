from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "machiwb.indicators"
    verbose_name = _("地域幸福度指標")
