from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "machiwb.accounts"
    verbose_name = _("アカウント")


class OperatorAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with a site that admits only two-factor-verified operators."""

    default = False
    default_site = "machiwb.accounts.admin_site.OperatorAdminSite"
