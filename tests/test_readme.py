"""A fresh clone's README stands on its own, and `make run` sends email links to its own port."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
LOCAL = ("http://127.0.0.1", "https://…", "https://parskats.example.org", "https://parskats.example.lv")


def test_the_readme_links_nothing_outside_the_repository():
    assert "../" not in README
    urls = re.findall(r"https?://[^\s`)]+", README)
    assert urls and all(url.startswith(LOCAL) for url in urls), [u for u in urls if not u.startswith(LOCAL)]
    for target in re.findall(r"\]\(([^)]+)\)", README):
        assert not target.startswith(("http", "/")) and (ROOT / target.split("#")[0]).exists(), target
    # The paths it names in backticks as files of the repository are there.
    for path in re.findall(r"`((?:parskats|docs|scripts|bench|tests)/[^`*<>…]+?)`", README):
        assert (ROOT / path.split(":")[0].split(" ")[0]).exists(), path


def test_the_readme_gives_each_role_a_first_tour():
    tour = README.split("## The first ten minutes", 1)[1].split("\n## ", 1)[0]
    for role in ("**Reporter**", "**Methodologist**", "**Viewer**", "**Reader**"):
        assert role in tour


def test_port_sets_the_links_in_the_emails_of_make_run():
    make = shutil.which("make")
    assert make is not None
    plan = subprocess.run(  # noqa: S603 - fixed argv
        [make, "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    server = next(line for line in plan.splitlines() if "runserver" in line)
    assert "PARSKATS_BASE_URL=http://127.0.0.1:8123" in server and server.endswith("127.0.0.1:8123")
