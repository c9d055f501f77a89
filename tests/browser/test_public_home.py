"""In a real browser, not logged in: the home leads to news, figures, stories and the published review,
on a desktop and on a 360 px phone; after commenting, the thanks is in view. WCAG 2.1 AA."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from parskats.catalogue.models import NarrativeSection
from parskats.news.comments import hash_address
from parskats.news.models import Comment, NewsSettings
from parskats.news.stories import SUCCESS_STORY
from parskats.reporting.models import Narrative, Report
from parskats.yearbook.models import AnnualReview
from parskats.yearbook.workflow import create_review

from ..factories import article, report_with
from .conftest import ARTIFACTS, assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 360)


def public_world(world):
    report = report_with(world.library_a, world.periods[2021], users=40)
    story = NarrativeSection.objects.get(survey=world.survey, code=SUCCESS_STORY)
    Narrative.objects.create(report=report, section=story, text="Lasīšanas nedēļa ar **skolu**.")
    Report.objects.filter(pk=report.pk).update(status=Report.Status.APPROVED)
    create_review(None, world.network, world.survey, 2020)
    AnnualReview.objects.update(status=AnnualReview.Status.PUBLISHED, published_at=timezone.now())
    NewsSettings.objects.create(network=world.network, min_fill_seconds=1)
    item = article(
        world.network,
        "Valkas reģiona bibliotekāru tikšanās tiešsaistē",
        lead="Reģiona bibliotēku seminārs tiešsaistē.",
        body="5. martā aizvadīts seminārs „Mana bibliotēka 2020. gadā”.\n\n"
        + "Katra bibliotēka dalījās pieredzē. " * 40,
    )
    article(world.network, "Bibliotēkas atsāk darbu klātienē", lead="No jūnija atkal klātienē.")
    for n in range(6):  # a long thread: the form is far below the top of the page
        Comment.objects.create(
            article=item,
            name=f"Lasītāja {n}",
            text="Paldies par rakstu! " * 8,
            address_hash=hash_address("x"),
            status=Comment.Status.APPROVED,
        )
    return item


def fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_public_home_leads_to_everything_public(browser, live_server, world, width):
    public_world(world)
    context = browser.new_context(base_url=live_server.url, locale="lv-LV", viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto("/")
    assert fits(page)
    assert_accessible(page)
    screenshot(page, f"public-home-{width}")
    page.get_by_role("link", name="Skaitļi").last.click()
    assert page.url.endswith("/skaitli/testa/")
    page.go_back()
    page.get_by_role("link", name="2021").click()
    assert "/stasti/testa/2021/" in page.url
    page.go_back()
    page.get_by_role("link", name="2020").click()
    assert page.url.endswith("/n/testa/annual-review/2020/public/")
    page.go_back()
    page.get_by_role("link", name="Bibliotēkas atsāk darbu klātienē").click()
    assert page.get_by_role("heading", name="Bibliotēkas atsāk darbu klātienē", level=1).is_visible()
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_after_commenting_the_thanks_is_in_view(browser, live_server, world, width):
    item = public_world(world)
    context = browser.new_context(base_url=live_server.url, locale="lv-LV", viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(item.get_absolute_url())
    page.get_by_label("Vārds").fill("Ina")
    page.get_by_label("Komentārs").fill("Malači!")
    page.wait_for_timeout(1200)  # the minimum fill time here is 1 s
    page.get_by_role("button", name="Nosūtīt komentāru").click()
    thanks = page.get_by_text("Paldies! Jūsu komentārs parādīsies, kad moderators to apstiprinās.")
    box = thanks.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 800
    assert page.evaluate("window.scrollY") > 400  # the page did move down to it
    assert fits(page)
    assert_accessible(page)
    # The viewport, as the reader sees it (screenshot() takes the full page).
    page.screenshot(path=str(ARTIFACTS / f"article-commented-{width}.png"))
    context.close()
