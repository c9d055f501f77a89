from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top layer: what orchestrates the whole site (home, health, the demo, backup and restore)."""

    name = "parskats.site"
    label = "site"
    verbose_name = "Pārskats"
