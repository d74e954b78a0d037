"""Tables as the dashboard shows them: cells as text, filtered and sorted by the request's
query, so the HTML table and its CSV download are the same rows in the same order. The small
script in `static/dashboard.js` filters and sorts the same way in the browser."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.dashboard import Cell, Table

CSV_UNSAFE = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is a formula to a spreadsheet (CSV injection)."""


def cell_text(value: Cell, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value.astimezone(zone):%Y-%m-%d %H:%M}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


@dataclass(frozen=True)
class Shown:
    """One table as shown for one request."""

    table: Table
    rows: list[list[str]]
    query: str
    sort: int | None
    descending: bool
    choices: dict[int, list[str]]
    filters: dict[int, str]
    params: dict[str, str]

    @property
    def total(self) -> int:
        return len(self.table.rows)


def _sort_key(text: str, numeric: bool) -> tuple[int, float, str]:
    if numeric:
        try:
            return (1, float(text), "")
        except ValueError:
            return (0, 0.0, text.casefold())
    return (1, 0.0, text.casefold())


def show(table: Table, query: Mapping[str, str], zone: ZoneInfo) -> Shown:
    """Apply `<name>-q` (words any cell contains), `<name>-f<i>` (a column's exact value),
    `<name>-sort` (a column index) and `<name>-dir` (`desc`) from the query."""
    prefix = table.name + "-"
    rows = [[cell_text(cell, zone) for cell in row] for row in table.rows]
    choices = {
        i: sorted({row[i] for row in rows} - {""}, key=str.casefold)
        for i, column in enumerate(table.columns)
        if column.choices
    }
    filters = {
        i: query[f"{prefix}f{i}"] for i in choices if query.get(f"{prefix}f{i}") in choices[i]
    }
    text = query.get(prefix + "q", "").strip()[:200]
    if text:
        needle = text.casefold()
        rows = [row for row in rows if any(needle in cell.casefold() for cell in row)]
    for i, value in filters.items():
        rows = [row for row in rows if row[i] == value]
    sort: int | None = None
    raw_sort = query.get(prefix + "sort", "")
    if raw_sort.isdigit() and int(raw_sort) < len(table.columns):
        sort = int(raw_sort)
    descending = query.get(prefix + "dir") == "desc"
    if sort is not None:
        numeric = table.columns[sort].numeric
        rows.sort(key=lambda row: _sort_key(row[sort], numeric), reverse=descending)
    params = {}
    if text:
        params[prefix + "q"] = text
    for i, value in filters.items():
        params[f"{prefix}f{i}"] = value
    if sort is not None:
        params[prefix + "sort"] = str(sort)
        if descending:
            params[prefix + "dir"] = "desc"
    return Shown(table, rows, text, sort, descending, choices, filters, params)


def query_string(params: Mapping[str, str]) -> str:
    return "?" + urlencode(params) if params else ""


def sort_params(shown: Shown, column: int) -> str:
    """The query that sorts by `column` (the other way round when it is sorted by it now)."""
    prefix = shown.table.name + "-"
    params = {k: v for k, v in shown.params.items() if k not in (prefix + "sort", prefix + "dir")}
    params[prefix + "sort"] = str(column)
    if shown.sort == column and not shown.descending:
        params[prefix + "dir"] = "desc"
    return query_string(params)


def csv_safe(text: str) -> str:
    return "'" + text if text.startswith(CSV_UNSAFE) else text


def to_csv(shown: Shown) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(c.label) for c in shown.table.columns])
    for row in shown.rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel reads it as UTF-8


def csv_rows(data: bytes) -> Sequence[list[str]]:
    """A CSV download read back (tests)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
