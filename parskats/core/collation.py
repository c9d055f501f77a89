"""Latvian sorting with a real collation (ICU): č ģ ķ ļ ņ š ž are letters of their own."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

import icu
from django.utils.translation import get_language

T = TypeVar("T")


@lru_cache(maxsize=8)
def _collator(language: str) -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale("lv_LV" if language == "lv" else "en_GB"))


def sort_key(text: str, language: str | None = None) -> bytes:
    key: bytes = _collator((language or get_language() or "lv").split("-")[0]).getSortKey(text)
    return key


def sorted_by_name(items: Iterable[T], key: Callable[[T], str] = str, language: str | None = None) -> list[T]:
    lang = (language or get_language() or "lv").split("-")[0]
    return sorted(items, key=lambda item: sort_key(key(item), lang))
