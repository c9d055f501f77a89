"""The dashboards' fast number formatting gives exactly what core.numbers.format_number gives."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from parskats.core.numbers import format_number
from parskats.stats.templatetags.stats_tags import fast_number


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=3, allow_nan=False),
    st.integers(min_value=0, max_value=3),
    st.sampled_from(["lv", "en"]),
)
def test_fast_number_equals_format_number(value, decimals, language):
    with translation.override(language):
        expected = format_number(value, decimals)
        if expected.lstrip("\u2212").strip("0,. \u00a0") == "":  # Babel writes −0 for a negative that rounds to zero
            expected = expected.lstrip("\u2212")
        assert fast_number(value, decimals) == expected


def test_latvian_grouping_and_decimal_comma():
    with translation.override("lv"):
        assert fast_number(Decimal("1234567.891"), 1) == "1\u00a0234\u00a0567,9"
