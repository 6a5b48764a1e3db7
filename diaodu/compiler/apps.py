from django.apps import AppConfig


class CompilerConfig(AppConfig):
    name = "diaodu.compiler"
    label = "compiler"
    verbose_name = "政策编译"
