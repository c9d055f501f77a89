"""Messages for a number the form cannot take, saying what the person most likely meant.

People type thousands the way other programs taught them: 1.234 or 1,234 or 1.234.567. Pārskats
reads a point or a comma as the decimal mark, so the message names the fix with the person's own
figure written the Latvian way (1 234), rather than only saying that it is wrong.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

# 1.234 / 12,345 / 1.234.567: groups of three after the first, all with the same mark.
THOUSANDS_POINT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
# 1.234,5 / 1,234.5: one mark groups the thousands, the other starts the decimals.
MIXED = re.compile(r"^[+-]?\d{1,3}([.,])\d{3}(?:\1\d{3})*(?!\1)[.,]\d+$")
# A number followed by a unit or a word: 12 gab., 50 EUR, 15 %.
WITH_UNIT = re.compile(r"^([+-]?\d[\d\s.,]*?)\s*[^\d\s.,+-].*$")


def grouped(digits: str) -> str:
    """Whole digits with a space before each group of three: 1234567 → 1 234 567."""
    sign = "-" if digits.startswith("-") else ""
    digits = digits.lstrip("+-")
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sign + " ".join(parts)


def as_thousands(text: str) -> str | None:
    """The figure written the Latvian way when `text` groups thousands with points or commas."""
    if THOUSANDS_POINT.match(text) or THOUSANDS_COMMA.match(text):
        return grouped(re.sub(r"[.,]", "", text))
    mixed = MIXED.match(text)
    if mixed:
        group_mark = mixed.group(1)
        whole, decimals = text.replace(group_mark, "").replace(".", ",").split(",")
        return f"{grouped(whole)},{decimals}"
    return None


def not_a_number(text: str) -> str:
    """Why `text` is not a number, and how to write it."""
    fixed = as_thousands(text)
    if fixed:
        return _("Separate thousands with a space and decimals with a comma: %(fixed)s.") % {"fixed": fixed}
    unit = WITH_UNIT.match(text)
    if unit and re.search(r"\d", unit.group(1)):
        return _("Write only the number, without a unit or words: %(number)s.") % {"number": unit.group(1).strip()}
    return _("“%(raw)s” is not a number. Write it like 12 345 or 1 234,5.") % {"raw": text[:40]}


def not_whole(text: str, number: Decimal) -> str:
    """Why a whole-number field refuses `text` (which has decimals), and what to write instead."""
    fixed = as_thousands(text)
    if fixed and "," not in fixed:
        return _("This field takes a whole number; separate thousands with a space: %(fixed)s.") % {"fixed": fixed}
    rounded = number.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return _("This field takes a whole number: round it, e.g. %(rounded)s.") % {"rounded": grouped(str(rounded))}
