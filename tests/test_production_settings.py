"""Production settings: `check --deploy` is clean, and every response carries the security headers
(CSP without inline code, HSTS, frame denial, referrer policy, secure cookies)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from .conftest import client_for

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "PARSKATS_ENV": "production",
    "DJANGO_SECRET_KEY": "p" * 20 + "-random-enough-for-a-test-0123456789",
    "DJANGO_ALLOWED_HOSTS": "testserver,parskats.example.org",
}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PARSKATS_ENV", "DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_in_development_so_the_test_above_can_fail():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS outside production


PROBE = """
import json
from django.test import Client
response = Client().get("/accounts/login/", secure=True)
print(json.dumps({"status": response.status_code, "headers": dict(response.headers),
                  "cookies": {k: dict(v) for k, v in response.cookies.items()}}))
"""


def test_production_response_headers_and_cookies(tmp_path):
    static = {"PARSKATS_STATIC_ROOT": str(tmp_path / "static")}
    collected = run(["manage.py", "collectstatic", "--noinput", "-v0"], **PRODUCTION, **static)
    assert collected.returncode == 0, collected.stderr
    result = run(["manage.py", "shell", "-c", PROBE], **PRODUCTION, **static)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    headers = answer["headers"]
    assert answer["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "script-src 'self';" in headers["Content-Security-Policy"]
    csrf = answer["cookies"]["csrftoken"]
    assert csrf["secure"] is True and csrf["samesite"] == "Lax"
    # Plain HTTP is redirected to HTTPS.
    plain = run(["manage.py", "shell", "-c", PROBE.replace("secure=True", "secure=False")], **PRODUCTION, **static)
    assert json.loads(plain.stdout.strip().splitlines()[-1])["status"] == 301


def test_every_page_carries_a_csp_without_inline_code(world, methodologist):
    for client, url in (
        (client_for(None), reverse("accounts:login")),
        (client_for(methodologist), reverse("network:libraries", args=[world.network.slug])),
    ):
        response = client.get(url)
        assert response.status_code == 200
        csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
        assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
        assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
        assert "unsafe" not in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "camera=()" in response.headers["Permissions-Policy"]


# What the CSP would block in a browser, found in the source: inline <script> bodies, event-handler
# attributes, javascript: URLs, <style> blocks and style="" attributes. Templates rendered only to
# files (PDF, DOCX, slides) may style inline: they are not served as pages.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.I)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)
INLINE_STYLE = re.compile(r"<style[\s>]|\sstyle\s*=\s*[\"']", re.I)
PRINT_ONLY = re.compile(r"/(pdf|docx|pptx|print|slides|handout|email)[/_.]|_pdf\.|_print\.", re.I)


def test_templates_have_no_inline_scripts_or_styles():
    problems = []
    for template in sorted((ROOT / "parskats").glob("*/templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        rules = [INLINE_SCRIPT, HANDLER, JS_URL]
        if not PRINT_ONLY.search(str(template.relative_to(ROOT))):
            rules.append(INLINE_STYLE)
        for rule in rules:
            for match in rule.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{template.relative_to(ROOT)}:{line}: {match.group(0).strip()!r}")
    assert not problems, (
        "The Content-Security-Policy blocks inline scripts and styles; move them to a static .js/.css file:\n"
        + "\n".join(problems)
    )
