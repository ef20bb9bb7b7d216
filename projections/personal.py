"""Bulk exports without personal data unless asked (issue 12, IE-19.10).

An export written to a file (a snapshot CSV, an evidence bundle) is outside the
ledger's reach: erasing a member later destroys the key in the store but not a
copy of the name in yesterday's spreadsheet. So bulk exports leave personal
fields out unless the operator asks for them with ``--with-personal``.

A personal value is the dump of ``ledger.events.Personal`` (``name``,
``address``, ``phone``, ``email``, ``birth_date``, ``erased``, ``withheld``);
``redact`` blanks the five data fields of every such value anywhere in a row
and marks it ``omitted``; in a report's comparison of fields (``{"field":
"applicant.name", "true": …, "then": …}``) the values of a personal field are
blanked the same way.
"""
from __future__ import annotations

import re
from typing import Any

DATA_FIELDS = ("name", "address", "phone", "email", "birth_date")
FIELD_PATH = re.compile(r"(^|\.)(name|address|phone|email|birth_date)$")


def is_personal(value: Any) -> bool:
    return isinstance(value, dict) and "erased" in value and "withheld" in value and "name" in value


def redact(value: Any) -> Any:
    """A copy of ``value`` with every personal value's data fields set to None and ``omitted`` true."""
    if is_personal(value):
        return {**value, **{k: None for k in DATA_FIELDS if k in value}, "omitted": True}
    if isinstance(value, dict) and isinstance(value.get("field"), str) and FIELD_PATH.search(value["field"]):
        return {k: (v if k in ("field", "differs", "because", "explained_by", "jointly") else None)
                for k, v in value.items()} | {"omitted": True}
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, tuple):
        return tuple(redact(v) for v in value)
    return value
