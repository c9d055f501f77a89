"""Path converters shared by every app's addresses.

`<year:year>` matches a calendar year of four digits from 1000 on. Django's `<int:…>` takes any run
of digits, and a year such as 0, 10000 or a 400-digit number then reaches a date lookup, where
Python's datetime raises ValueError or OverflowError (a 500). A converter whose to_python raises
ValueError makes the address not match: a plain 404.
"""

from __future__ import annotations

from django.urls import register_converter

FIRST_YEAR, LAST_YEAR = 1000, 9999


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"{value} is not a year")
        return year

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"


register_converter(YearConverter, "year")
