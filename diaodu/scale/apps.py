from django.apps import AppConfig


class ScaleConfig(AppConfig):
    name = "diaodu.scale"
    label = "scale"
    verbose_name = "规模与性能"
