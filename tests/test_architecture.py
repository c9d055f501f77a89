"""The rule "views parse, call one action, render" is checked by scripts/check_views.py in `make lint`.
The checker itself is tested here: it finds each kind of write in a bad sample, passes a good one
(dict.update, cache and session calls, form.save(commit=False) are not writes) and passes the tree."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_views.py"

BAD = textwrap.dedent(
    """
    from django.db import transaction
    from django.db.transaction import atomic

    def view(request, report):
        report.save()
        Report.objects.create(unit=1)
        Report.objects.filter(pk=1).update(status="approved")
        report.photos.all().update(caption="")
        report.values.update(flag="estimated")
        report.delete()
        Value.objects.bulk_create([])
        Value.objects.bulk_update([], ["number"])
        Role.objects.get_or_create(user=request.user)
        Explanation.objects.update_or_create(report=report)
        form.save()
        with transaction.atomic():
            pass
    """
)

GOOD = textwrap.dedent(
    """
    from django.core.cache import cache
    from django.db.models import Count

    def view(request, report):
        context = {"report": report}
        context.update({"more": 1})
        context.update(more=2)
        counts = dict.fromkeys(["a"], 0)
        counts.update(dict(grouped))
        cache.delete("key")
        cache.set("key", 1)
        request.session.update({"seen": True})
        article = form.save(commit=False)
        save_article(request.user, article, [])
        return render(request, "x.html", context)
    """
)


def run(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(SCRIPT), *map(str, paths)], capture_output=True, text=True, cwd=ROOT, check=False
    )


@pytest.fixture
def sample(tmp_path: Path):
    def write(name: str, source: str) -> Path:
        path = tmp_path / name
        path.write_text(source, "utf-8")
        return path

    return write


def test_every_kind_of_write_in_a_view_module_is_found(sample):
    bad = sample("bad_views.py", BAD)
    result = run(bad)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith(str(bad))]
    found = {int(line.split(":")[1]) for line in lines}
    source = BAD.splitlines()
    expected = {
        number
        for number, text in enumerate(source, start=1)
        if text.strip() and not text.strip().startswith(("def ", "pass", '"'))
    }
    assert found == expected, (found, expected, result.stdout)
    assert "transaction" in result.stdout and ".update() on a queryset" in result.stdout
    assert "bulk_create" in result.stdout and "update_or_create" in result.stdout


def test_reads_dict_update_cache_and_unsaved_forms_pass(sample):
    result = run(sample("good_views.py", GOOD))
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""


def test_only_modules_named_views_are_checked(sample):
    """Actions write by design; the same code in a module not named *views* passes."""
    assert run(sample("actions.py", BAD)).returncode == 0
    assert run(sample("editor_views.py", BAD)).returncode == 1


def test_the_tree_has_no_write_in_a_view():
    result = run(ROOT / "parskats")
    assert result.returncode == 0, result.stdout


def test_make_lint_runs_the_checker():
    makefile = (ROOT / "Makefile").read_text("utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/check_views.py" in lint


def test_make_lint_fails_on_a_type_error(tmp_path):
    """mypy runs in `make lint` with the project's strict configuration, and a type error fails it
    (an untyped function fails too: strict mode, not only the obvious mistake)."""
    makefile = (ROOT / "Makefile").read_text("utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "mypy parskats" in lint
    mypy = Path(sys.executable).with_name("mypy")
    (tmp_path / "wrong.py").write_text("def f(x: int) -> str:\n    return x\n\n\ndef g(y):\n    return y\n")
    result = subprocess.run(  # noqa: S603 - our own checker on a file we wrote
        [str(mypy), "--config-file", str(ROOT / "pyproject.toml"), str(tmp_path / "wrong.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout
    assert "[return-value]" in result.stdout and "[no-untyped-def]" in result.stdout
