from django.apps import AppConfig


class OrgUnitsConfig(AppConfig):
    name = "diaodu.orgunits"
    label = "orgunits"
    verbose_name = "单位"
