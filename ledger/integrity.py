"""``ledger verify``, the store half: the hash chain, the envelopes, the streams.

Walks the events table (by notification id) and the chain (by position)
side by side, once, and stops at the first problem, naming its position:

- a chain position missing (facts deleted with their chain rows), a chain row
  whose link or hash does not recompute (the chain itself edited);
- a chained fact missing from the events table (deleted), a fact with no chain
  row (inserted behind the ledger's back);
- a fact whose bytes differ from those chained: *reordered* when they are the
  bytes chained at another position (rows swapped or moved), else *altered*;
- an envelope that disagrees with its row (stream, version or recorded time
  inside the JSON), recorded time going backwards, a gap in a stream's
  versions, a fact that no longer decodes (unknown type, invalid fields,
  personal data that does not decrypt, a data key deleted).

Every decoded fact is handed to ``on_event`` so the caller can rebuild the
projections from the same single pass (``projections.integrity``).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from pydantic import ValidationError

from ledger.backend import GENESIS, ChainRow, as_bytes, chain_rows, digest, link, to_us
from ledger.errors import LedgerError
from ledger.events import Event
from ledger.store import LedgerApp, PersistenceError, translate


@dataclass(frozen=True)
class Problem:
    kind: str
    position: int | None
    notification_id: int | None
    event_id: str | None
    en: str
    ja: str

    def message(self, lang: str = "en") -> str:
        return self.ja if lang == "ja" else self.en

    def as_dict(self, lang: str = "en") -> dict:
        return {"kind": self.kind, "position": self.position, "notification_id": self.notification_id,
                "event_id": self.event_id, "message": self.message(lang)}


@dataclass
class Report:
    facts: int = 0
    head_position: int = 0
    head_hash: str = GENESIS.hex()
    streams: int = 0
    erased_subjects: int | None = None  # None: this connection may not see the key table
    problem: Problem | None = None
    checked: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class Row:
    nid: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes

    @property
    def event_id(self) -> str:
        return f"{self.originator_id}#{self.originator_version}"


def event_rows(app: LedgerApp, batch: int = 2000) -> Iterator[Row]:
    start = 1
    while True:
        rows = app.recorder.select_notifications(start=start, limit=batch)
        if not rows:
            return
        for r in rows:
            yield Row(r.id, str(r.originator_id), r.originator_version, r.topic, as_bytes(r.state))
        start = rows[-1].id + 1


class Found(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _problem(kind: str, pos: int | None, nid: int | None, eid: str | None, en: str, ja: str) -> Found:
    return Found(Problem(kind, pos, nid, eid, en, ja))


class Anchor(NamedTuple):
    """A chain position and the start of its hash, as an earlier ``ledger verify`` printed them."""

    position: int
    hash: str


def parse_anchor(text: str) -> Anchor:
    from ledger.errors import BadInput

    pos, _, h = text.partition(":")
    h = h.strip().lower()
    if not pos.strip().isdigit() or len(h) < 16 or any(c not in "0123456789abcdef" for c in h):
        raise BadInput(f"--anchor '{text}' must be POSITION:HASH (a position and at least 16 hex digits of its hash, "
                       "as printed by an earlier `ledger verify`).",
                       f"--anchor '{text}' は 位置:ハッシュ（以前の `ledger verify` が表示した位置とハッシュの先頭16桁以上）です。",
                       field="anchor")
    return Anchor(int(pos), h)


def check_store(app: LedgerApp, on_event: Callable[[int, Event], None] | None = None,
                anchor: tuple[int, str] | None = None) -> Report:
    """Check the chain, the envelopes and the streams; the first problem stops the walk."""
    report = Report()
    if anchor is not None:
        anchor = Anchor(*anchor)  # a plain (position, hash) pair is read by name from here on
    try:
        _walk(app, report, on_event, anchor)
    except Found as f:
        report.problem = f.problem
    except PersistenceError as e:
        raise translate(e) from None
    return report


def _walk(app: LedgerApp, report: Report, on_event: Callable[[int, Event], None] | None,
          anchor: Anchor | None) -> None:
    """The events table and the chain side by side, once; the first problem raises ``Found``."""
    events = event_rows(app)
    chain = chain_rows(app.cursor)
    ev, ch = next(events, None), next(chain, None)
    prev, expected, last_us = GENESIS, 1, None
    versions: dict[str, int] = {}
    while ev is not None or ch is not None:
        if ch is not None:
            _check_link(ch, prev, expected)
        ev, ch = _paired(ev, ch, expected)
        _check_fact(app, ev, ch)
        _check_order(ev, ch, last_us, versions)
        versions[ev.originator_id] = ev.originator_version
        event = _decode(app, ev, ch)
        if on_event is not None:
            on_event(ev.nid, event)
        _check_anchor(ev, ch, anchor)
        prev, last_us, expected = bytes.fromhex(ch.hash), ch.recorded_us, expected + 1
        report.facts += 1
        report.head_position, report.head_hash = ch.position, ch.hash
        ev, ch = next(events, None), next(chain, None)
    _check_anchor_reached(report, anchor)
    report.streams = len(versions)
    if app.keyring.readable:
        with app.cursor() as cur:
            row = cur.one("SELECT COUNT(*) FROM {keys} WHERE wrapped IS NULL")
        report.erased_subjects = int(row[0]) if row else 0


def _paired(ev: Row | None, ch: ChainRow | None, expected: int) -> tuple[Row, ChainRow]:
    """The fact and the chain row at the same notification: a fact ahead of the chain was
    inserted behind the ledger's back (unchained); a chain row ahead of the facts lost its fact (missing)."""
    if ch is None or (ev is not None and ev.nid < ch.notification_id):
        assert ev is not None  # the walk runs while either side has rows
        raise _problem(
            "unchained", expected, ev.nid, ev.event_id,
            f"UNCHAINED fact at notification {ev.nid} ({ev.event_id}), after position {expected - 1}: it has no "
            "chain row, so it was inserted behind the ledger's back.",
            f"通知 {ev.nid}（{ev.event_id}、位置 {expected - 1} の後）の事実にチェーンがありません。台帳を通さずに挿入されました。")
    if ev is None or ch.notification_id < ev.nid:
        raise _problem(
            "missing", ch.position, ch.notification_id, ch.event_id,
            f"MISSING fact at position {ch.position} ({ch.event_id}, notification {ch.notification_id}): it is "
            "chained but absent from the events table, so it was deleted.",
            f"位置 {ch.position}（{ch.event_id}、通知 {ch.notification_id}）の事実がイベント表にありません。削除されました。")
    return ev, ch


def _check_order(ev: Row, ch: ChainRow, last_us: int | None, versions: dict[str, int]) -> None:
    """Recorded time never goes backwards along the chain; a stream's versions have no gap."""
    if last_us is not None and ch.recorded_us < last_us:
        raise _problem(
            "clock", ch.position, ev.nid, ev.event_id,
            f"Recorded time goes backwards at position {ch.position} ({ev.event_id}).",
            f"位置 {ch.position}（{ev.event_id}）で記録時刻が後戻りしています。")
    want = versions.get(ev.originator_id, 0) + 1
    if ev.originator_version != want:
        raise _problem(
            "stream_gap", ch.position, ev.nid, ev.event_id,
            f"Stream {ev.originator_id} jumps to version {ev.originator_version} at position {ch.position}; "
            f"version {want} is missing.",
            f"ストリーム {ev.originator_id} が位置 {ch.position} で版 {ev.originator_version} に飛んでいます（版 {want} がありません）。")


def _check_anchor(ev: Row, ch: ChainRow, anchor: Anchor | None) -> None:
    """At the anchored position the chain still has the hash an earlier verify printed."""
    if anchor is not None and ch.position == anchor.position and not ch.hash.startswith(anchor.hash):
        raise _problem(
            "anchor", ch.position, ev.nid, ev.event_id,
            f"The chain at position {ch.position} is {ch.hash[:16]}…, not the anchored {anchor.hash[:16]}…: "
            "the chain up to there was rewritten.",
            f"位置 {ch.position} のハッシュ {ch.hash[:16]}… がアンカー {anchor.hash[:16]}… と一致しません。書き換えられています。")


def _check_anchor_reached(report: Report, anchor: Anchor | None) -> None:
    """A chain that ends before the anchored position lost facts from its end."""
    if anchor is not None and anchor.position > report.head_position:
        raise _problem(
            "anchor", anchor.position, None, None,
            f"The chain ends at position {report.head_position}, before the anchored position {anchor.position}: "
            "facts were removed from its end.",
            f"チェーンは位置 {report.head_position} で終わり、アンカーの位置 {anchor.position} に届きません。末尾が削除されています。")


def _check_link(ch: ChainRow, prev: bytes, expected: int) -> None:
    if ch.position != expected:
        raise _problem(
            "missing", expected, None, None,
            f"MISSING position {expected} in the chain (the next is {ch.position}): facts were deleted together "
            "with their chain rows.",
            f"チェーンの位置 {expected} がありません（次は {ch.position}）。事実がチェーンごと削除されました。")
    if ch.prev_hash != prev.hex():
        raise _problem(
            "broken", ch.position, ch.notification_id, ch.event_id,
            f"BROKEN chain at position {ch.position} ({ch.event_id}): it does not link to position {expected - 1}; "
            "the chain table was edited.",
            f"位置 {ch.position}（{ch.event_id}）でチェーンが切れています（位置 {expected - 1} とつながりません）。チェーン表が改ざんされました。")
    if link(prev, ch.position, ch.notification_id, ch.recorded_us, bytes.fromhex(ch.digest)).hex() != ch.hash:
        raise _problem(
            "broken", ch.position, ch.notification_id, ch.event_id,
            f"BROKEN chain at position {ch.position} ({ch.event_id}): its hash does not recompute; the chain table "
            "was edited.",
            f"位置 {ch.position}（{ch.event_id}）のハッシュが再計算と一致しません。チェーン表が改ざんされました。")


def _check_fact(app: LedgerApp, ev: Row, ch: ChainRow) -> None:
    d = digest(ev.originator_id, ev.originator_version, ev.topic, ev.state).hex()
    if d != ch.digest:
        if (ev.originator_id, ev.originator_version) != (ch.originator_id, ch.originator_version):
            with app.cursor() as cur:
                other = cur.one("SELECT position, digest FROM {chain} WHERE originator_id = ? AND originator_version = ?",
                                (ev.originator_id, ev.originator_version))
            other_position, other_digest = other if other is not None else (None, None)
            if other_digest == d:
                raise _problem(
                    "reordered", ch.position, ev.nid, ev.event_id,
                    f"REORDERED fact at position {ch.position} (notification {ev.nid}): it holds {ev.event_id}, "
                    f"which was chained at position {other_position}; position {ch.position} was {ch.event_id}.",
                    f"位置 {ch.position}（通知 {ev.nid}）の事実の順序が入れ替わっています。ここにあるのは位置 {other_position} の "
                    f"{ev.event_id} で、本来は {ch.event_id} です。")
        raise _problem(
            "altered", ch.position, ev.nid, ch.event_id,
            f"ALTERED fact at position {ch.position} ({ch.event_id}, notification {ev.nid}): its stored bytes differ "
            "from those chained when it was recorded.",
            f"位置 {ch.position}（{ch.event_id}、通知 {ev.nid}）の事実が記録時から改ざんされています。")
    try:
        env = json.loads(ev.state)
        inner_stream, inner_version = env.get("originator_id"), env.get("originator_version")
        inner_us = to_us(datetime.fromisoformat(env.get("recorded")))
    except (ValueError, TypeError, AttributeError):
        raise _problem(
            "envelope", ch.position, ev.nid, ev.event_id,
            f"Position {ch.position} ({ev.event_id}): the stored fact is not a ledger envelope (no JSON stream, "
            "version and recorded time).",
            f"位置 {ch.position}（{ev.event_id}）の事実は台帳の形式ではありません。") from None
    if (inner_stream, inner_version) != (ev.originator_id, ev.originator_version) or inner_us != ch.recorded_us:
        raise _problem(
            "envelope", ch.position, ev.nid, ev.event_id,
            f"Position {ch.position}: the row says {ev.event_id} but the fact inside says {inner_stream}#{inner_version} "
            "(or another recorded time): it was forged, not recorded by the ledger.",
            f"位置 {ch.position}: 行は {ev.event_id} ですが、中身は {inner_stream}#{inner_version} です（または記録時刻が異なります）。"
            "台帳が記録したものではありません。")


def _decode(app: LedgerApp, ev: Row, ch: ChainRow) -> Event:
    try:
        return app.ledger_mapper.decode(ev.topic, ev.state)
    except (LedgerError, ValidationError, ValueError, TypeError, KeyError) as e:
        text = e.en if isinstance(e, LedgerError) else str(e).splitlines()[0]
        raise _problem(
            "undecodable", ch.position, ev.nid, ev.event_id,
            f"Position {ch.position} ({ev.event_id}) no longer decodes: {text}",
            f"位置 {ch.position}（{ev.event_id}）が読めません: {e.ja if isinstance(e, LedgerError) else text}") from None
