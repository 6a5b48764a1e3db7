from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "diaodu.core"
    label = "core"
    verbose_name = "Diaodu"
