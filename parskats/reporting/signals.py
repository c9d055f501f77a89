"""Signals of the report workflow. `report_submitted` is sent after the submission's transaction
commits, with `report` and `actor`: the place where the review app connects the methodologist's
notification, so that reporting does not import the app above it."""

from django.dispatch import Signal

report_submitted = Signal()
