"""Output that cannot attack its reader: terminals and spreadsheets (issue 12).

Names, reasons, actors and ids come from staff input or from the store, and a
hostile value may hold terminal control sequences (ESC, BEL, a carriage return
that overwrites the line) or start a spreadsheet formula (``=HYPERLINK(…)``).
Every text and CSV output passes through here once: ``cli.emit`` for tables and
key/value lists, ``csv_writer`` for every CSV (``cli.emit``,
``projections.report``), ``text`` for the other text the CLI prints (reports,
errors). JSON output is left as it is: JSON escapes control characters itself.

- ``text``: every control character (C0 but newline and tab, DEL, C1) and the
  Unicode bidirectional overrides, which can reorder what a reader sees, are
  shown as a visible escape (``\\x1b``, ``\\u202e``).
- ``cell``: the same, newline and tab included (a cell is one line).
- ``csv_cell``: a cell, and a text beginning with ``=``, ``+``, ``-``, ``@``,
  tab or carriage return is prefixed with ``'`` (OWASP's advice against CSV
  injection), so a spreadsheet shows it as text and never evaluates it.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_CELL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(m: re.Match) -> str:
    ch = m.group()
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def text(value: str) -> str:
    """A text block for a terminal: lines kept, every other control shown escaped."""
    return _TEXT.sub(_escape, value)


def cell(value: Any) -> str:
    """One table cell or value for a terminal: no control character at all."""
    return _CELL.sub(_escape, value if isinstance(value, str) else str(value))


def csv_cell(value: Any) -> Any:
    """One CSV cell: numbers and booleans as they are; text escaped and never a formula."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    return cell(value)


class SafeDictWriter(csv.DictWriter):
    """``csv.DictWriter`` whose every cell goes through ``csv_cell``."""

    def writerow(self, rowdict: dict) -> Any:
        return super().writerow({k: csv_cell(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[dict]) -> None:
        for r in rowdicts:
            self.writerow(r)

    def writeheader(self) -> Any:
        return super().writerow({f: csv_cell(f) for f in self.fieldnames})


class SafeWriter:
    """``csv.writer`` whose every cell goes through ``csv_cell``."""

    def __init__(self, out: IO[str], **kw: Any) -> None:
        self.w = csv.writer(out, **kw)

    def writerow(self, row: Sequence[Any]) -> Any:
        return self.w.writerow([csv_cell(v) for v in row])


def csv_writer(out: IO[str], fieldnames: Sequence[str] | None = None, **kw: Any) -> Any:
    """The one CSV writer of the ledger: a dict writer with ``fieldnames``, else a row writer."""
    kw.setdefault("lineterminator", "\n")
    if fieldnames is not None:
        return SafeDictWriter(out, fieldnames=fieldnames, **kw)
    return SafeWriter(out, **kw)
