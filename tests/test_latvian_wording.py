"""Latvian as a Latvian editor writes it: the compiled catalogues, the templates and the catalogue data
carry none of the forms an editor struck out, one word per thing across the apps' catalogues, and the
dates, minus signs and units the pages print follow the Latvian rules."""

from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from django.utils import formats, translation
from django.utils.translation import gettext

from parskats.catalogue.models import Indicator
from parskats.core.changes import signed_number
from parskats.core.numbers import format_number, format_percentage

ROOT = Path(__file__).resolve().parents[1] / "parskats"
CATALOGUES = sorted(ROOT.glob("*/locale/lv/LC_MESSAGES/django.mo"))

MONTHS = "janvāris|februāris|marts|aprīlis|maijs|jūnijs|jūlijs|augusts|septembris|oktobris|novembris|decembris"
# What an editor struck out, and what she wrote instead.
BANNED = {
    r"ticamā robežām": "ārpus ticamajām robežām",
    r"Atjaunot paskaidrojumu": "Labot paskaidrojumu",
    r"pielieto": "piemērot",
    r"\b[Tt]\.sk\.": "t. sk.",
    r"[Dd]arbgrāmat": "izklājlapa (one name for the spreadsheet)",
    r"“[^”„]*”|\"[^\"]+\"": "„…“ (Latvian quotation marks)",
    rf"\b\d{{1,2}}\. ({MONTHS}) \d{{4}}": "2021. gada 5. marts",
    r"(?i)\b(\w{5})\w* \1": "a label that repeats itself (“Slodzes slodzes”)",
}
# Model field names (the admin's columns) that mean a person's name in one app and a thing's in
# another; they stay apart until the models give them a context.
SENSES_APART = {"name", "role", "created"}


def untagged(text: str) -> str:
    """The words of a text, without its HTML tags (whose attributes are quoted as HTML wants)."""
    return re.sub(r"<[^>]+>", "", text)


def translations() -> list[tuple[str, str | None, str, str]]:
    """(app, context, msgid, msgstr) of every compiled Latvian catalogue."""
    assert len(CATALOGUES) >= 12, "compile the catalogues first: make messages"
    rows = []
    for path in CATALOGUES:
        with path.open("rb") as handle:
            for message in read_mo(handle):
                if not message.id:
                    continue
                ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
                strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
                rows += [(path.parts[-5], message.context, ids[0], s) for s in strings]
    return rows


@pytest.mark.parametrize(("pattern", "instead"), BANNED.items())
def test_no_catalogue_uses_a_struck_out_form(pattern, instead):
    found = [(app, msgid, text) for app, _, msgid, text in translations() if re.search(pattern, untagged(text))]
    assert not found, f"write {instead}: {found[:5]}"


def test_one_msgid_has_one_latvian_wording_across_the_apps():
    """Django merges the apps' catalogues and the first app wins: "Start" translated as a column
    ("Sākums") in one app became the seminar button's word in another. Different senses take a context."""
    wordings: dict[tuple[str | None, str], dict[str, str]] = defaultdict(dict)
    for app, context, msgid, text in translations():
        wordings[(context, msgid)][app] = text
    clashes = {
        key: apps for key, apps in wordings.items() if len(set(apps.values())) > 1 and key[1] not in SENSES_APART
    }
    assert not clashes


def data_texts() -> list[tuple[str, str]]:
    """The Latvian texts of the catalogue data: indicator names and definitions, check messages, sections."""
    texts = []
    for path in [*ROOT.glob("catalogue/data/*.csv"), *ROOT.glob("pls/data/*.csv")]:
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                where = f"{path.name}:{row.get('code')}"
                texts += [(where, v) for k, v in row.items() if k and k.endswith("_lv") and v]
    for path in [*ROOT.glob("catalogue/data/*.toml"), *ROOT.glob("pls/data/*.toml")]:

        def walk(node: object, where: str) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if isinstance(value, str) and key.endswith("_lv"):
                        texts.append((f"{where}.{key}", value))
                    else:
                        walk(value, f"{where}.{key}")
            elif isinstance(node, list):
                for item in node:
                    walk(item, where)

        walk(tomllib.loads(path.read_text(encoding="utf-8")), path.name)
    return texts


@pytest.mark.parametrize(("pattern", "instead"), BANNED.items())
def test_the_catalogue_data_uses_no_struck_out_form(pattern, instead):
    texts = data_texts()
    assert len(texts) > 100
    found = [(where, text) for where, text in texts if re.search(pattern, text)]
    assert not found, f"write {instead}: {found[:5]}"


def test_templates_format_dates_by_the_locale_not_by_a_fixed_pattern():
    """A fixed "j. F Y" prints "5. marts 2021"; DATE_FORMAT prints "2021. gada 5. marts" in Latvian."""
    found = [
        str(path.relative_to(ROOT))
        for path in [*ROOT.glob("*/templates/**/*.html"), *ROOT.glob("*/templates/**/*.txt"), *ROOT.glob("*/*.py")]
        if re.search(r"""(date:|date_format\([^,]+,\s*)["']j\. ?F""", path.read_text(encoding="utf-8"))
    ]
    assert not found
    with translation.override("lv"):
        assert formats.date_format(dt.date(2021, 3, 5), "DATE_FORMAT") == "2021. gada 5. marts"


@pytest.mark.django_db
def test_no_label_repeats_its_unit():
    from django.core.management import call_command

    call_command("load_catalogue", verbosity=0)
    indicators = list(Indicator.objects.all())
    assert len(indicators) > 30
    with translation.override("lv"):
        for indicator in indicators:
            label = f"{indicator.name} {indicator.unit_label}".strip()
            assert not re.search(BANNED_REPEAT, label), label
        by_code = {i.code: i for i in indicators if i.survey.code == "lv-annual"}
        assert by_code["visits"].unit_label == "" and by_code["staff_fte"].unit_label == ""
        assert by_code["staff"].unit_label == "personas"


BANNED_REPEAT = r"(?i)\b(\w{5})\w* \1"


def test_groupings_are_translated():
    with translation.override("lv"):
        assert (gettext("By county"), gettext("By library")) == ("Pa novadiem", "Pa bibliotēkām")


def test_one_minus_sign_for_figures_percentages_and_changes():
    with translation.override("lv"):
        assert format_number(Decimal("-1234.5"), 1) == "\u22121\u00a0234,5"
        assert format_percentage(Decimal("-0.166")) == "\u221216,6\u00a0%"
        assert signed_number(Decimal(-56)) == "\u221256"
