"""The layers are enforced, not a convention: the import contract holds on the tree, and an import
against the order (a lower app reaching up) makes `lint-imports` — run by `make lint` — fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own checker on our own tree
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip


def copy_of_tree(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "parskats", tmp_path / "parskats", ignore=shutil.ignore_patterns("*.mo", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_the_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_an_upward_import_fails_the_check(tmp_path):
    root = copy_of_tree(tmp_path)
    (root / "parskats" / "network" / "upward.py").write_text("from parskats.reporting.models import Report\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "parskats.network.upward -> parskats.reporting.models" in result.stdout


def test_the_bottom_layer_imports_no_app(tmp_path):
    root = copy_of_tree(tmp_path)
    (root / "parskats" / "core" / "upward.py").write_text("import parskats.accounts.models\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "parskats.core is not allowed to import parskats.accounts" in result.stdout


def test_the_readme_layout_table_matches_the_tree_and_the_contract():
    """Every app with an AppConfig is in the README's layout table on the contract's layer, and the
    table names no app that is not in the tree."""
    import re
    import tomllib

    layers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]["layers"]
    contract = {app.strip(): len(layers) - 1 - depth for depth, line in enumerate(layers) for app in line.split("|")}
    readme = (ROOT / "README.md").read_text()
    table = {app: int(level) for level, app in re.findall(r"^\| (\d+)[^|]*\| `(\w+)` \|", readme, re.MULTILINE)}
    apps = {path.parent.name for path in (ROOT / "parskats").glob("*/apps.py")}
    assert table == contract
    assert set(table) == apps
