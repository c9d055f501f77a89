from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "parskats.core"
    label = "core"
    verbose_name = "Pārskats"
