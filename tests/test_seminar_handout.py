"""The handout PDF, read page by page (pdftotext): a cover, contents with page numbers, the agenda
on one page, charts never alone on a page, the region's name and page numbers in every footer."""

from __future__ import annotations

import re

import pytest

from parskats.seminar import services
from parskats.seminar.content import build_pack
from parskats.seminar.handout import build_handout

from .seminar_support import approved_reports, make_seminar
from .test_seminar_deck import run

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack(world, methodologist, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    approved_reports(world)
    seminar = make_seminar(world, methodologist)
    services.add_guest(methodologist, seminar, name="Vita Parauga", role="vadītāja", email="v@example.org",
                       language="lv")  # fmt: skip
    return build_pack(seminar)


def pages_of(data: bytes) -> list[str]:
    return run("pdftotext", "-layout", "-", "-", data=data).decode().split("\f")[:-1]


def test_the_handout_has_a_cover_contents_and_numbered_footers(pack):
    pages = pages_of(build_handout(pack))
    assert "Mana bibliotēka 2021. gadā" in pages[0] and "Testa reģions · 2021. atskaites gads" in pages[0]
    assert "1 /" not in pages[0]  # the cover has no footer
    contents = pages[1]
    assert "Saturs" in contents
    for entry in ("Darba kārtība", "Reģions 2021. gadā", "Diagrammas", "Bibliotēkas"):
        found = re.search(rf"{entry}\s*\.+\s*(\d+)", contents)
        assert found, entry
        # The number is the page the part starts on.
        assert entry.split()[0] in pages[int(found.group(1)) - 1]
    for number, page in enumerate(pages[1:], start=2):
        assert "Testa reģions" in page and re.search(rf"\b{number}\s*/\s*{len(pages)}\s*$", page), number
    # The whole agenda, the guest too, is on the contents page.
    assert "Vita Parauga" in contents and "Noslēgums un atziņas" in contents


def test_no_page_holds_a_single_chart(pack):
    titles = [chart.title for chart in pack.all_charts]
    assert len(titles) >= 3
    pages = pages_of(build_handout(pack))
    per_page = [sum(line.strip() in titles for line in page.splitlines()) for page in pages]
    assert sum(per_page) == len(titles)
    assert all(count != 1 for count in per_page), per_page
