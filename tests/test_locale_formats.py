"""Latvian number formatting and parsing, and Latvian sorting (PRODUCT.md conventions)."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from parskats.core.collation import sorted_by_name
from parskats.core.numbers import NumberParseError, format_number, format_percentage, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12345", "12345"),
        ("12 345", "12345"),
        ("12\u00a0345", "12345"),
        ("12\u202f345", "12345"),
        ("1 234,5", "1234.5"),
        ("1234.5", "1234.5"),
        ("  -7 ", "-7"),
        ("0,25", "0.25"),
        ("1 234 567", "1234567"),
        ("\u22123", "-3"),
    ],
)
def test_parse_accepts_what_people_type(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "12a", "1,234,567", "1.234,5", "12 34", "1e5", "=SUM(A1)", "--1", "1,"])
def test_parse_refuses_anything_else(text):
    with pytest.raises(NumberParseError):
        parse_number(text)


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=3, allow_nan=False))
def test_latvian_format_then_parse_round_trips(value):
    assert parse_number(format_number(value, 3, language="lv")) == value


def test_format_latvian_and_english():
    assert format_number(Decimal("12345.6"), language="lv") == "12\xa0345,6"
    assert format_number(12345, language="en") == "12,345"
    assert format_number(Decimal("0.50"), language="lv") == "0,5"
    assert format_number(None) == ""
    assert format_percentage(Decimal("0.253"), language="lv") == "25,3\xa0%"


def test_latvian_collation_puts_diacritic_letters_after_their_base():
    names = ["Zvārtava", "Ērģeme", "Čiekuri", "Cēsis", "Seda", "Šķilbēni", "Ape", "Lugaži", "Ļaudona", "Dagda"]
    with translation.override("lv"):
        assert sorted_by_name(names) == [
            "Ape", "Cēsis", "Čiekuri", "Dagda", "Ērģeme", "Lugaži", "Ļaudona", "Seda", "Šķilbēni", "Zvārtava",
        ]  # fmt: skip
