"""Signals of the report workflow. `report_submitted` is sent after the submission's transaction
commits, with `report` and `actor`: the place where the methodologist's notification (issue 4's
notifier) is connected."""

from django.dispatch import Signal

report_submitted = Signal()
