"""Write parskats/pls/data/record_layouts.csv: every column of the AE, outlet and state summary files
of each fiscal year whose PLS documentation is at hand (its record-layout appendices, read with
pdftotext) or whose data file is (its header). The importer derives a year's column map from it.

    python scripts/pls_record_layouts.py ../shared/data/imls_pls

Only public documentation is read; run again when documentation of another year is added."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "parskats" / "pls" / "data" / "record_layouts.csv"
HEAD = re.compile(r"Appendix\s+([A-E])\s*[—:\-]+\s*Record Layout for (.*)", re.I)
OTHER_APPENDIX = re.compile(r"\s*Appendix\s+[D-Z]\s*[—:]")
# name, width, [position], type, [item], description: the two orders the documentation has used
ROW = re.compile(
    r"^\s{0,3}([A-Z][A-Z0-9_]{1,15})\s+(\d{1,3})\s+(?:(\d{1,4})\s+)?([NAC])\b\s+(?:(\d{1,4}[A-Z]?|†|\(†\))\s+)?(.*)$"
)
YEAR = re.compile(r"FY\s?((?:19|20)\d\d)")


def kind_of(title: str) -> str | None:
    text = title.lower()
    if "state library" in text or "administrative entities only" in text:
        return None  # the state library agencies' own files (FY1992–FY1997), not public libraries
    if "outlet" in text:
        return "outlet"
    if "state summary" in text or "public library state" in text:
        return "state"
    if "public library" in text and "data file" in text:
        return "ae"
    return None


def from_pdf(path: Path, year: int) -> list[tuple[int, str, str, str, str]]:
    # pdftotext (poppler-utils, scripts/system-deps.sh) on a file path we list ourselves: no shell, no user input
    command = ["pdftotext", "-layout", str(path), "-"]
    text = subprocess.run(command, capture_output=True, check=True, text=True).stdout  # noqa: S603
    rows, kind, seen = [], None, set()
    for line in text.splitlines():
        heading = HEAD.search(line)
        if heading:
            kind = kind_of(heading.group(2))
            continue
        if kind is None:
            continue
        if OTHER_APPENDIX.match(line):
            kind = None
            continue
        match = ROW.match(line)
        if not match or match.group(1) in ("FILLER",):
            continue
        name, description = match.group(1), match.group(6).strip()
        if (kind, name) in seen:
            continue
        seen.add((kind, name))
        rows.append((year, kind, name, description, path.name))
    return rows


def from_header(path: Path, year: int, kind: str) -> list[tuple[int, str, str, str, str]]:
    raw = path.read_bytes().split(b"\n", 1)[0].decode("latin-1").lstrip("\ufeffï»¿").strip()
    return [(year, kind, name.strip(), "", path.name) for name in next(csv.reader([raw])) if name.strip()]


def main(data: Path) -> None:
    rows = []
    for pdf in sorted([*data.glob("docs_by_year/FY*/*.pdf"), *data.glob("FY*/*.pdf")]):
        if "defs" in pdf.name.lower():
            continue
        rows += from_pdf(pdf, int(pdf.parent.name[2:]))
    documented = {(year, kind, column) for year, kind, column, *_rest in rows}
    for folder in sorted(data.glob("FY*")):
        if folder.name == "docs_by_year" or not folder.is_dir():
            continue
        year = int(folder.name[2:])
        for path in sorted(folder.glob("*.csv")):
            name = path.name.lower()
            kind = "outlet" if "out" in name else "state" if ("sum" in name or "state" in name) else "ae"
            # The header adds what the documentation's layout lost in the PDF (or never listed).
            rows += [row for row in from_header(path, year, kind) if (row[0], row[1], row[2]) not in documented]
    rows.sort(key=lambda row: (row[0], ("ae", "outlet", "state").index(row[1])))
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["year", "file", "column", "description", "source"])
        writer.writerows(rows)
    print(f"{OUT}: {len(rows)} columns of {len({(r[0], r[1]) for r in rows})} files")
    element_years(rows)


def element_years(layout_rows: list[tuple[int, str, str, str, str]]) -> None:
    """Correct first_year / last_year in the catalogue CSVs from the documented layouts: an element is
    on the form from the year after the last documented year without it (before its first documented
    year) to the year before the first documented year without it (after its last), open-ended when
    the newest documentation still has it. Years between documented ones are not known either way, so
    the span is the widest the documentation allows: a file of such a year that lacks the element is
    told so ("expected and missing"), one that has it imports it."""
    import tomllib

    data = OUT.parent
    aliases = tomllib.loads((data / "names.toml").read_text(encoding="utf-8"))["elements"]
    documented = sorted({row[0] for row in layout_rows})
    for name, kinds in (("us-pls-indicators.csv", ("ae", "state")), ("us-pls-outlets-indicators.csv", ("outlet",))):
        path = data / name
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames or [], list(reader)
        seen: dict[str, set[int]] = {}
        kind_years = sorted({row[0] for row in layout_rows if row[1] == kinds[0]})
        for year, kind, column, *_rest in layout_rows:
            if kind in kinds:
                seen.setdefault(aliases.get(column, column.lower()), set()).add(year)
        for row in rows:
            years = seen.get(row["code"])
            if not years:
                continue
            before = [y for y in kind_years if y < min(years)]
            after = [y for y in kind_years if y > max(years)]
            first = before[-1] + 1 if before else min(years)
            last = str(after[0] - 1) if after else ""
            if (row["first_year"], row["last_year"]) != (str(first), last):
                print(f"{name}: {row['code']} {row['first_year']}–{row['last_year'] or '…'} → {first}–{last or '…'}")
                row["first_year"], row["last_year"] = str(first), last
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    del documented


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data/imls_pls"))
