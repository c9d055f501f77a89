"""In Chromium: XSS payloads in an article and in comments never run; a reader comments, the
moderator approves, the comment appears; the news pages pass axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import re

import pytest

from parskats.news.comments import hash_address
from parskats.news.models import Article, Comment, NewsSettings

from ..factories import PASSWORD, article
from ..news_payloads import PAYLOADS
from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_for_script(page) -> list[str]:
    """Collects every dialog (alert/confirm/prompt) the page opens."""
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def test_xss_payloads_in_an_article_and_its_comments_never_run(page, world):
    body = "\n\n".join(PAYLOADS + [p.replace("window.__xss=1", "alert(1)") for p in PAYLOADS])
    item = article(world.network, "Drošības pārbaude", body=body, lead="<script>window.__xss=1</script>")
    for n, payload in enumerate(PAYLOADS):
        Comment.objects.create(
            article=item,
            name=payload[:80],
            text=payload,
            status=Comment.Status.APPROVED,
            address_hash=hash_address(str(n)),
        )
    dialogs = watch_for_script(page)
    page.goto(item.get_absolute_url())
    page.wait_for_load_state("load")
    # Focus every focusable element and hover over every link: onfocus / onmouseover would fire now.
    for link in page.locator("main a").all():
        link.hover()
        link.focus()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    # The browser's own DOM, not the HTML text: no script, frame or handler reached it.
    found = page.evaluate(
        """() => {
            const main = document.querySelector('main');
            const bad = [...main.querySelectorAll('script, iframe, object, embed, svg, math, style, form, input, img')]
                .map(e => e.tagName);
            for (const e of main.querySelectorAll('*')) {
                for (const a of e.attributes) { if (a.name.startsWith('on')) bad.push(e.tagName + '@' + a.name); }
            }
            for (const a of main.querySelectorAll('a[href]')) {
                const url = new URL(a.href, location.href);
                if (!['http:', 'https:', 'mailto:'].includes(url.protocol)) bad.push(a.href);
            }
            return bad;
        }"""
    )
    # The comment form is the page's own, with its inputs; nothing else may be there.
    assert [f for f in found if f not in ("FORM", "INPUT")] == []
    assert page.locator("main form").count() == 1
    # The payloads are visible as text, so readers see what was written.
    assert page.get_by_text("<script>window.__xss=1</script>").first.is_visible()
    screenshot(page, "news-xss-article")


def test_a_reader_comments_the_moderator_approves_and_it_appears(page, browser, live_server, world, methodologist):
    NewsSettings.objects.create(network=world.network, min_fill_seconds=1)
    item = article(
        world.network,
        "Valkas reģiona bibliotekāru tikšanās tiešsaistē",
        lead="Reģiona bibliotēku seminārs tiešsaistē.",
        body="5. martā aizvadīts seminārs **“Mana bibliotēka 2020. gadā”**.",
        signature="Māra Parauga\ndirektore",
    )
    page.goto("/jaunumi/")
    assert page.get_by_text("0 komentāru").is_visible()
    assert_accessible(page)
    screenshot(page, "news-list")
    page.get_by_role("link", name=item.title).click()
    assert page.get_by_role("heading", name=item.title, level=1).is_visible()
    assert_accessible(page)
    page.get_by_label("Vārds").fill("Ina")
    page.get_by_label("Komentārs").fill("Malači!")
    page.wait_for_timeout(1200)  # a person takes a moment; the minimum fill time here is 1 s
    page.get_by_role("button", name="Nosūtīt komentāru").click()
    thanks = page.get_by_text("Paldies! Jūsu komentārs parādīsies, kad moderators to apstiprinās.")
    assert thanks.is_visible()
    # The reader sees the thanks where she wrote, without scrolling: it is inside the viewport.
    box, height = thanks.bounding_box(), page.viewport_size["height"]
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height
    assert page.locator(".comment").count() == 0
    screenshot(page, "news-article-comment-sent")

    moderator = browser.new_context(base_url=live_server.url, locale="lv-LV")
    tab = moderator.new_page()
    log_in(tab, methodologist.email, PASSWORD)
    tab.goto("/jaunumi/redakcija/komentari/")
    assert tab.get_by_text("Malači!").is_visible()
    assert_accessible(tab)
    screenshot(tab, "news-moderation-queue")
    tab.get_by_role("button", name=re.compile(r"^Apstiprināt\W+Ina$")).click()
    assert tab.get_by_text("Ina komentārs: apstiprināts.").is_visible()
    moderator.close()

    page.reload()
    assert page.locator(".comment").get_by_text("Malači!").is_visible()
    assert page.get_by_role("heading", name="1 komentārs").is_visible()
    assert_accessible(page)
    screenshot(page, "news-article-approved-comment")


def test_a_refused_comment_keeps_the_text_and_says_why(page, world):
    NewsSettings.objects.create(network=world.network, min_fill_seconds=30)
    item = article(world.network, "Raksts")
    page.goto(item.get_absolute_url())
    page.get_by_label("Vārds").fill("Ina")
    page.get_by_label("Komentārs").fill("Ātrs komentārs")
    page.get_by_role("button", name="Nosūtīt komentāru").click()
    assert page.get_by_role("alert").get_by_text("Komentārs nosūtīts pārāk ātri").is_visible()
    assert page.get_by_label("Komentārs").input_value() == "Ātrs komentārs"
    assert_accessible(page)
    screenshot(page, "news-comment-refused")


def test_news_on_a_phone_and_the_editor_form(phone_page, world, methodologist):
    article(world.network, "Bibliotēkas atsāk darbu klātienē", lead="No jūnija atkal klātienē.")
    phone_page.goto("/jaunumi/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert_accessible(phone_page)
    screenshot(phone_page, "news-list-phone")
    log_in(phone_page, methodologist.email, PASSWORD)
    phone_page.goto("/jaunumi/redakcija/testa/jauns/")
    phone_page.get_by_role("button", name="Saglabāt").click()
    assert phone_page.get_by_role("alert").is_visible()
    assert_accessible(phone_page)
    screenshot(phone_page, "news-editor-errors-phone")
    assert Article.objects.count() == 1
