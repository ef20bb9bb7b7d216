"""``ledger verify``: the store's chain (``ledger.integrity``), then every projection
rebuilt from scratch and compared with what the read path returns.

The global log is streamed once (by the chain check), keeping only a digest per
stream; then every stream is read by its index, one at a time, and must have the
same facts; each member's status is assembled from those facts and must equal
the read path's (``ledger status``); the arrears list the store serves must
equal every member's status; and the materialized read model must equal a
rebuild of it into scratch tables. A difference means the per-stream reads
(by stream index) and the global log (by notification id) disagree, or a read
path has a bug. Memory stays flat however large the store.
"""
from __future__ import annotations

import hashlib
from typing import Any

from ledger import readmodel
from ledger.errors import LedgerError
from ledger.events import Event
from ledger.integrity import Problem, Report, check_store
from ledger.store import LedgerApp
from projections import days, arrears, member_view, status
from projections.window import Window


class StreamDigests:
    """For each stream, its number of facts and a running hash of their ids, types and times
    in global-log order, packed in 20 bytes under an 8-byte key: never the facts themselves
    (about 100 bytes a stream, for the million streams of a large store)."""

    def __init__(self) -> None:
        self.streams: dict[int, bytes] = {}

    @staticmethod
    def name(stream: str) -> int:
        return int.from_bytes(hashlib.blake2b(stream.encode(), digest_size=8).digest(), "big")

    @staticmethod
    def step(packed: bytes, e: Event) -> bytes:
        n = int.from_bytes(packed[:4], "big") if packed else 0
        key = f"{e.event_id}|{e.TYPE}|{e.recorded.isoformat()}|{e.effective.isoformat()}".encode()
        return (n + 1).to_bytes(4, "big") + hashlib.blake2b(packed[4:] + key, digest_size=16).digest()

    def add(self, nid: int, e: Event) -> None:
        k = self.name(e.originator_id)
        self.streams[k] = self.step(self.streams.get(k, b""), e)

    def get(self, stream: str) -> bytes | None:
        return self.streams.get(self.name(stream))

    @classmethod
    def of(cls, events: list[Event]) -> bytes:
        packed = b""
        for e in events:
            packed = cls.step(packed, e)
        return packed

    @staticmethod
    def count(packed: bytes | None) -> int:
        return int.from_bytes(packed[:4], "big") if packed else 0


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


def compare(app: LedgerApp, log: StreamDigests, w: Window) -> tuple[Problem | None, dict[str, int]]:
    """Every stream as read by its index against the global log (by digest), every member's
    status rebuilt from those facts against the read path's, and the arrears list against
    every member's status. One stream at a time: memory stays flat."""
    counts = {"members": 0, "streams": 0}
    owing: list[dict] = []
    src = member_view.list_sources(app, w)
    seen = 0
    for stream, events in app.iter_streams(""):
        counts["streams"] += 1
        want = log.get(stream)
        if want is None or StreamDigests.of(events) != want:
            had, got = StreamDigests.count(want), len(events)
            return Problem("projection", None, None, stream,
                           f"PROJECTION history of {stream} differs between the global log ({had} "
                           f"facts) and the per-stream read ({got} facts, or other facts).",
                           f"{stream} の履歴が、全体ログ（{had} 件）とストリームごとの読み出し"
                           f"（{got} 件、または別の事実）で異なります。"), counts
        seen += 1
        if stream.startswith(member_view.PREFIX):
            counts["members"] += 1
            ident = stream[len(member_view.PREFIX):]
            view = member_view.of_facts(ident, events, src)
            read = _answer(status.status, app, ident, w)
            app.release_key(stream)  # one member's data key at a time
            rebuilt = view.row if view is not None else read if "error" in read else None
            p = _differs("status", ident, rebuilt, read)
            if p:
                return p, counts
            if isinstance(read.get("arrears"), dict) and read["arrears"]["amount"] > 0:
                owing.append({"member_id": ident, **read["arrears"]})
    if seen != len(log.streams):
        return Problem("projection", None, None, None,
                       f"PROJECTION the per-stream read lists {seen} streams, the global log {len(log.streams)}.",
                       f"ストリームごとの読み出しは {seen} 本、全体ログは {len(log.streams)} 本です。"), counts
    # The arrears list as the store answers it (from the read model when current) against each member's status.
    key = lambda r: r["member_id"]  # noqa: E731
    served = [{k: r[k] for k in ("member_id", "amount", "oldest_due_on", "days_overdue")}
              for r in _answer(arrears.rows, app, w)]
    p = _differs("arrears", "the arrears list", sorted(served, key=key), sorted(owing, key=key))
    return p, counts


def compare_readmodel(app: LedgerApp) -> tuple[Problem | None, int]:
    """The materialized read model (``ledger.readmodel``) against a rebuild of it from the
    log into scratch copies (temporary tables, dropped with the read transaction)."""
    diff, last, rows = app.readmodel(readmodel.scratch_difference)
    position = app.readmodel(readmodel.position)
    if position != last:
        return _problem("its position", f"rebuilt up to {last}, kept up to {position}"), 0
    if diff is not None:
        return _problem(diff.split(" (", 1)[0], diff), 0
    return None, rows


def _problem(where: str, diff: str) -> Problem:
    return Problem("projection", None, None, "read model",
                   f"PROJECTION the materialized read model differs from a rebuild from the log at {where}: {diff}. "
                   "Run `ledger rebuild` (as a writer) to recompute it.",
                   f"実体化した読み取りモデルが、ログからの再構築と {where} で異なります: {diff}。"
                   "`ledger rebuild`（書き込みロール）で作り直してください。")


def verify(app: LedgerApp, w: Window, anchor: tuple[int, str] | None = None) -> Report:
    log = StreamDigests()

    def seen(nid: int, e: Event) -> None:
        log.add(nid, e)
        app.release_key(e.originator_id)  # the walk keeps no member's data key

    report = check_store(app, seen, anchor)
    report.checked = ["chain links and hashes, fact bytes, envelopes, stream versions, decoding"]
    if report.problem is None:
        report.problem, counts = compare(app, log, w)
        report.checked.append(f"projections rebuilt from the log = read path: status of {counts['members']} "
                              f"members, history of {counts['streams']} streams, arrears")
    if report.problem is None:
        report.problem, rows = compare_readmodel(app)
        if report.problem is None:
            report.checked.append(f"read model rebuilt from the log into a scratch copy = the stored tables ({rows} rows)")
    if report.problem is None:
        diff, views, stale = days.difference(app)
        if diff is not None:
            report.problem = _problem("the dated views", diff)
        else:
            report.checked.append(f"dated views recomputed from the log = the stored ones ({views} intervals; "
                                  f"{stale} members or houses to compute at the next list)")
    return report
