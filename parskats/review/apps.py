from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "parskats.review"
    label = "review"
    verbose_name = _("Review and approval")

    def ready(self) -> None:
        from parskats.reporting.signals import report_submitted

        from .notifications import on_report_submitted

        report_submitted.connect(on_report_submitted, dispatch_uid="review-notify-submitted")

        from parskats.jobs import registry

        from .notifications import KIND_SPEC

        registry.register(KIND_SPEC)

        from parskats.accounts import personal_data

        from . import personal_data as ours

        personal_data.register("review_comments_written", export=ours.export)
