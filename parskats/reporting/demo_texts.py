"""Each demo library's own invented texts for its reports: a success story, notes on the pandemic
years and an insight, and its list of activities. Built from the library's project and partner
(`data/demo_libraries.toml`) with templates of different length and shape (one line, paragraphs, a
list), so that no two libraries read alike; some leave a section empty, as real libraries do. Every
story says it is invented. Deterministic (seeded by library and year); only what is missing is added."""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from pathlib import Path

from parskats.catalogue.models import NarrativeSection
from parskats.network.models import Network

from .models import Activity, Narrative, Report

LIBRARIES = tomllib.loads((Path(__file__).parent / "data" / "demo_libraries.toml").read_text(encoding="utf-8"))
INVENTED = " *(Izdomāts demonstrācijas teksts.)*"

STORIES = [
    "Gada lielākais darbs bija projekts „{theme}“: {n} dalībnieki vāca atmiņu stāstus un fotogrāfijas, ko "
    "ievietojām novadpētniecības datubāzē.",
    "**„{theme}“** — tā saucās mūsu vasaras lasīšanas programma. Tajā piedalījās {n} bērni un {m} vecvecāki.\n\n"
    "Ko darījām:\n\n- lasījām kopā katru ceturtdienu\n- zīmējām grāmatu varoņus\n"
    "- noslēgumā rīkojām svētkus; partneris — {partner}",
    "Sākām digitālo prasmju nodarbības senioriem. {n} dalībnieki iemācījās pieteikties e-pakalpojumiem un "
    "runāt video zvanos ar mazbērniem; nodarbības turpināsim arī nākamgad.",
    "Iekārtojām grāmatu maiņas plauktu, un tas darbojas visu diennakti. Gada laikā caur to aizceļoja vairāk "
    "nekā {m} grāmatu. Paldies partnerim — {partner}!",
    "Izdevām bukletu „{theme}“: {n} lappuses par mūsu pagasta cilvēkiem.",
    "Gada labākie brīži:\n\n- tikšanās ar vietējo autori\n- „{theme}“ ({n} apmeklētāji)\n"
    "- Bērnu žūrijas noslēgums; partneris — {partner}",
    "Pirmo reizi rīkojām Bibliotēku nakti ar tēmu „{theme}“. Līdz pusnaktij bibliotēkā bija {n} cilvēki, "
    "daudzi no viņiem — pirmo reizi.\n\nNākamgad to atkārtosim, jo jaunieši jau jautā, kad.",
    "Atjaunojām lasītavu: jauni plaukti, gaisma un stūrītis mazajiem. Darbus paveicām kopā ar partneri "
    "({partner}), un rudenī apmeklētāju kļuva manāmi vairāk.",
    "Rudenī atklājām izstādi „{theme}“. To veidojām visu gadu kopā ar iedzīvotājiem, kuri atnesa {n} "
    "priekšmetus un fotogrāfijas.\n\nIzstādi apmeklēja {m} cilvēki, un tā ceļos uz kaimiņu pagastiem.\n\n"
    "Ko iemācījāmies:\n\n1. cilvēki labprāt dalās, ja viņiem jautā personiski;\n"
    "2. izstādei vajag stāstu, ne tikai priekšmetus;\n3. partneris ({partner}) ir puse no panākumiem.",
    "Kopā ar partneri ({partner}) rīkojām lasīšanas stundas: {n} dalībnieki izlasīja vismaz piecas grāmatas "
    "un saņēma diplomus.",
]
SCHOOL_STORIES = [
    "Kopā ar skolotājiem rīkojām lasīšanas stundas „{theme}“: {n} skolēni izlasīja vismaz piecas grāmatas.",
    "**„{theme}“** pulcēja {n} skolēnus. Katru mēnesi viena klase iepazīstināja pārējos ar grāmatu, ko "
    "izvēlējās pati.\n\n- sadarbība: {partner}\n- noslēgumā — balsojums par gada grāmatu",
    "Skolas bibliotēkā iekārtojām klusās lasīšanas stūri. Starpbrīžos tur tagad sēž {n} skolēni dienā.",
]
PANDEMIC = [
    "Slēgšanas laikā grāmatas izsniedzām pie durvīm pēc iepriekšēja pieteikuma, pasākumus pārcēlām uz tiešsaisti.",
    "Zvanījām lasītājiem, nesām grāmatas mājās senioriem un rīkojām viktorīnas sociālajos tīklos.\n\n"
    "Tiešsaistes pasaku rītus saglabāsim arī turpmāk.",
    "Strādājām attālināti:\n\n- konsultācijas pa tālruni un e-pastu\n- grāmatas pēc pieteikuma\n"
    "- e-grāmatu apmācības mājās",
    "Ierobežojumi skāra arī mūs, taču lasītāji palika uzticīgi: izsniegumu kritums bija mazāks, nekā baidījāmies.",
]
INSIGHTS = [
    "Darām pēc principa — darot.",
    "Bibliotēka ir vieta, kur satiekas cilvēki, ne tikai grāmatas.",
    "Mazs pagasts, bet liela lasītāju sirds.",
    "Kad durvis ir slēgtas, jāatver logi — arī virtuālie.",
    "Izdarīt mēs varam ar darīšanas metodi.",
    "Bibliotēka ir tik dzīva, cik aktīvs ir pats bibliotekārs.",
    "Attālināti var būt arī tuvu — ja lasītājs zina, ka viņu gaida.",
    "Senioriem video zvans nav tehnika, bet satikšanās ar mazbērniem.",
    "Mazā pagastā bibliotēka ir arī pasts, konsultants un kafejnīca.",
    "Skolēni atgriežas pie grāmatām, kad grāmatas atnāk pie viņiem.",
    "Lasītājs atgriežas tur, kur viņu gaida.",
    "Labākā reklāma ir kaimiņa ieteikums.",
    "Nevajag lielu budžetu, vajag labu ideju un draugus.",
    "Bērni lasa, ja redz lasām pieaugušos.",
    "Katrs stāsts par pagastu ir kādam dārgs.",
    "Jautā lasītājam, ko viņš vēlas, — un viņš atnāks.",
    "Partneri pagastā ir bibliotēkas lielākā bagātība.",
    "Ne katrs apmeklējums ir skaitlis, bet katrs ir cilvēks.",
    "Pasākums izdodas, ja to veido kopā ar tiem, kam tas domāts.",
    "Grāmata uz sliekšņa ir tas pats apmeklējums, tikai klusāks.",
    "Jaunieši nāk, ja viņiem ir sava vieta un sava balss.",
    "Vislabāk strādā tas, ko dara regulāri, nevis skaļi.",
    "Digitālās prasmes ir jaunā lasītprasme.",
    "Bibliotēka mainās, bet tās uzdevums paliek: atvērt durvis.",
    "Mazas lietas, darītas katru nedēļu, kļūst par tradīciju.",
    "Kopienas atmiņa glabājas ne tikai grāmatās, bet arī cilvēkos.",
    "Skaitļi rāda, cik, bet stāsti — kāpēc.",
    "Pat viens lasītājs ir iemesls atvērt durvis.",
]
ACTIVITIES = [
    ("Dzejas dienu lasījumi", Activity.Mode.IN_PERSON, Activity.Audience.ADULTS),
    ("Bērnu žūrijas noslēgums", Activity.Mode.IN_PERSON, Activity.Audience.CHILDREN),
    ("Tiešsaistes tikšanās ar rakstnieci", Activity.Mode.VIRTUAL, Activity.Audience.ALL),
    ("Senioru datorpēcpusdiena", Activity.Mode.IN_PERSON, Activity.Audience.SENIORS),
    ("Jauniešu galda spēļu vakars", Activity.Mode.IN_PERSON, Activity.Audience.YOUTH),
    ("Virtuālā viktorīna par Latviju", Activity.Mode.VIRTUAL, Activity.Audience.YOUTH),
    ("Pasaku rīts", Activity.Mode.HYBRID, Activity.Audience.CHILDREN),
    ("Bibliotēku nakts", Activity.Mode.IN_PERSON, Activity.Audience.ALL),
    ("Grāmatu svētki pagasta parkā", Activity.Mode.IN_PERSON, Activity.Audience.ALL),
    ("Tikšanās ar novadpētnieku", Activity.Mode.IN_PERSON, Activity.Audience.ADULTS),
    ("E-pakalpojumu konsultāciju diena", Activity.Mode.IN_PERSON, Activity.Audience.SENIORS),
    ("Lasīšanas maratons", Activity.Mode.HYBRID, Activity.Audience.CHILDREN),
]
EMPTY_STORY, NO_ACTIVITIES = 0.12, 0.1


def _story(code: str, year: int, school: bool, rng: random.Random) -> str:
    local = LIBRARIES.get(code, {"theme": "Lasām kopā", "partner": "pagasta pārvalde"})
    pool = SCHOOL_STORIES + STORIES[:4] if school else STORIES
    # A library tells a different story each year: its templates are taken in turn from its own start.
    start = sum(map(ord, code)) % len(pool)
    template = pool[(start + year) % len(pool)]
    return invented(template.format(n=_plural(rng.randint(8, 60)), m=_plural(rng.randint(60, 400)), **local))


def _plural(n: int) -> int:
    """A count that takes the plural in Latvian: 21 or 51 would need "dalībnieks" (one, like 1)."""
    return n + 1 if n % 10 == 1 and n % 100 != 11 else n


def invented(text: str) -> str:
    """The text marked as invented: on the same line after a sentence, as its own paragraph after a list."""
    return text + ("\n\n" + INVENTED.strip() if "\n" in text else INVENTED)


def _insight(index: int, year: int) -> str:
    """Libraries of one year never share an insight; the whole list turns by a few places each year, and
    the seven places past its end are the libraries that wrote none that year."""
    position = (index + 5 * year) % (len(INSIGHTS) + 7)
    return INSIGHTS[position] if position < len(INSIGHTS) else ""


def texts_for(report: Report, index: int) -> dict[str, str]:
    """The section texts of one report, by section code ("" for a section the library left empty)."""
    code, year = report.unit.code, report.period.year
    rng = random.Random(f"texts|{code}|{year}")
    school = report.unit.library_type == "school"
    texts = {
        "success_story": "" if rng.random() < EMPTY_STORY else _story(code, year, school, rng),
        "insight": _insight(index, year),
        "pandemic": "" if rng.random() < 0.2 else invented(rng.choice(PANDEMIC)),
    }
    if code == "valka" and year == 2020:
        # One story far longer than a slide, to show how the seminar deck shortens it.
        texts["success_story"] = invented("\n\n".join(t.format(n=24, m=180, **LIBRARIES["valka"]) for t in STORIES[:4]))
    return texts


def activities_for(report: Report) -> list[Activity]:
    code, year = report.unit.code, report.period.year
    rng = random.Random(f"activities|{code}|{year}")
    if rng.random() < NO_ACTIVITIES:
        return []
    local = LIBRARIES.get(code, {"theme": "Lasām kopā", "partner": ""})
    chosen = rng.sample(ACTIVITIES, rng.randint(2, 6))
    own = (f"„{local['theme']}“", Activity.Mode.IN_PERSON, Activity.Audience.ALL)
    return [
        Activity(
            report=report,
            title=title,
            date=dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 360)),
            mode=mode,
            audience=audience,
            attendance=rng.randint(6, 60),
            partners=local["partner"] if rng.random() < 0.5 else "",
        )
        for title, mode, audience in [own, *chosen]
    ]


def load_library_texts(network: Network) -> None:
    """Stories, insights, pandemic notes and activities for every demo report that has none yet."""
    reports = Report.objects.filter(period__network=network).select_related("unit", "period")
    codes = sorted(LIBRARIES)
    sections = list(NarrativeSection.objects.filter(code__in=["success_story", "insight", "pandemic"]))
    existing = set(Narrative.objects.filter(report__in=reports).values_list("report_id", "section_id"))
    with_activities = set(Activity.objects.filter(report__in=reports).values_list("report_id", flat=True))
    narratives, activities = [], []
    for report in reports:
        index = codes.index(report.unit.code) if report.unit.code in codes else len(codes)
        texts = texts_for(report, index)
        for section in sections:
            text = texts.get(section.code, "")
            if section.survey_id != report.period.survey_id or not text or (report.pk, section.pk) in existing:
                continue
            if not section.on_form(report.period.year, report.unit.library_type):
                continue
            # A draft is still being written: only the success story so far.
            if report.status == Report.Status.DRAFT and section.code != "success_story":
                continue
            narratives.append(Narrative(report=report, section=section, text=text))
        if report.pk not in with_activities and report.status != Report.Status.DRAFT:
            activities += activities_for(report)
    Narrative.objects.bulk_create(narratives)
    Activity.objects.bulk_create(activities)
