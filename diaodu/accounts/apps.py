from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "diaodu.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from django.core import checks

        from diaodu.accounts import checks as account_checks

        checks.register(account_checks.check_demo_passwords, checks.Tags.security)
        checks.register(account_checks.check_demo_passwords_deploy, checks.Tags.security, deploy=True)
