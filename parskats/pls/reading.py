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

from .layout import FileLayout, Layout, MissingCode

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

    def problem(self, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """The text of a file and the encoding it was read in. PLS files come as UTF-8 (with or
    without a byte-order mark), UTF-16 with a mark, or Windows-1252 / Latin-1."""
    if raw.startswith(b"PK\x03\x04"):
        raise ReadError(f"{name}: this is a ZIP archive or an Excel workbook, not a CSV file.")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise ReadError(f"{name}: marked as UTF-16 but cannot be decoded ({exc}).") from None
    if b"\x00" in raw[:65536]:
        raise ReadError(
            f"{name}: contains NUL bytes, so it is not a text CSV file (a binary file, or UTF-16 without a "
            "byte-order mark: save it as UTF-8 or Windows-1252)."
        )
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
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


def read_header(path: Path) -> tuple[str, list[str], str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path.name}: cannot be read ({exc}).") from None
    text, encoding = decode(raw, path.name)
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        raise ReadError(f"{path.name}, line 1: not a CSV header ({exc}).") from None
    if not header or not any(cell.strip() for cell in header):
        raise ReadError(f"{path.name}: the file is empty.")
    return text, [cell.strip() for cell in header], encoding


def _number(raw: str, column: str, where: str, blank_ok: bool, codes: dict[str, MissingCode], parsed: ParsedFile):
    """A cell as (code, number, source_code), or None after reporting the problem."""
    text = raw.strip()
    if not text:
        if blank_ok:
            code = codes["blank"]
            return code.kind, None, code.source
        parsed.problem(f"{where}, column {column}: empty; expected a number or a missing-value code.")
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        parsed.problem(f"{where}, column {column}: {text!r} is not a number.")
        return None
    if not number.is_finite() or abs(number) >= LIMIT:
        parsed.problem(f"{where}, column {column}: {text!r} is out of range.")
        return None
    if number < 0:
        source = str(int(number)) if number == number.to_integral_value() else text
        missing = codes.get(source)
        if missing is None:
            known = ", ".join(c for c in codes if c != "blank")
            parsed.problem(f"{where}, column {column}: {text} is negative but not a missing-value code ({known}).")
            return None
        return missing.kind, None, source
    return "num", number.quantize(THOUSANDTH) if number.as_tuple().exponent < -3 else number, ""  # type: ignore[operator]


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
    position = {column: index for index, column in enumerate(header)}
    elements = [(position[c], c, code) for c, code in spec.elements.items() if c in present]
    flag_of = {element: position[flag] for flag, element in spec.flags.items() if flag in present}
    identity = {role: position[column] for role, column in spec.identity.items() if column in present}
    required = [role for role in ("key", "seq", "state", "name") if role in spec.identity]
    for role in required:
        if role not in identity:
            raise ReadError(f"{path.name}, line 1: the column {spec.identity[role]} is missing.")
    width = len(header)
    seen: dict[tuple[str, ...], int] = {}
    total_lines = text.count("\n") or 1
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    try:
        for cells in reader:
            line = reader.line_num
            if progress and line % 500 == 0:
                progress(path.name, line, total_lines)
            if not any(cell.strip() for cell in cells):
                continue
            where = f"{path.name}, line {line}"
            if len(cells) != width:
                parsed.problem(f"{where}: {len(cells)} columns, expected {width} (a truncated or shifted row).")
                continue
            ident = {role: cells[index].strip() for role, index in identity.items()}
            key = tuple(ident[role] for role in required if role != "name")
            blank = [role for role in required if not ident.get(role)]
            if blank:
                parsed.problem(f"{where}: {', '.join(spec.identity[r] for r in blank)} is empty.")
                continue
            if key in seen:
                parsed.problem(f"{where}: {'/'.join(key)} is already on line {seen[key]}.")
                continue
            seen[key] = line
            values: dict[str, Cell] = {}
            ok = True
            for index, column, code in elements:
                cell = _number(cells[index], column, where, column in spec.blank_columns, codes, parsed)
                if cell is None:
                    ok = False
                    continue
                flag = "reported"
                flag_index = flag_of.get(column)
                if flag_index is not None and cells[flag_index].strip():
                    raw_flag = cells[flag_index].strip()
                    found = layout.flag_for(raw_flag)
                    if found is None:
                        parsed.problem(f"{where}, column {header[flag_index]}: {raw_flag!r} is not a known flag value.")
                        ok = False
                        continue
                    flag = found
                values[code] = (cell[0], cell[1], flag, cell[2])
            if ok:
                parsed.records.append(Record(line=line, identity=ident, values=values))
    except csv.Error as exc:
        parsed.problem(f"{path.name}, line {reader.line_num}: broken CSV ({exc}); is the file truncated?")
    if progress:
        progress(path.name, total_lines, total_lines)
    return parsed
