"""The deployment smoke test: real requests through nginx (TLS) to gunicorn's 4 workers over
PostgreSQL and Redis, as stood up by deploy/ci-smoke.sh. Not part of `make test`: it needs the stack.

A reporter logs in, saves a value and uploads a photo; the photo answers to her (sent by nginx
through X-Accel-Redirect) and to nobody else; she submits, the methodologist approves and downloads
the seminar deck; rate limits and login lockouts are exact across the workers.
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import redis
import requests
from PIL import Image
from requests.adapters import HTTPAdapter

BASE = os.environ["SMOKE_URL"].rstrip("/")
CA = os.environ["SMOKE_CA"]
DATABASE = os.environ["SMOKE_DATABASE_URL"]
GUNICORN_LOG = Path(os.environ["SMOKE_GUNICORN_LOG"])
API_LIMIT = int(os.environ["SMOKE_API_LIMIT"])
FIRST_DELAY = int(os.environ["SMOKE_LOGIN_FIRST_DELAY"])
NETWORK = "valka"
PASSWORD = "parskats-demo"  # noqa: S105 - the demo's published password


class FromAddress(HTTPAdapter):
    """Connections from another loopback address (all of 127/8 is this machine): to nginx, and so to
    the app behind it, another client."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]


class Browser(requests.Session):
    """A person at a browser: cookies, the CSRF token from the cookie, a Referer on every POST."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        super().__init__()
        self.verify = CA
        self.trust_env = False  # REQUESTS_CA_BUNDLE and proxies of the machine would win over `verify`
        self.mount("https://", FromAddress(address))

    def go(self, method: str, path: str, **kwargs: object) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})  # type: ignore[call-overload]
        if method == "POST":
            if "csrftoken" not in self.cookies:
                self.get(BASE + "/accounts/login/")
            headers.setdefault("Referer", BASE + path)
            data = dict(kwargs.pop("data", None) or {})  # type: ignore[call-overload]
            data["csrfmiddlewaretoken"] = self.cookies["csrftoken"]
            kwargs["data"] = data
        return self.request(method, BASE + path, headers=headers, allow_redirects=False, timeout=120, **kwargs)  # type: ignore[arg-type]

    def log_in(self, email: str, password: str = PASSWORD) -> requests.Response:
        self.go("GET", "/accounts/login/")
        return self.go("POST", "/accounts/login/", data={"username": email, "password": password})


def query(sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(DATABASE) as connection:
        return connection.execute(sql, params).fetchall()  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def draft() -> dict:
    """A demo reporter of one library whose report of the open year was returned to her: she may
    change it and submit it again (the demo's drafts are still incomplete and would be refused)."""
    rows = query(
        "SELECT u.email, r.id FROM reporting_report r "
        "JOIN reporting_reportingperiod p ON p.id = r.period_id AND p.status = 'open' "
        "JOIN accounts_role ro ON ro.unit_id = r.unit_id AND ro.kind = 'reporter' "
        "JOIN accounts_user u ON u.id = ro.user_id "
        "WHERE r.status = 'returned' AND (SELECT count(*) FROM accounts_role x WHERE x.user_id = u.id) = 1 "
        "ORDER BY r.id LIMIT 1"
    )
    assert rows, "the demo has no returned report of the open year"
    return {"email": rows[0][0], "report": rows[0][1]}


@pytest.fixture(scope="module")
def reporter(draft: dict) -> Browser:
    person = Browser()
    answer = person.log_in(draft["email"])
    assert answer.status_code == 302, answer.text[:500]
    return person


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 110, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def gunicorn_lines(path_part: str) -> list[str]:
    time.sleep(0.3)  # the access log is written after the response
    return [line for line in GUNICORN_LOG.read_text().splitlines() if path_part in line]


def test_login_sets_a_secure_session_kept_in_redis(reporter: Browser) -> None:
    cookie = next(c for c in reporter.cookies if c.name == "sessionid")
    assert cookie.secure
    store = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert any(store.scan_iter(match=f"{os.environ['PARSKATS_CACHE_PREFIX']}:*session*{cookie.value}*"))


def test_the_reporter_saves_a_value(reporter: Browser, draft: dict) -> None:
    code = "hours_week"  # opening hours a week: one more hour changes no other figure's checks
    form = reporter.go("GET", f"/n/{NETWORK}/reports/{draft['report']}/")
    assert form.status_code == 200
    version = re.search(rf'name="version-{code}" value="(\d+)"', form.text)
    current = re.search(rf'name="v-{code}" value="(\d+)"', form.text)
    assert version and current, f"no field {code} on the form"
    new = int(current.group(1)) + 1
    saved = reporter.go(
        "POST",
        f"/n/{NETWORK}/reports/{draft['report']}/value/{code}/",
        data={f"v-{code}": str(new), f"kind-{code}": "number", f"version-{code}": version.group(1)},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200 and "status-saved" in saved.text, saved.text[:500]
    stored = query(
        "SELECT v.number FROM reporting_value v JOIN catalogue_indicator i ON i.id = v.indicator_id "
        "WHERE v.report_id = %s AND i.code = %s",
        draft["report"],
        code,
    )
    assert stored and int(stored[0][0]) == new


@pytest.fixture(scope="module")
def photo_url(reporter: Browser, draft: dict) -> str:
    answer = reporter.go(
        "POST",
        f"/n/{NETWORK}/reports/{draft['report']}/photos/",
        data={"alt_text": "Lasītāji pie plaukta", "consent": "on"},
        files={"image": ("bilde.jpg", jpeg(), "image/jpeg")},
    )
    assert answer.status_code == 302, answer.text[:500]
    rows = query("SELECT image FROM reporting_photo WHERE report_id = %s ORDER BY id DESC LIMIT 1", draft["report"])
    assert rows, "the photo was not stored"
    return f"/media/{rows[0][0]}"


def test_a_draft_photo_is_refused_to_strangers(photo_url: str, draft: dict) -> None:
    assert Browser().go("GET", photo_url).status_code == 404
    other = Browser()
    stranger = "ergeme@example.org" if draft["email"] != "ergeme@example.org" else "valka@example.org"
    assert other.log_in(stranger).status_code == 302  # another library's reporter
    assert other.go("GET", photo_url).status_code == 404
    # nginx's internal location cannot be asked for directly.
    assert Browser().go("GET", photo_url.replace("/media/", "/_protected_media/")).status_code == 404


def test_the_reporter_reads_her_draft_photo_sent_by_nginx(reporter: Browser, photo_url: str) -> None:
    answer = reporter.go("GET", photo_url)
    assert answer.status_code == 200 and answer.content[:3] == b"\xff\xd8\xff"
    assert answer.headers["Content-Type"] == "image/jpeg"
    # Headers only nginx's internal location adds, and a file's ETag: the bytes came from nginx.
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "ETag" in answer.headers
    assert "private" in answer.headers.get("Cache-Control", ""), answer.headers
    # gunicorn answered that request with an empty body (X-Accel-Redirect).
    served = [line.split('"')[2].split()[:2] for line in gunicorn_lines(f"GET {photo_url} ")]
    assert ["200", "0"] in served and all(bytes_ == "0" for status, bytes_ in served if status == "200"), served


def test_the_methodologist_approves_and_the_consented_photo_becomes_public(
    reporter: Browser, draft: dict, photo_url: str
) -> None:
    submitted = reporter.go("POST", f"/n/{NETWORK}/reports/{draft['report']}/submit/")
    assert submitted.status_code == 302
    status = query("SELECT status FROM reporting_report WHERE id = %s", draft["report"])[0][0]
    assert status == "submitted", f"the report was not submitted: {status}"
    methodologist = Browser()
    assert methodologist.log_in("metodikis@example.org").status_code == 302
    approved = methodologist.go("POST", f"/n/{NETWORK}/review/reports/{draft['report']}/approve/")
    assert approved.status_code == 302
    assert query("SELECT status FROM reporting_report WHERE id = %s", draft["report"])[0][0] == "approved"
    public = Browser().go("GET", photo_url)
    assert public.status_code == 200 and "public" in public.headers["Cache-Control"]


def test_the_methodologist_downloads_the_seminar_deck() -> None:
    seminar = query("SELECT s.id FROM seminar_seminar s JOIN network_network n ON n.id = s.network_id "
                    "WHERE n.slug = %s ORDER BY s.id LIMIT 1", NETWORK)  # fmt: skip
    assert seminar, "the demo has no seminar"
    methodologist = Browser()
    assert methodologist.log_in("metodikis@example.org").status_code == 302
    started = time.monotonic()
    deck = methodologist.go("GET", f"/n/{NETWORK}/seminars/{seminar[0][0]}/deck.pptx")
    took = time.monotonic() - started
    assert deck.status_code == 200, deck.text[:300]
    assert deck.content[:2] == b"PK" and len(deck.content) > 20_000
    assert "presentationml" in deck.headers["Content-Type"]
    print(f"\ndeck: {len(deck.content) / 1024:.0f} KiB in {took:.2f} s")


def test_static_files_come_from_nginx_with_a_long_cache() -> None:
    reader = Browser()
    page = reader.go("GET", "/")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page.text)
    assert stylesheet, "no stylesheet on the start page"
    answer = reader.go("GET", stylesheet.group(1))
    assert answer.status_code == 200 and "immutable" in answer.headers["Cache-Control"]
    assert not gunicorn_lines(stylesheet.group(1)), "a static file reached gunicorn"


def test_nginx_gives_each_request_its_id_and_gunicorn_logs_it() -> None:
    answer = Browser().go("GET", "/health/", headers={"X-Request-ID": "chosen-by-the-client"})
    request_id = answer.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id), request_id  # nginx's $request_id, not the client's
    deadline = time.monotonic() + 5  # gunicorn writes its access line just after the answer
    while not any(line.endswith(request_id) for line in gunicorn_lines("/health/")):
        assert time.monotonic() < deadline, "gunicorn's access log does not carry the request id"
        time.sleep(0.2)


def test_the_api_limit_is_exact_across_the_four_workers() -> None:
    """API_LIMIT requests allowed, every further one refused, however the requests spread."""
    now = time.time()
    if 3600 - now % 3600 < 20:  # the limit's window is an hour: do not straddle its end
        time.sleep(3600 - now % 3600 + 1)
    path = "/api/networks/"

    def ask(_: int) -> tuple[int, str]:
        answer = requests.get(BASE + path, verify=CA, timeout=60)
        return answer.status_code, answer.headers.get("Retry-After", "")

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(ask, range(API_LIMIT * 2 + 5)))
    counts = Counter(status for status, _ in answers)
    assert counts == {200: API_LIMIT, 429: API_LIMIT + 5}, counts
    assert all(int(wait) > 0 for status, wait in answers if status == 429)
    workers = {line.split()[0] for line in gunicorn_lines(f"GET {path} ")}
    assert len(workers) >= 2, f"all requests went to one worker: {workers}"
    print(f"\nAPI: {counts[200]} allowed, {counts[429]} refused, served by {len(workers)} workers")


def test_login_lockout_is_exact_across_workers_and_spares_the_right_pair() -> None:
    """Ten wrong passwords at once for one account: exactly five are checked, five wait."""
    email = "strenci@example.org"
    assert query("SELECT 1 FROM accounts_user WHERE email = %s", email), f"no demo user {email}"
    browsers = [Browser() for _ in range(10)]
    for browser in browsers:  # the login page (and its CSRF cookie) first: the ten posts then start together
        assert browser.go("GET", "/accounts/login/").status_code == 200
    start = threading.Barrier(len(browsers))

    def wrong(n: int) -> tuple[int, str]:
        start.wait()
        answer = browsers[n].go("POST", "/accounts/login/", data={"username": email, "password": f"wrong-{n}"})
        return answer.status_code, answer.headers.get("Retry-After", "")

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        answers = list(pool.map(wrong, range(len(browsers))))
    took = time.monotonic() - began
    counts = Counter(status for status, _ in answers)
    # Exactly five, unless the posts took longer than the first delay to reach the view (a machine
    # under heavy load): then each delay waited out allows one more, never more than that.
    extra = next(k for k in range(10) if FIRST_DELAY * (2 ** (k + 1) - 1) > took)
    assert 5 <= counts[200] <= 5 + extra and counts[200] + counts[429] == 10, (answers, took)
    waits = {int(wait) for status, wait in answers if status == 429}
    assert waits and all(1 <= wait <= FIRST_DELAY * 2 ** (counts[200] - 5) for wait in waits), answers
    # Other accounts from this address are not held up, and she logs in at once from another one.
    assert Browser().log_in("metodikis@example.org").status_code == 302
    assert Browser("127.0.0.2").log_in(email).status_code == 302
    served = {line.split()[0] for line in gunicorn_lines("POST /accounts/login/ ")}
    print(f"\nlogin: {counts[200]} checked, {counts[429]} refused with Retry-After {sorted(waits)} s in "
          f"{took:.1f} s, another address let in; logins served by {len(served)} workers")  # fmt: skip


def test_the_login_delay_grows_after_each_further_failure_whichever_worker_answers() -> None:
    """After the free attempts one try per delay, the delay doubling (the run sets a short first
    delay): each refusal's Retry-After is longer than the delay before it and at most its own."""
    email = "turna@example.org"
    delays = [FIRST_DELAY, 2 * FIRST_DELAY]
    waits = []
    for n in range(4):
        assert Browser().log_in(email, f"wrong-{n}").status_code == 200
    for k, delay in enumerate(delays):
        # The last attempt let through (the fifth free one, then one after each wait): the server's
        # delay runs from when it began.
        began = time.monotonic()
        assert Browser().log_in(email, f"let-through-{k}").status_code == 200
        refused = Browser().log_in(email, "too-early")
        elapsed = time.monotonic() - began
        assert refused.status_code == 429, refused.status_code
        waits.append(int(refused.headers["Retry-After"]))
        assert (delays[k - 1] if k else 0) < waits[-1] <= delay, (k, waits, elapsed)
        assert waits[-1] + elapsed >= delay - 0.5, (k, waits, elapsed)  # nothing is let through early
        if k < len(delays) - 1:
            time.sleep(waits[-1] + 0.2)
    print(f"\nlogin delays: Retry-After {waits} s (first delay {FIRST_DELAY} s, doubling)")
