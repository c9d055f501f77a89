"""Free text as people type, paste and upload it: what is kept, what is removed, how long it may be.

Control characters carry nothing a reader sees. PostgreSQL refuses a NUL in text (an error, a 500)
where SQLite stores it, and the others (escape, backspace, form feed, …) spoil exports and feeds. So
every C0 control character except tab, newline and carriage return, and DEL, is removed on the way
in (ControlCharacterMiddleware for every form and autosave, and a pre_save net for other writers),
the same on both databases. Names are one line, and in a name the bidirectional controls (right-to-
left override and friends) only ever serve to disguise it — "‮nimda" shows as "admin" — so they are
removed there as well. Lengths are limits with a message, never a silent cut.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext as _

from .numbers import format_number

CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# LRM, RLM, ALM; embeddings and overrides (LRE … RLO); isolates (LRI … PDI).
BIDI_RE = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
NAME_FIELDS = frozenset({"name", "full_name", "author_name", "actor_name", "saved_by_name"})

# Maximum lengths of free text, in characters; models and forms take them from here.
NAME = 150
LINE = 300
SHORT_TEXT = 2_000  # an explanation, an activity's description
TEXT = 5_000  # a comment, a review comment, a note
STORY = 20_000  # a narrative section of a report
DOCUMENT = 100_000  # an article's body, a part of the annual review


def clean_text(value: str) -> str:
    """Text with its line ends made \\n and the control characters removed."""
    return CONTROL_RE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def clean_name(value: str) -> str:
    """A person's or a thing's name: one line, no control or bidirectional characters, single spaces."""
    return " ".join(BIDI_RE.sub("", CONTROL_RE.sub("", value)).split())


class NameField(forms.CharField):
    """A form field for a name: cleaned by clean_name before it is validated, so that a name made
    only of invisible characters is "required", not a blank name."""

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return clean_name(text) if isinstance(text, str) else text


def too_long(value: str, limit: int) -> str:
    """The message for a text over its limit, or "" when it fits."""
    if len(value) <= limit:
        return ""
    return _("The text is %(length)s characters long; at most %(max)s are allowed.") % {
        "length": format_number(len(value)),
        "max": format_number(limit),
    }


class TextLimit:
    """A form field's length limit, said with both lengths as numbers are written ("2 000 000");
    Django's own message gives them unformatted, and its Latvian is awkward."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, value: str) -> None:
        problem = too_long(value, self.limit)
        if problem:
            raise ValidationError(problem, code="too_long")


class TextLimitsMixin:
    """For a form: every text field's length limit through TextLimit instead of Django's validator."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length:
                field.validators = [
                    TextLimit(v.limit_value) if isinstance(v, MaxLengthValidator) else v for v in field.validators
                ]


def clean_instance_text(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """pre_save: the same cleaning for writers that do not come through a request (the admin's
    actions, imports, commands), so that no database ever holds what the other would refuse."""
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        value = getattr(instance, field.attname)
        if not isinstance(value, str):
            continue
        cleaned = clean_name(value) if field.name in NAME_FIELDS and isinstance(field, models.CharField) else value
        cleaned = CONTROL_RE.sub("", cleaned)
        if cleaned != value:
            setattr(instance, field.attname, cleaned)


def is_whole_number(raw: str, digits: int = 18) -> bool:
    """ASCII digits only, and few enough for a 64-bit column. str.isdigit() alone is not enough:
    "²" and "٣" are digits to it, and int() then raises (a 500); a 30-digit id overflows the database."""
    return 0 < len(raw) <= digits and raw.isascii() and raw.isdigit()
