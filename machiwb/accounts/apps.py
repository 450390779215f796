from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "machiwb.accounts"
    verbose_name = "アカウント"
