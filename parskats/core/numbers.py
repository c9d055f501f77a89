"""Locale-aware number parsing and formatting (PRODUCT.md: Latvian conventions).

Input accepts what people type and paste: `12 345`, `12 345,6` with a plain, no-break or narrow
no-break space, `1234.5` or `1234,5`. Output follows the active language through Babel.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal, format_percent
from django.utils.translation import get_language

# Spaces people and spreadsheets use as thousands separators.
_GROUP_SPACES = "\u0020\u00a0\u202f\u2009\u2007"
_NUMBER_RE = re.compile(r"^[+-]?(\d+)([.,]\d+)?$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}([" + _GROUP_SPACES + r"]\d{3})+([.,]\d+)?$")


class NumberParseError(ValueError):
    """The text is not a number in any form we accept; the message says what was expected."""


def parse_number(text: str) -> Decimal:
    """Parse a number typed the Latvian or the international way.

    A comma or a point is the decimal mark; spaces (including no-break ones) group thousands.
    Ambiguous forms such as `1,234,567` or `1.234,5` are refused rather than guessed.
    """
    raw = text.strip()
    if not raw:
        raise NumberParseError("empty")
    raw = raw.replace("\u2212", "-")  # the minus sign people paste from word processors
    if not (_NUMBER_RE.match(raw) or _GROUPED_RE.match(raw)):
        raise NumberParseError(f"not a number: {text!r}")
    normalised = re.sub("[" + _GROUP_SPACES + "]", "", raw).replace(",", ".")
    try:
        value = Decimal(normalised)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only valid decimals
        raise NumberParseError(f"not a number: {text!r}") from None
    return value


# Every figure the site writes uses the real minus sign (U+2212), as the changes do ("−16,6 %"); Babel's
# locales write a hyphen. Parsing accepts both.
MINUS = "\u2212"


def babel_locale(language: str | None = None) -> str:
    return (language or get_language() or "lv").split("-")[0]


def format_number(value: Decimal | int | float | None, decimals: int | None = None, language: str | None = None) -> str:
    """12 345,6 in Latvian, 12,345.6 in English; None becomes an empty string."""
    if value is None:
        return ""
    if decimals is None:
        # As many decimals as the value has, at most three: 12 345 stays 12 345, 0,5 stays 0,5.
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        exponent = number.normalize().as_tuple().exponent
        decimals = min(max(0, -exponent), 3) if isinstance(exponent, int) else 0
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=babel_locale(language)).replace("-", MINUS)


def format_percentage(value: Decimal | float | None, decimals: int = 1, language: str | None = None) -> str:
    """A ratio (0.253) as 25,3 % in Latvian."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "\u00a0%"
    return format_percent(value, format=pattern, locale=babel_locale(language)).replace("-", MINUS)
