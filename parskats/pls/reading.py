"""Reading PLS files: any encoding they come in, which kind of file each is, and every row checked
against the fiscal year's column map. Problems are collected with file, line and column; the
caller decides that a file with problems imports nothing."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _

from .layout import FileLayout, Layout
from .survey_config import MissingCode

MAX_PROBLEMS = 200  # a wholly wrong file would otherwise print one line per cell
LIMIT = Decimal(10) ** 15  # Value.number holds 18 digits, 3 of them decimals
THOUSANDTH = Decimal("0.001")

# (code, number, flag, source_code): the Value fields of one cell
Cell = tuple[str, Decimal | None, str, str]
Progress = Callable[[str, int, int], None]


class ReadError(Exception):
    """A file that cannot be read at all (not text, not CSV, not a PLS file)."""


@dataclass
class Record:
    line: int
    identity: dict[str, str]
    values: dict[str, Cell]  # indicator code → cell


@dataclass
class Rejected:
    """A row that cannot be imported as it is: every problem of it, and its cells as they were."""

    line: int
    key: str
    state: str
    problems: list[str]
    cells: dict[str, str]


@dataclass
class ParsedFile:
    path: Path
    kind: str
    encoding: str
    header: list[str]
    records: list[Record] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    matched_columns: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)  # defective rows, kept whole for quarantine
    fatal: list[str] = field(default_factory=list)  # problems of the whole file: quarantine cannot help
    notes: list[str] = field(default_factory=list)  # e.g. stray bytes read in another encoding

    def problem(self, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)

    def file_problem(self, message: str) -> None:
        self.fatal.append(message)
        self.problem(message)


def at(name: str, line: int) -> str:
    """Where a problem is, in the reader's language: "ae.csv, line 65" / "ae.csv, 65. rinda"."""
    return _("%(file)s, line %(line)s") % {"file": name, "line": line}


STRAY_LIMIT = 20  # more undecodable bytes than this, and fewer valid UTF-8 characters: not UTF-8


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def decode(raw: bytes, name: str, notes: list[str] | None = None) -> tuple[str, str]:
    """The text of a file and the encoding it was read in. PLS files come as UTF-8 (with or
    without a byte-order mark), UTF-16 with a mark, or Windows-1252 / Latin-1. A UTF-8 file with a
    few stray bytes of another encoding stays UTF-8: each stray byte is read as Windows-1252 and
    named in `notes` with its line and byte, instead of the whole file being read wrongly."""
    if raw.startswith(b"PK\x03\x04"):
        raise ReadError(_("%(file)s: this is a ZIP archive or an Excel workbook, not a CSV file.") % {"file": name})
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            message = _("%(file)s: marked as UTF-16 but cannot be decoded (%(error)s).")
            raise ReadError(message % {"file": name, "error": exc}) from None
    if b"\x00" in raw[:65536]:
        raise ReadError(
            _(
                "%(file)s: contains NUL bytes, so it is not a text CSV file (a binary file, or UTF-16 without a "
                "byte-order mark: save it as UTF-8 or Windows-1252)."
            )
            % {"file": name}
        )
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8-sig", errors="surrogateescape")
    stray = [index for index, char in enumerate(text) if "\udc80" <= char <= "\udcff"]
    valid = sum(1 for char in text if char > "\x7f") - len(stray)
    if valid > 0 and len(stray) <= max(STRAY_LIMIT, valid):
        pieces = []
        last = 0
        for index in stray:
            byte = bytes([ord(text[index]) - 0xDC00])
            char = byte.decode("cp1252", errors="replace")
            pieces.append(text[last:index])
            pieces.append(char)
            last = index + 1
            if notes is not None:
                line = _line_of(text, index)
                column = index - text.rfind("\n", 0, index)
                message = _(
                    "%(where)s, character %(column)s: byte 0x%(byte)s is not UTF-8; read as Windows-1252 "
                    "%(char)s. Check the value and save the file as UTF-8."
                )
                notes.append(
                    message
                    % {"where": at(name, line), "column": column, "byte": byte.hex().upper(), "char": repr(char)}
                )
        pieces.append(text[last:])
        return "".join(pieces), "UTF-8"
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "ISO-8859-1"


def classify(header: list[str], layout: Layout) -> str | None:
    """Which kind of PLS file has this header: outlet (key + outlet sequence), AE (key), state summary."""
    columns = set(header)
    outlet = layout.files.get("outlet")
    ae = layout.files["ae"]
    state = layout.files.get("state")
    if outlet and {outlet.identity["key"], outlet.identity["seq"]} <= columns:
        return "outlet"
    if {ae.identity["key"], ae.identity["state"]} <= columns:
        return "ae"
    if state and state.identity["state"] in columns and ae.identity["key"] not in columns:
        return "state"
    return None


def read_header(path: Path, notes: list[str] | None = None) -> tuple[str, list[str], str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(_("%(file)s: cannot be read (%(error)s).") % {"file": path.name, "error": exc}) from None
    text, encoding = decode(raw, path.name, notes)
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        message = _("%(where)s: not a CSV header (%(error)s).")
        raise ReadError(message % {"where": at(path.name, 1), "error": exc}) from None
    if not header or not any(cell.strip() for cell in header):
        raise ReadError(_("%(file)s: the file is empty.") % {"file": path.name})
    return text, [cell.strip() for cell in header], encoding


def _number(
    raw: str, column: str, where: str, blank_ok: bool, codes: dict[str, MissingCode], problems: list[str]
) -> tuple[str, Decimal | None, str] | None:
    """A cell as (code, number, source_code), or None after noting the problem."""
    text = raw.strip()
    if not text:
        if blank_ok:
            code = codes["blank"]
            return code.kind, None, code.source
        message = _("%(where)s, column %(column)s: empty; expected a number or a missing-value code.")
        problems.append(message % {"where": where, "column": column})
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        message = _("%(where)s, column %(column)s: %(text)s is not a number.")
        problems.append(message % {"where": where, "column": column, "text": repr(text)})
        return None
    if not number.is_finite() or abs(number) >= LIMIT:
        message = _("%(where)s, column %(column)s: %(text)s is out of range.")
        problems.append(message % {"where": where, "column": column, "text": repr(text)})
        return None
    if number < 0:
        source = str(int(number)) if number == number.to_integral_value() else text
        missing = codes.get(source)
        if missing is None:
            known = ", ".join(c for c in codes if c != "blank")
            message = _("%(where)s, column %(column)s: %(text)s is negative but not a missing-value code (%(known)s).")
            problems.append(message % {"where": where, "column": column, "text": text, "known": known})
            return None
        return missing.kind, None, source
    return "num", number.quantize(THOUSANDTH) if number.as_tuple().exponent < -3 else number, ""  # type: ignore[operator]


MATCH_AT_LEAST = 0.25  # share of a column map's elements a file must carry to be that survey's file


def parse(
    path: Path,
    text: str,
    header: list[str],
    encoding: str,
    spec: FileLayout,
    layout: Layout,
    codes: dict[str, MissingCode],
    progress: Progress | None = None,
) -> ParsedFile:
    parsed = ParsedFile(path=path, kind=spec.kind, encoding=encoding, header=header)
    parsed.unknown_columns = [column for column in header if column and not spec.known(column)]
    present = set(header)
    parsed.missing_columns = sorted(set(spec.elements) - present)
    parsed.matched_columns = [column for column in header if column in spec.elements]
    position = {column: index for index, column in enumerate(header)}
    elements = [(position[c], c, code) for c, code in spec.elements.items() if c in present]
    flag_of = {element: position[flag] for flag, element in spec.flags.items() if flag in present}
    identity = {role: position[column] for role, column in spec.identity.items() if column in present}
    required = [role for role in ("key", "seq", "state", "name") if role in spec.identity]
    for role in required:
        if role not in identity:
            message = _("%(where)s: the column %(column)s is missing.")
            raise ReadError(message % {"where": at(path.name, 1), "column": spec.identity[role]})
    if spec.elements and len(elements) < MATCH_AT_LEAST * len(spec.elements):
        message = _(
            "%(where)s: only %(found)s of the %(expected)s element columns of the %(year)s %(kind)s column map are "
            "in this file: it is not a file of this survey (or not of this year)."
        )
        raise ReadError(
            message
            % {
                "where": at(path.name, 1),
                "found": len(elements),
                "expected": len(spec.elements),
                "year": layout.fiscal_year,
                "kind": spec.kind,
            }
        )
    width = len(header)
    seen: dict[tuple[str, ...], int] = {}
    total_lines = text.count("\n") or 1
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    at_line = _("%(file)s, line %(line)s")  # looked up once: the loop runs per row
    try:
        for cells in reader:
            line = reader.line_num
            if progress and line % 500 == 0:
                progress(path.name, line, total_lines)
            if not any(cell.strip() for cell in cells):
                continue
            where = at_line % {"file": path.name, "line": line}
            row_problems: list[str] = []
            ident = {role: cells[index].strip() for role, index in identity.items() if index < len(cells)}
            if len(cells) != width:
                message = _("%(where)s: %(found)s columns, expected %(width)s (a truncated or shifted row).")
                row_problems.append(message % {"where": where, "found": len(cells), "width": width})
                parsed.rejected.append(_rejected(line, ident, header, cells, row_problems))
                for problem in row_problems:
                    parsed.problem(problem)
                continue
            key = tuple(ident[role] for role in required if role != "name")
            blank = [role for role in required if not ident.get(role)]
            if blank:
                columns = ", ".join(spec.identity[r] for r in blank)
                row_problems.append(_("%(where)s: %(columns)s is empty.") % {"where": where, "columns": columns})
            elif key in seen:
                message = _("%(where)s: %(key)s is already on line %(line)s.")
                row_problems.append(message % {"where": where, "key": "/".join(key), "line": seen[key]})
            else:
                seen[key] = line
            values: dict[str, Cell] = {}
            for index, column, code in elements:
                cell = _number(cells[index], column, where, column in spec.blank_columns, codes, row_problems)
                if cell is None:
                    continue
                flag = "reported"
                flag_index = flag_of.get(column)
                if flag_index is not None and cells[flag_index].strip():
                    raw_flag = cells[flag_index].strip()
                    found = layout.flag_for(raw_flag)
                    if found is None:
                        message = _("%(where)s, column %(column)s: %(value)s is not a known flag value.")
                        row_problems.append(
                            message % {"where": where, "column": header[flag_index], "value": repr(raw_flag)}
                        )
                        continue
                    flag = found
                values[code] = (cell[0], cell[1], flag, cell[2])
            if row_problems:
                parsed.rejected.append(_rejected(line, ident, header, cells, row_problems))
                for problem in row_problems:
                    parsed.problem(problem)
            else:
                parsed.records.append(Record(line=line, identity=ident, values=values))
    except csv.Error as exc:
        message = _("%(where)s: broken CSV (%(error)s); is the file truncated?")
        parsed.file_problem(message % {"where": at(path.name, reader.line_num), "error": exc})
    if progress:
        progress(path.name, total_lines, total_lines)
    return parsed


def _rejected(line: int, ident: dict[str, str], header: list[str], cells: list[str], problems: list[str]) -> Rejected:
    key = "-".join(part for part in (ident.get("key", ""), ident.get("seq", "")) if part)
    return Rejected(
        line=line,
        key=key,
        state=ident.get("state", ""),
        problems=list(problems),
        cells=dict(zip(header, cells, strict=False)),
    )
