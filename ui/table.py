"""Plain-text tables that line up with Japanese text.

A terminal gives East Asian Wide and Fullwidth characters (``unicodedata``
classes W and F: kanji, kana, fullwidth forms) two columns and combining marks
none, so widths are counted that way, never with ``len``. A long cell is
wrapped onto continuation lines (at "; " between list items first, then at a
space, then anywhere) instead of padding every row to its width.
"""
from __future__ import annotations

import unicodedata

from projections.rows import pad, width  # one definition of display width, shared with the text reports

NO_LINE_START = "、。，．）」』】〉》・ー？！：；"
MAX_CELL = 44  # display columns of a cell before it wraps (the last column never wraps)


def wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


def _hard_wrap(text: str, cols: int) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if width(cur + ch) > cols and cur:
            lines.append(cur)
            cur = ""
        cur += ch
    return lines + [cur]


def wrap(text: str, cols: int) -> list[str]:
    """``text`` in lines of at most ``cols`` display columns."""
    if width(text) <= cols:
        return [text]
    lines: list[str] = []
    cur = ""
    for part in text.replace("; ", ";\0").split("\0"):
        words = part.split(" ")
        for i, word in enumerate(words):
            piece = word if i == len(words) - 1 else word + " "
            if width(cur + piece.rstrip()) <= cols:
                cur += piece
                continue
            if wide(piece) and width(cur) < cols - 1:
                # Japanese has no spaces to break at: fill the line up, go on on the next
                fits = ""
                for ch in piece:
                    if width(cur + fits + ch) > cols:
                        break
                    fits += ch
                while len(fits) < len(piece) and piece[len(fits)] in NO_LINE_START:
                    fits += piece[len(fits)]  # 行頭禁則: a closing mark stays with the text before it
                lines.append(cur + fits)
                cur, piece = "", piece[len(fits):]
                if width(piece.rstrip()) <= cols:
                    cur = piece
                    continue
            if cur.strip():
                lines.append(cur.rstrip())
            cur = ""
            if width(piece.rstrip()) > cols:
                *full, cur = _hard_wrap(piece, cols)
                lines.extend(full)
            else:
                cur = piece
        if cur and part.endswith(";"):
            lines.append(cur.rstrip())
            cur = ""
    if cur.strip():
        lines.append(cur.rstrip())
    return lines or [""]


def render(rows: list[list[str]], headers: list[str], max_cell: int = MAX_CELL) -> list[str]:
    """Lines of a table: a header line, then each row (a wrapped cell adds continuation lines)."""
    last = len(headers) - 1
    cells = [[wrap(c, max_cell) if i < last else [c] for i, c in enumerate(r)] for r in rows]
    widths = [max([width(h)] + [width(line) for r in cells for line in r[i]]) for i, h in enumerate(headers)]
    out = ["  ".join(pad(h, widths[i]) for i, h in enumerate(headers)).rstrip()]
    for r in cells:
        for k in range(max(len(c) for c in r)):
            out.append("  ".join(pad(c[k] if k < len(c) else "", widths[i]) for i, c in enumerate(r)).rstrip())
    return out


def pairs(items: list[tuple[str, str]], min_key: int = 28) -> list[str]:
    """Lines of ``key  value`` pairs with the keys padded to one width."""
    key_w = max([min_key] + [width(k) for k, _ in items])
    return [f"{pad(k, key_w)} {v}".rstrip() for k, v in items]
