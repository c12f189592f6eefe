"""Reading console / ``databasemigrateexport`` files into documents (http-api.md §6).

JSON exports are JSON Lines, but the console's own example shows pretty-printed objects one after
another, so objects are read back to back with a raw decoder; a JSON array is accepted too.
Extended JSON wrappers (``$date`` as ISO string or ms, ``$numberLong`` …) become Python values.
CSV exports have a header row; cells that parse as JSON numbers become numbers, the rest stay
strings (the platform's typing rule is unconfirmed).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from . import ejson


class ExportFormatError(ValueError):
    """A seed file that is not in an export format; the message names the file and position."""


def read_export(path: str | Path, file_format: str | None = None) -> list[dict[str, Any]]:
    source = Path(path)
    text = source.read_text(encoding="utf-8-sig")
    kind = file_format or ("csv" if source.suffix.lower() == ".csv" else "json")
    if kind == "csv":
        return parse_csv(text, str(source))
    if kind == "json":
        return parse_json(text, str(source))
    raise ExportFormatError(f"{source}: unknown format {kind!r}; accepted: json, csv")


def parse_json(text: str, origin: str = "<string>") -> list[dict[str, Any]]:
    decoder = json.JSONDecoder()
    docs: list[dict[str, Any]] = []
    position = 0
    length = len(text)
    while True:
        while position < length and text[position] in " \t\r\n,":
            position += 1
        if position >= length:
            break
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            start = text.count("\n", 0, position) + 1
            raise ExportFormatError(
                f"{origin}: record {len(docs) + 1} (starting on line {start}): {exc.msg} at line "
                f"{exc.lineno} column {exc.colno} (expected JSON Lines or objects one after another)"
            ) from None
        records = item if isinstance(item, list) else [item]
        for record in records:
            if not isinstance(record, dict):
                raise ExportFormatError(
                    f"{origin}: record {len(docs) + 1} is {record!r}, not an object"
                )
            try:
                docs.append(ejson.decode(record))
            except ejson.EJSONError as exc:
                raise ExportFormatError(f"{origin}: record {len(docs) + 1}: {exc}") from None
    return docs


def parse_csv(text: str, origin: str = "<string>") -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text))
    rows = [row for row in reader if row]
    if not rows:
        return []
    header = rows[0]
    if len(set(header)) != len(header) or any(not name for name in header):
        raise ExportFormatError(f"{origin}: the header row {header!r} has empty or repeated names")
    docs = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ExportFormatError(
                f"{origin}: row {number} has {len(row)} cells but the header has {len(header)}"
            )
        docs.append({name: _cell(value) for name, value in zip(header, row)})
    return docs


def _cell(value: str) -> Any:
    try:
        number = json.loads(value)
    except ValueError:
        return value
    return number if isinstance(number, (int, float)) and not isinstance(number, bool) else value
