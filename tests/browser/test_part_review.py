"""In a real browser: the methodologist of one part of the map (Valka county) lands on her part's
year at a glance, reaches the report waiting longest in her part in one click and approves it with
the decision in view, on a wide screen and on a phone; library A's report, outside her part, is not
offered and its address gives a 404. Every page is checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parskats.reporting.models import Report

from ..factories import PASSWORD
from ..test_review_workflow import clean_submitted
from ..test_role_homes import opened
from .conftest import assert_accessible, log_in, screenshot
from .test_review_journeys import in_view_without_scrolling

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360])
def test_the_part_methodologist_approves_in_her_part(
    browser, live_server, width, world, reporter_a, reporter_b, part_methodologist_b
):
    year = opened(world.periods[2021])
    outside = clean_submitted(world.library_a, year, reporter_a)  # waits longest, but is not hers
    mine = clean_submitted(world.library_b, year, reporter_b)
    context = browser.new_context(
        base_url=live_server.url, locale="lv-LV", viewport={"width": width, "height": 800 if width > 400 else 640}
    )
    page = context.new_page()
    log_in(page, part_methodologist_b.email, PASSWORD)
    glance = page.get_by_role("region", name="2021. gads īsumā")
    expect(glance).to_contain_text("Valkas novads")
    expect(glance).not_to_contain_text("Sedas bibliotēka")
    assert_accessible(page)
    screenshot(page, f"home-part-methodologist-{width}")
    page.get_by_role("link", name="Pārbaudīt nākamo atskaiti: Ērģemes pagasta bibliotēka").click()
    approve = page.get_by_role("button", name="Apstiprināt", exact=True)
    assert in_view_without_scrolling(page, approve), f"the decision needs scrolling at {width} px"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    approve.click()
    page.get_by_role("dialog", name="Apstiprināt atskaiti?").get_by_role("button", name="Jā, apstiprināt").click()
    expect(page.get_by_role("status")).to_contain_text("apstiprināta un slēgta")
    mine.refresh_from_db()
    assert mine.status == Report.Status.APPROVED
    response = page.goto(f"/n/{world.network.slug}/review/reports/{outside.pk}/")
    assert response is not None and response.status == 404
    outside.refresh_from_db()
    assert outside.status == Report.Status.SUBMITTED
    context.close()
