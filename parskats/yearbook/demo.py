"""Demo content for the annual review: invented texts of the 2021 reports for the narrative sections
the reports' own demo texts (`reporting.demo_texts`: stories, insights, pandemic notes) leave to it,
and a draft review of 2021 with the methodologist's summary, choices and conclusions.

Idempotent: texts are only added where a report has none for a section, the review only once.
Every text is invented; place names are real, people are not named.
"""

from __future__ import annotations

import random
from typing import Any

from parskats.accounts.models import Role
from parskats.catalogue.models import NarrativeSection, Survey
from parskats.network.models import Network
from parskats.reporting.models import Narrative, Report

from .models import AnnualReview
from .outline import build_outline
from .workflow import create_review, save_section, save_texts, set_status

YEAR = 2021
TEXTS: dict[str, list[str]] = {
    "general": [
        "{name} gadu aizvadīja kā vietējās kopienas satikšanās vietu: lasītāji nāca ne tikai pēc grāmatām, "
        "bet arī pēc padoma, interneta un sarunas.",
        "Galvenais gada mērķis bija atgriezt lasītājus pēc ierobežojumiem. **Izdevās**: apmeklējums pieauga, "
        "un bibliotēka atkal kļuva par pagasta centru.",
        "Bibliotēka strādāja piecas dienas nedēļā, piedāvājot grāmatu izsniegšanu, e-pakalpojumus un "
        "pasākumus visām paaudzēm.",
    ],
    "funding": [
        "Pašvaldības finansējums ļāva komplektēt krājumu iepriekšējā apjomā; projektu līdzekļi tika izmantoti "
        "jaunām mēbelēm bērnu stūrītim.",
        "Finansējums bija nedaudz mazāks nekā iepriekšējā gadā, tāpēc periodikas abonēšanu samazinājām.",
    ],
    "premises_ict": [
        "Telpās veikts kosmētiskais remonts, ierīkota uzbrauktuve. Lietotājiem pieejami jauni datori un "
        "bezvadu internets.",
        "Telpas ir siltas un gaišas, taču <b>printeris</b> ir novecojis.<br>Nākamgad plānojam to nomainīt.",
    ],
    "staff": [
        "Bibliotēkā strādā viena bibliotekāre pilnā slodzē; gada laikā apmeklēti četri tālākizglītības semināri.",
        "Darbiniece ieguva sertifikātu digitālo prasmju apmācībā un tagad konsultē arī kolēģus.",
    ],
    "services": [
        "Pieprasītākie pakalpojumi bija grāmatu izsniegšana, palīdzība e-pakalpojumos un dokumentu drukāšana. "
        "Ieviesām grāmatu piegādi mājās senioriem.",
        "Lietotāji arvien vairāk izmanto e-grāmatas; sniedzām konsultācijas, kā tās lasīt telefonā.",
    ],
    "collection": [
        "Krājums papildināts ar jaunākajām latviešu oriģinālliteratūras grāmatām; izslēgti nolietotie un "
        "novecojušie izdevumi.",
        "Komplektējot krājumu, ņēmām vērā lasītāju vēlmes - īpaši pieprasīti bija detektīvi un dārzkopības grāmatas.",
    ],
    "children_youth": [
        "Bērnu žūrijas lasīšanas programmā piedalījās {n} bērni. Vasarā notika radošās darbnīcas.",
        "Sadarbībā ar skolu rīkojām lasīšanas stundas un grāmatu apskatus:\n\n- „Lasām kopā“\n- "
        "„Grāmatu starts“\n- vasaras lasīšanas maratons",
    ],
    "local_history": [
        "Turpinājām vākt materiālus par pagasta vēsturi; novadpētniecības mapes papildinātas ar atmiņu stāstiem.",
        "Sagatavota izstāde par pagasta skolas vēsturi, kas guva lielu atsaucību.",
    ],
    "publicity": [
        "Par bibliotēkas notikumiem informējām pagasta avīzē un sociālajos tīklos; sekotāju skaits pieauga.",
        "Organizējām {n} izstādes un tikšanos ar vietējiem autoriem.",
    ],
    "methodological": [
        "Centrālā bibliotēka sniedza konsultācijas novada bibliotēkām, organizēja seminārus un palīdzēja "
        "sagatavot statistikas pārskatus.",
    ],
}


def _demo_texts(reports: list[Report], sections: list[NarrativeSection]) -> list[Narrative]:
    """The demo libraries' texts that are not there yet, chosen the same way on every load."""
    existing = set(Narrative.objects.filter(report__in=reports).values_list("report_id", "section_id"))
    new = []
    for report in reports:
        for section in sections:
            pool = TEXTS.get(section.code)
            if not pool or not section.on_form(YEAR, report.unit.library_type) or (report.pk, section.pk) in existing:
                continue
            # One generator per library and section: the same choice whatever exists already.
            rng = random.Random(f"yearbook|{report.unit.code}|{YEAR}|{section.code}")
            # About one library in six leaves a section unwritten: the editor lists it as missing.
            if section.code not in ("insight", "methodological") and rng.random() < 0.17:
                continue
            if section.code == "methodological" and report.unit.code != "valka":
                continue
            text = rng.choice(pool).format(name=report.unit.name, n=rng.randint(6, 40))
            new.append(Narrative(report=report, section=section, text=text))
    return new


PUBLISHED_YEAR = 2020


def _published_review(user: Any, network: Network, survey: Survey) -> None:
    """The review of the year before, approved and published, so that the public site has one to show."""
    if AnnualReview.objects.filter(network=network, survey=survey, year=PUBLISHED_YEAR).exists():
        return
    review = create_review(user, network, survey, PUBLISHED_YEAR)
    review = save_texts(
        user,
        review,
        review.version,
        summary=(
            "2020. gadā bibliotēkas vairākus mēnešus bija slēgtas apmeklētājiem, taču darbs turpinājās: grāmatas "
            "izsniedzām pie durvīm, pasākumi pārcēlās uz tiešsaisti.\n\n"
            "Šis ir **demonstrācijas** pārskats: visi skaitļi un teksti ir izdomāti."
        ),
        conclusions="- Virtuālie apmeklējumi pieauga vairāk nekā divkārt.\n- Klātienes apmeklējums saruka.",
    )
    review = set_status(user, review, AnnualReview.Status.APPROVED)
    set_status(user, review, AnnualReview.Status.PUBLISHED)


def load_yearbook_demo(network: Network, survey: Survey) -> AnnualReview | None:
    reports = list(
        Report.objects.filter(
            period__network=network, period__survey=survey, period__year=YEAR, status=Report.Status.APPROVED
        ).select_related("unit")
    )
    if not reports:
        return None
    sections = [s for s in NarrativeSection.objects.filter(survey=survey) if s.on_form(YEAR)]
    Narrative.objects.bulk_create(_demo_texts(reports, sections))

    admin = Role.objects.filter(network=network, kind=Role.Kind.ADMIN).select_related("user").first()
    user = admin.user if admin else None
    _published_review(user, network, survey)
    review = AnnualReview.objects.filter(network=network, survey=survey, year=YEAR).first()
    if review is not None:
        return review
    review = create_review(user, network, survey, YEAR)
    review = save_texts(
        user,
        review,
        review.version,
        summary=(
            "2021. gads reģiona bibliotēkām bija atgriešanās gads: pēc ierobežojumiem lasītāji atkal nāca "
            "uz bibliotēkām, un daudzi virtuāli sāktie pakalpojumi palika.\n\n"
            "Šis ir **demonstrācijas** pārskats: visi skaitļi un teksti ir izdomāti."
        ),
        conclusions=(
            "- Bibliotēkas saglabāja pakalpojumus arī ierobežojumu laikā.\n"
            "- Virtuālie pasākumi papildina, bet neaizstāj klātienes darbu.\n"
            "- Nākamajā gadā jāturpina digitālo prasmju apmācības senioriem."
        ),
    )
    outline = build_outline(review, "lv")
    for part in outline.sections:
        excerpts = {}
        for group in part.groups:
            for position, item in enumerate(group.texts):
                # The first two texts of each county go in; the insights become quotations.
                if position < 2:
                    excerpts[item.report.pk] = {
                        "included": True,
                        "order": position + 1,
                        "text": "",
                        "quote": part.code == "insight",
                    }
        if part.code == "general":
            intro = "Reģiona bibliotēku tīklā 2021. gadā bija publiskās un skolu bibliotēkas trīs novados."
        else:
            intro = ""
        review = save_section(user, review, review.version, part.code, text=intro, show_figures=True, excerpts=excerpts)
    return review
