from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "diaodu.core"
    label = "core"
    verbose_name = "Diaodu"

    def ready(self) -> None:
        from django.core import checks

        from diaodu.core import fieldcrypt

        checks.register(fieldcrypt.check_field_key, checks.Tags.security)
        checks.register(fieldcrypt.check_field_key_deploy, checks.Tags.security, deploy=True)
