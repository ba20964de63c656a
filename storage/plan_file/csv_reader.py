"""CSV plan files hold actions only (one row each); they are merged into the stored plan.

Read as Excel writes them: "CSV UTF-8" (with a byte-order mark), plain UTF-8, or "CSV (Comma
delimited)" in Windows-1252; comma or semicolon separated (Excel uses ";" where "," is the decimal mark).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable

from storage.plan_file import tables
from storage.plan_file.errors import PlanFileError, PlanFileInvalid
from storage.plan_file.source import Path_, PlanSource

SAVE_AS = "save it from Excel with 'Save as' → 'CSV UTF-8 (Comma delimited) (*.csv)'"
DELIMITERS = (",", ";")


def read_csv(file: str, content: bytes) -> PlanSource:
    def refuse(message: str) -> PlanFileInvalid:
        return PlanFileInvalid([PlanFileError(file, "file", "(file)", message)])

    text, encoding = _decode(content, refuse)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise PlanFileInvalid([PlanFileError(file, "row 1", "(header)", "the file is empty: it needs a header row")])
    delimiter = _delimiter(lines[0])
    if delimiter is None:
        raise refuse(f"its header row has no Actions columns separated by commas or semicolons: {SAVE_AS}")
    all_rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    errors: list[PlanFileError] = []
    body = [(number, list(values)) for number, values in enumerate(all_rows[1:], start=2)]
    rows = tables.rows_from(file, "", all_rows[0], body, tables.ACTIONS, errors)
    if errors:
        raise PlanFileInvalid(errors)
    locations: dict[Path_, str] = {}
    actions = []
    for position, row in enumerate(rows):
        actions.append(tables.action_record(row))
        locations[("actions", position)] = f"row {row.number}"
    separated = "semicolon" if delimiter == ";" else "comma"
    notes = [f"{file}: read as {encoding} text, {separated}-separated."]
    return PlanSource(file=file, data={"actions": actions}, locations=locations, fallback="file", notes=notes)


def _decode(content: bytes, refuse: Callable[[str], PlanFileInvalid]) -> tuple[str, str]:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise refuse(f"it is UTF-16 text (Excel's 'Unicode Text'): {SAVE_AS}")
    if content.startswith(b"PK\x03\x04"):
        raise refuse("it is an Excel workbook named .csv: rename it to .xlsx, or " + SAVE_AS)
    if b"\x00" in content:
        raise refuse(f"it is not text: {SAVE_AS}")
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8 (with byte-order mark)"
        except UnicodeDecodeError as exc:
            raise refuse(f"it starts as UTF-8 but byte {exc.start:,} is not UTF-8: {SAVE_AS}") from exc
    try:
        return content.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise refuse(f"its text is neither UTF-8 nor Windows-1252 (byte {exc.start:,}): {SAVE_AS}") from exc


def _delimiter(header: str) -> str | None:
    """The separator that splits the header into the most known Actions columns (at least two)."""
    known = tables.ACTIONS.allowed
    scored = []
    for delimiter in DELIMITERS:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        scored.append((sum(tables.header_key(c) in known for c in cells), delimiter))
    best, delimiter = max(scored)
    return delimiter if best >= 2 else None
