"""The one flat shape of a row for tables and CSV: nested keys as ``a.b``, lists in one cell."""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from typing import Any


def describe(x: Any) -> str:
    """One list item in a cell: a ground reads "IE-14.3.3 since 2026-05-01 (may revoke)"."""
    if isinstance(x, dict) and "rule" in x and "since" in x:
        return f"{x['rule']} since {x['since']}" + (f" ({x['action']})" if x.get("action") else "")
    if isinstance(x, dict):
        return json.dumps(x, ensure_ascii=False)
    return str(x)


def flatten(row: dict, prefix: str = "", *, item: Callable[[Any, str], str] | None = None,
            scalar: Callable[[str, Any], Any] | None = None) -> dict:
    """A row as one level of ``a.b`` keys; a list becomes one "; "-joined cell; None an empty cell.

    ``item(x, key)`` and ``scalar(key, v)`` say how a list item and a plain value read
    (the CLI's tables pass its labels, ``ui.labels``); by default as ``describe`` and as is."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + ".", item=item, scalar=scalar))
        elif isinstance(v, list):
            out[key] = "; ".join(item(x, key) if item else describe(x) for x in v)
        elif scalar is not None:
            out[key] = scalar(key, v)
        else:
            out[key] = "" if v is None else v
    return out


def width(text: str) -> int:
    """Display columns of ``text`` in a terminal: East Asian Wide and Fullwidth characters
    (``unicodedata`` classes W and F: kanji, kana, fullwidth forms) take two, combining marks none."""
    n = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n


def pad(text: str, cols: int) -> str:
    """``text`` padded with spaces to ``cols`` display columns (``str.ljust`` counts characters)."""
    return text + " " * max(0, cols - width(text))
