"""Every page a person reaches from the menu and the main pages fits a 360 px phone and passes axe:
the demo network, crawled as its reporter, methodologist, viewer and an anonymous reader. Links are
followed breadth-first within the site; pages that differ only by an id (or a third library's page
of the same kind) are visited once, so the crawl stays a few minutes long."""

from __future__ import annotations

import re
from io import StringIO
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from parskats.site.demo import DEMO_PASSWORD

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 360
MAX_PAGES = 90
# Downloads, feeds, files and the admin are not pages a phone lays out.
NOT_PAGES = re.compile(
    r"(/rss/|/atom/|\.(zip|png|jpe?g|svg|txt|xlsx|docx|odt|csv|json|pdf|pptx|ics|xml)$|^/admin/|^/i18n/|^/media/|^/static/|/api/)"
)
PERSONAS = {
    "anonymous": (None, ["/", "/accounts/login/", "/jaunumi/", "/stasti/"]),
    "reporter": ("valka@example.org", ["/", "/n/valka/reports/", "/accounts/me/"]),
    "methodologist": ("metodikis@example.org", ["/", "/n/valka/review/", "/n/valka/reports/", "/n/valka/seminars/"]),
    "viewer": ("skatitajs@example.org", ["/", "/n/valka/figures/", "/n/valka/annual-review/"]),
}
# Whatever reaches past the viewport and is not inside a box that scrolls (or clips) on its own.
OVERFLOWING = """() => { const W = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect(); if (r.right <= W + 1 || !r.width) continue;
    let p = el.parentElement, boxed = false;
    while (p) {
      const s = getComputedStyle(p);
      if (s.overflowX !== 'visible' && p.getBoundingClientRect().right <= W + 1) { boxed = true; break; }
      p = p.parentElement;
    }
    const name = el.className ? '.' + String(el.className).trim().replace(/\\s+/g, '.') : '';
    if (!boxed) out.push(el.tagName.toLowerCase() + name + ' → ' + Math.round(r.right) + ' px');
  }
  return out.slice(0, 5); }"""
MUST_REACH = {
    "anonymous": ["/", "/accounts/login/", "/jaunumi/", "/stasti/"],
    "reporter": ["/n/valka/reports/", "/accounts/me/", "/n/valka/figures/"],
    "methodologist": ["/n/valka/review/", "/n/valka/review/people/", "/jaunumi/redakcija/", "/accounts/me/"],
    "viewer": ["/n/valka/figures/", "/n/valka/annual-review/", "/accounts/me/"],
}
AXE_RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def page_key(path: str) -> tuple[str, str]:
    """Pages that differ only by an id are one page; the parent groups a library's or a story's pages."""
    key = re.sub(r"\d+", "N", path)
    return key, key.rstrip("/").rsplit("/", 1)[0]


def links_on(page: Page) -> list[str]:
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]'), a => a.href)")
    out = []
    for href in hrefs:
        parsed = urlparse(href)
        if parsed.netloc == urlparse(page.url).netloc and not NOT_PAGES.search(parsed.path):
            out.append(parsed.path)
    return out


def crawl(page: Page, seeds: list[str]) -> tuple[list[str], list[str]]:
    """Visit pages breadth-first from the seeds; return what was visited and every problem found."""
    queue, seen, per_parent, visited, problems = list(seeds), set(), {}, [], []
    axe = Axe()
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        key, parent = page_key(path)
        # a fourth library's (or story's) page of the same kind shows nothing new
        if key in seen or (key.count("/") > 4 and per_parent.get(parent, 0) >= 2):
            continue
        seen.add(key)
        per_parent[parent] = per_parent.get(parent, 0) + 1
        try:
            response = page.goto(path)
        except PlaywrightError as error:  # a download behind a link without a file extension
            if "Download is starting" in str(error):
                continue
            raise
        status = response.status if response else 0
        if status >= 500:
            problems.append(f"{path}: HTTP {status}")
        if status >= 400:  # a refusal page; the permission tests cover who gets one
            continue
        visited.append(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE:
            problems.append(f"{path}: {width} px wide — {page.evaluate(OVERFLOWING)}")
        if per_parent[parent] == 1 or key.count("/") <= 4:  # axe once per kind of page: it takes seconds
            for v in axe.run(page, options=AXE_RULES).response["violations"]:
                problems.append(f"{path}: axe {v['id']} {[n['target'] for n in v['nodes']][:2]}")
        queue.extend(link for link in links_on(page) if page_key(link)[0] not in seen)
    return visited, problems


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=StringIO())


@pytest.mark.timeout(1500)
def test_every_page_fits_a_360_px_phone_and_passes_axe(browser: Browser, live_server, demo):
    problems = []
    for persona, (email, seeds) in PERSONAS.items():
        context = browser.new_context(
            base_url=live_server.url, locale="lv-LV", viewport={"width": PHONE, "height": 760}, is_mobile=True
        )
        page = context.new_page()
        if email:
            log_in(page, email, DEMO_PASSWORD)
            seeds = [urlparse(page.url).path, *seeds]
        visited, found = crawl(page, seeds)
        context.close()
        problems += [f"{persona}: {problem}" for problem in found]
        # The crawl reached the role's main pages (a broken menu would make it pass vacuously).
        assert len(visited) >= 15, (persona, visited)
        assert set(MUST_REACH[persona]) <= set(visited), (persona, set(MUST_REACH[persona]) - set(visited))
        if persona == "reporter":
            assert any(re.fullmatch(r"/n/valka/reports/\d+/", p) for p in visited)
        if persona == "methodologist":
            assert any(re.fullmatch(r"/n/valka/seminars/\d+/", p) for p in visited)
            assert any(re.fullmatch(r"/n/valka/annual-review/\d+/s/[a-z_]+/", p) for p in visited)
    assert not problems, "\n".join(problems)
