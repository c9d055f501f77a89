from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class SeminarConfig(AppConfig):
    name = "parskats.seminar"
    label = "seminar"
    verbose_name = _("Seminars")

    def ready(self) -> None:
        from parskats.accounts import personal_data
        from parskats.jobs import registry

        from . import invitations, jobs
        from . import personal_data as ours

        personal_data.register("seminar guests", erase=ours.erase)
        checks.register(fonts_installed)
        registry.register(jobs.KIND_SPEC)
        registry.register(invitations.KIND_SPEC)


def fonts_installed(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """The deck measures its texts in DejaVu Sans: without the font every fit would be a guess."""
    from .fit import missing_fonts

    return [
        checks.Error(f"The deck's font is missing: {path}", hint="Install fonts-dejavu-core.", id="seminar.E001")
        for path in missing_fonts()
    ]
