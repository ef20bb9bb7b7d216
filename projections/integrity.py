"""``ledger verify``: the store's chain (``ledger.integrity``), then every projection
rebuilt from scratch and compared with what the read path returns.

The global log is streamed once (by the chain check) into a ``LogView``, an
in-memory stand-in for the store with the same ``read``/``iter_all`` the
projections use. Each projection is then asked the same question twice, of the
view and of the store, and must answer the same: a difference means the
per-stream reads (by stream index) and the global log (by notification id)
disagree, or a read path has a bug.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from ledger import readmodel
from ledger.errors import LedgerError
from ledger.events import Event
from ledger.integrity import Problem, Report, check_store
from ledger.store import LedgerApp
from projections import arrears, history, status
from projections.window import Window


class LogView:
    """The global log held in memory, grouped by stream: answers like a store."""

    def __init__(self) -> None:
        self.log: list[tuple[int, Event]] = []
        self.streams: dict[str, list[Event]] = defaultdict(list)

    def add(self, nid: int, e: Event) -> None:
        self.log.append((nid, e))
        self.streams[e.originator_id].append(e)

    def read(self, stream: str) -> list[Event]:
        return list(self.streams.get(stream, ()))

    def exists(self, stream: str) -> bool:
        return stream in self.streams

    def iter_all(self, batch: int = 2000) -> Iterator[tuple[int, Event]]:
        return iter(self.log)

    def iter_streams(self, prefix: str, batch: int = 0, *, personal: bool = True) -> Iterator[tuple[str, list[Event]]]:
        for name in sorted(self.streams):
            if name.startswith(prefix):
                yield name, list(self.streams[name])


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """The path of the first place two rows differ, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            d = first_difference(a.get(k), b.get(k), f"{path}.{k}" if path else str(k))
            if d is not None:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d is not None:
                return d
        return None
    return None if a == b else f"{path or '(row)'}: rebuilt {a!r}, read path {b!r}"


def _answer(fn, *args) -> Any:
    try:
        return fn(*args)
    except LedgerError as e:
        return {"error": e.code, "message": e.en}


def _differs(what: str, ident: str, rebuilt: Any, read: Any) -> Problem | None:
    diff = first_difference(rebuilt, read)
    if diff is None:
        return None
    return Problem("projection", None, None, ident,
                   f"PROJECTION {what} of {ident} differs between a rebuild from the log and the read path: {diff}.",
                   f"{ident} の {what} が、ログからの再構築と通常の読み出しで異なります: {diff}。")


def compare(app: LedgerApp, view: LogView, w: Window) -> tuple[Problem | None, dict[str, int]]:
    """Every member's status and every stream's history, and the arrears list, both ways."""
    counts = {"members": 0, "streams": 0}
    owing: list[dict] = []
    for stream in sorted(view.streams):
        counts["streams"] += 1
        p = _differs("history", stream, _answer(history.rows, view.read(stream), w),
                     _answer(history.rows, app.read(stream), w))
        if p:
            return p, counts
        if stream.startswith("member:"):
            counts["members"] += 1
            ident = stream.split(":", 1)[1]
            read = _answer(status.status, app, ident, w)
            p = _differs("status", ident, _answer(status.status, view, ident, w), read)
            if p:
                return p, counts
            if isinstance(read.get("arrears"), dict) and read["arrears"]["amount"] > 0:
                owing.append({"member_id": ident, **read["arrears"]})
    # The arrears list (one pass over the log) against each member's status (per-stream reads).
    listed = [{k: r[k] for k in ("member_id", "amount", "oldest_due_on", "days_overdue")}
              for r in _answer(arrears.rows, view, w)]
    key = lambda r: r["member_id"]  # noqa: E731
    p = _differs("arrears", "the arrears list", sorted(listed, key=key), sorted(owing, key=key))
    if p is None:  # and the list as the store answers it (from the read model when current)
        served = [{k: r[k] for k in ("member_id", "amount", "oldest_due_on", "days_overdue")}
                  for r in _answer(arrears.rows, app, w)]
        p = _differs("arrears", "the arrears list (read model)", sorted(served, key=key), sorted(owing, key=key))
    return p, counts


def compare_readmodel(app: LedgerApp) -> tuple[Problem | None, int]:
    """The materialized read model (``ledger.readmodel``) against a rebuild of it from the
    log into a scratch copy (in memory): the first row that differs, if any."""
    rebuilt, last = app.readmodel(readmodel.scratch)
    kept = app.readmodel(readmodel.stored)
    position = app.readmodel(readmodel.position)
    if position != last:
        return _problem("its position", f"rebuilt up to {last}, kept up to {position}"), 0
    for what, a, b in (("members", rebuilt.members, kept.members), ("money", rebuilt.money, kept.money)):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return _problem(f"row {key} of {what}", f"rebuilt {a.get(key)!r}, kept {b.get(key)!r}"), 0
    return None, len(kept.members) + len(kept.money)


def _problem(where: str, diff: str) -> Problem:
    return Problem("projection", None, None, "read model",
                   f"PROJECTION the materialized read model differs from a rebuild from the log at {where}: {diff}. "
                   "Run `ledger rebuild` (as a writer) to recompute it.",
                   f"実体化した読み取りモデルが、ログからの再構築と {where} で異なります: {diff}。"
                   "`ledger rebuild`（書き込みロール）で作り直してください。")


def verify(app: LedgerApp, w: Window, anchor: tuple[int, str] | None = None) -> Report:
    view = LogView()
    report = check_store(app, view.add, anchor)
    report.checked = ["chain links and hashes, fact bytes, envelopes, stream versions, decoding"]
    if report.problem is None:
        report.problem, counts = compare(app, view, w)
        report.checked.append(f"projections rebuilt from the log = read path: status of {counts['members']} "
                              f"members, history of {counts['streams']} streams, arrears")
    if report.problem is None:
        report.problem, rows = compare_readmodel(app)
        if report.problem is None:
            report.checked.append(f"read model rebuilt from the log into a scratch copy = the stored tables ({rows} rows)")
    return report
