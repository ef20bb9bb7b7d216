"""Running a command: its handler (one per command, registered in ``commands.registry``,
composed in ``commands.all``) loads -> decides (pure, in ``ledger``) -> returns drafts.

``execute`` runs a handler: parses the input, skips a command whose
``command_id`` is already recorded, stamps the drafts with the envelope and
appends them in one transaction; on a write conflict it loads and decides again.
"""
from __future__ import annotations

import contextlib
import random
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from commands import models as m
from commands.all import REGISTRY  # every handler module, composed in one place
from commands.registry import Unit
from ledger.clock import EARLIEST, LATEST
from ledger.errors import BadInput, ClockError, Conflict, LedgerError
from ledger.events import CommandRecorded, Event
from ledger.facts import Draft
from ledger.store import LedgerApp

MAX_ATTEMPTS = 8


def command_stream(command_id: str) -> str:
    """The stream that records one command id (idempotency: a command id is applied once)."""
    return "command:" + command_id


@dataclass
class Context:
    """What the edge passes in: the ledger clock's reading and the actor.

    ``clock``, when given, is read again if another writer recorded a later
    fact between this reading and the append (a race, not a wrong clock).
    """

    now: datetime
    actor: str
    clock: Callable[[], datetime] | None = None


# --- running a command --------------------------------------------------------------


@dataclass
class Result:
    command: str
    command_id: str | None
    events: list[Event]
    duplicate: bool = False

    def as_dict(self) -> dict:
        return {
            "ok": True,
            "command": self.command,
            "command_id": self.command_id,
            "duplicate": self.duplicate,
            "events": [{"event_id": e.event_id, "type": e.TYPE, "rules": list(e.rules)} for e in self.events],
        }


def storable_text(raw: Any, path: str = "") -> None:
    """Refuse text no store can hold: NUL characters and lone UTF-16 surrogates."""
    if isinstance(raw, str):
        if "\x00" in raw or any("\ud800" <= ch <= "\udfff" for ch in raw):
            raise BadInput(f"field '{path or 'command'}': text may not contain NUL characters or unpaired surrogates.",
                           f"欄 '{path or 'command'}': 文字列に NUL 文字や対になっていないサロゲートは使えません。",
                           field=path or "command")
    elif isinstance(raw, dict):
        for k, v in raw.items():
            storable_text(k, path)
            storable_text(v, f"{path}.{k}" if path else str(k))
    elif isinstance(raw, list):
        for v in raw:
            storable_text(v, path)


def parse(raw: Any) -> m.Command:
    """Validate one command object; every problem names its field."""
    storable_text(raw)
    if not isinstance(raw, dict):
        raise BadInput("A command must be a JSON object with a \"command\" field.",
                       "コマンドは \"command\" 欄を持つ JSON オブジェクトでなければなりません。", field="command")
    name = raw.get("command")
    if name not in REGISTRY:
        known = ", ".join(sorted(REGISTRY))
        raise BadInput(f"Unknown command {name!r}. Known commands: {known}.",
                       f"不明なコマンド {name!r} です。使えるコマンド: {known}。", field="command",
                       code="unknown_command")
    model = REGISTRY[name].model
    try:
        cmd = model.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "command"
        given = first.get("input")
        shown = "" if isinstance(given, dict) or first["type"] == "missing" else f" (got {echoed(where, given)})"
        err = BadInput(f"{name}: field '{where}': {first['msg']}{shown}.",
                       f"{name}: 欄 '{where}' が不正です: {first['msg']}{shown}。", field=where)
        # The structured error (type, ctx, input) lets the edge translate pydantic's
        # text through its message catalogue instead of showing English to ja users.
        err.validation = {"command": name, "field": where, "type": first["type"], "msg": first["msg"],
                          "ctx": {k: str(v) for k, v in (first.get("ctx") or {}).items()}, "shown": shown}
        raise err from None
    in_range(name, cmd)
    return cmd


def in_range(name: str, value: Any, path: str = "") -> None:
    """Refuse a date or time outside the years the ledger computes with (rules add up to 30
    years and convert to Japan time: year 9999 would overflow, issue 12)."""
    if isinstance(value, date):
        if not EARLIEST <= value.year <= LATEST:
            shown = "the value" if PERSONAL_FIELD.search(path) else value.isoformat()
            raise BadInput(f"{name}: field '{path}': {shown} is out of range: the ledger handles years "
                           f"{EARLIEST} to {LATEST}.",
                           f"{name}: 欄 '{path}': {shown} は範囲外です（扱える年は {EARLIEST}〜{LATEST} 年）。",
                           field=path)
    elif isinstance(value, BaseModel):
        for field_name in type(value).model_fields:
            in_range(name, getattr(value, field_name), f"{path}.{field_name}" if path else field_name)
    elif isinstance(value, (list, tuple)):
        for v in value:
            in_range(name, v, path)


PERSONAL_FIELD = re.compile(r"(^|[._])(name|address|phone|email|birth_date)$|applicant|holder\.|target\.")
MAX_ECHO = 60


def echoed(where: str, given: Any) -> str:
    """A rejected value as an error may show it: capped (a huge field is not sent back) and
    never a personal field's value (issue 12)."""
    if PERSONAL_FIELD.search(where):
        return "a value not shown: personal data"
    text = repr(given)
    return text if len(text) <= MAX_ECHO else f"{text[:MAX_ECHO]}… ({len(text)} characters)"


def not_after_clock(cmd: m.Command, eff: datetime, now: datetime) -> None:
    """A fact cannot be true before it happens: the command's own effective time
    (``on``/``at``) may not lie after the ledger clock. Dates *inside* a fact that
    are legitimately future (a lease start, a change of owner, an inspection day,
    a deadline ``until``) are the fact's content, not its effective time, and stay
    allowed."""
    if eff <= now:
        return
    where = "at" if cmd.at is not None else "on"
    shown = cmd.at_aware.isoformat() if cmd.at is not None else str(cmd.on)
    raise BadInput(f"{cmd.NAME}: field '{where}': {shown} is after the ledger clock ({now.isoformat()}); "
                   "a fact is recorded on or after the day it happened.",
                   f"{cmd.NAME}: 欄 '{where}': {shown} は台帳の時計（{now.isoformat()}）より後です。"
                   "事実は起きた日以降に記録します。", field=where, code="future_fact")


def stamp(drafts: list[Draft], unit: Unit, cmd: m.Command, ctx: Context, eff: datetime) -> list[Event]:
    batch = uuid.uuid4().hex
    next_version: dict[str, int] = {}
    out: list[Event] = []
    for d in drafts:
        if d.stream not in next_version:
            next_version[d.stream] = len(unit.read(d.stream)) + 1
        version = next_version[d.stream]
        next_version[d.stream] += 1
        out.append(d.type(
            originator_id=d.stream, originator_version=version, recorded=ctx.now,
            effective=d.effective or eff, actor=ctx.actor, command_id=cmd.command_id, batch=batch,
            rules=d.rules, **d.data,
        ))
    if cmd.command_id:
        out.append(CommandRecorded(
            originator_id=command_stream(cmd.command_id), originator_version=1, recorded=ctx.now, effective=eff,
            actor=ctx.actor, command_id=cmd.command_id, batch=batch, command=cmd.NAME,
            events=tuple(e.event_id for e in out),
        ))
    return out


def prepare(raw: Any, ctx: Context) -> tuple[m.Command, datetime]:
    """The checks every write passes before it is decided, whether alone (``execute``) or
    in a batch (``commands.batch``): the command parses, names its actor, and its own
    effective time is not after the ledger clock. Returns the command and that time."""
    cmd = raw if isinstance(raw, m.Command) else parse(raw)
    if not ctx.actor or not ctx.actor.strip():
        raise BadInput("Every write names its actor: pass --actor or set LEDGER_ACTOR (not blank).",
                       "書き込みには担当者が必要です。--actor または LEDGER_ACTOR を指定してください（空白は不可）。", field="actor")
    eff = cmd.effective(ctx.now)
    not_after_clock(cmd, eff, ctx.now)
    return cmd, eff


def execute(app: LedgerApp, raw: Any, ctx: Context) -> Result:
    """Apply one command whole or not at all.

    A ``command_id`` already recorded is a duplicate and writes nothing. A write
    conflict (another writer got to a stream first) is decided again on fresh
    facts, so it is either applied once or refused by the rule that now applies;
    on PostgreSQL the second decision holds the store's gate and cannot lose again.
    """
    cmd, eff = prepare(raw, ctx)
    handler = REGISTRY[cmd.NAME].handler
    app.check_clock(ctx.now)
    for attempt in range(MAX_ATTEMPTS):
        # After a lost conflict, decide again holding the store's gate (PostgreSQL):
        # no other append can commit meanwhile, so the fresh decision cannot
        # conflict again. SQLite has no gate: back off with jitter and retry.
        gated = attempt > 0 and app.can_gate
        if attempt and not gated:
            time.sleep(random.uniform(0, min(0.2, 0.004 * 2 ** attempt)))
        with app.gate() if gated else contextlib.nullcontext():
            if cmd.command_id and app.exists(command_stream(cmd.command_id)):
                return Result(cmd.NAME, cmd.command_id, [], duplicate=True)
            unit = Unit(app)
            drafts = handler(unit, cmd, eff)
            if not drafts:
                return Result(cmd.NAME, cmd.command_id, [])
            events = stamp(drafts, unit, cmd, ctx, eff)
            try:
                app.append(events, ctx.now, gated=gated)
            except Conflict:
                continue
            except ClockError:
                # Another writer appended a later fact after our clock reading: read
                # the live clock again (a fixed LEDGER_CLOCK cannot move: refuse).
                fresh = ctx.clock() if ctx.clock else ctx.now
                if fresh <= ctx.now:
                    raise
                ctx = Context(now=fresh, actor=ctx.actor, clock=ctx.clock)
                continue
            return Result(cmd.NAME, cmd.command_id, [e for e in events if not isinstance(e, CommandRecorded)])
    raise Conflict(f"{cmd.NAME}: the streams kept changing under {MAX_ATTEMPTS} attempts; try again.",
                   f"{cmd.NAME}: {MAX_ATTEMPTS} 回試みても競合が続きました。もう一度実行してください。")


__all__ = ["Context", "Result", "REGISTRY", "Unit", "execute", "parse", "LedgerError"]
