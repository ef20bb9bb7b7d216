"""Many commands in one transaction, each still whole or not at all (``ledger apply``, issue 11).

Each command is decided exactly as ``commands.handlers.execute`` decides it, on
the store's facts *plus the facts of the earlier commands of the same batch*
(held here, not yet committed). A refused command adds nothing to the batch.
The batch is then appended in one transaction (facts, chain rows, data keys,
receipts and the read model together), and only then are its lines answered:
an answer is printed once its facts are durable.

If the append fails (another writer got to a stream first, a read-only
connection, …), nothing of the batch was written: its commands are applied
again one at a time by ``execute`` (each decided afresh, with its own conflict
handling and its own error). A connection lost during the commit is different:
the batch may have been written, so every line reports ``outcome_unknown``
(re-run with the same command_ids) and nothing is applied again.

Commands that read more than their own streams (``run_renewals`` lists every
member from the store) or that act on the keyring (``erase_personal_data``)
end the batch and run alone.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from commands.handlers import REGISTRY, Context, Result, Unit, command_stream, execute, prepare, stamp
from ledger import fees, member, property as property_
from ledger.errors import LedgerError, OutcomeUnknown
from ledger.events import CommandRecorded, Event
from ledger.store import LedgerApp

ALONE = {"run_renewals", "erase_personal_data"}


@dataclass
class Line:
    """One input line: its number, the raw command, and its outcome once decided."""

    n: int
    raw: Any
    ctx: Context
    result: Result | None = None
    error: LedgerError | None = None


class _Overlay(dict):
    """``Unit.loaded`` over the batch: a stream is the store's facts plus the batch's."""

    def __init__(self, batch: "Batch") -> None:
        super().__init__()
        self.batch = batch

    def __contains__(self, stream: object) -> bool:
        return True

    def __getitem__(self, stream: str) -> list[Event]:
        return list(self.batch.read(stream))


@dataclass
class Batch:
    app: LedgerApp
    lines: list[Line] = field(default_factory=list)
    pending: list[Event] = field(default_factory=list)
    streams: dict[str, list[Event]] = field(default_factory=dict)

    def read(self, stream: str) -> list[Event]:
        if stream not in self.streams:
            self.streams[stream] = self.app.read(stream)
        return self.streams[stream]

    def prefetch(self, raws: list[Any]) -> None:
        """Read the streams the coming lines name (their command receipts, members, properties)
        in one query, not one round trip each (issue 11: PostgreSQL). Only a cache of the store:
        a stream a line turns out not to need costs nothing, one it needs but was not named here
        is read as before."""
        streams = [fees.STREAM]
        for r in raws:
            if not isinstance(r, dict):
                continue
            for name, stream in (("command_id", command_stream), ("member_id", member.stream),
                                 ("property_id", property_.stream)):
                value = r.get(name)
                # Unvalidated input: only plain printable ids (no NUL, no lone surrogate) are looked up.
                if isinstance(value, str) and 0 < len(value) <= 200 and value.isprintable():
                    streams.append(stream(value))
        streams = [s for s in dict.fromkeys(streams) if s not in self.streams]
        if len(streams) > 1:
            try:
                self.streams.update(self.app.read_many(streams))
            except LedgerError:
                pass  # a store that fails here fails each line's own read, which answers for it

    def add(self, line: Line) -> None:
        """Decide one command on the store plus this batch; a refusal adds nothing."""
        self.lines.append(line)
        try:
            cmd, eff = prepare(line.raw, line.ctx)
            if not self.pending:
                self.app.check_clock(line.ctx.now)
            if cmd.command_id and self.read(command_stream(cmd.command_id)):
                line.result = Result(cmd.NAME, cmd.command_id, [], duplicate=True)
                return
            handler = REGISTRY[cmd.NAME].handler
            unit = Unit(self.app)
            unit.loaded = _Overlay(self)
            drafts = handler(unit, cmd, eff)
            if not drafts:
                line.result = Result(cmd.NAME, cmd.command_id, [])
                return
            events = stamp(drafts, unit, cmd, line.ctx, eff)
        except LedgerError as e:
            line.error = e
            return
        for e in events:
            self.read(e.originator_id).append(e)
        self.pending.extend(events)
        line.result = Result(cmd.NAME, cmd.command_id, [e for e in events if not isinstance(e, CommandRecorded)])

    def commit(self) -> list[Line]:
        """Append the batch in one transaction; on a lost race, apply its lines one by one."""
        lines, pending = self.lines, self.pending
        self.lines, self.pending, self.streams = [], [], {}
        if not pending:
            return lines
        try:
            self.app.append(pending, max(e.recorded for e in pending))
            return lines
        except OutcomeUnknown as e:
            # The commit may have happened: applying the lines again could record them
            # twice. Each line says so; a re-run with the same command_ids is safe.
            for line in lines:
                if line.error is None:
                    line.result, line.error = None, e
            return lines
        except LedgerError:
            # Nothing of the batch was written (a lost race, a late clock, a read-only
            # connection, a key erased meanwhile): each line answers for itself.
            pass
        for line in lines:
            line.result, line.error = None, None
            try:
                line.result = execute(self.app, line.raw, line.ctx)
            except LedgerError as e:
                line.error = e
        return lines


def name_of(raw: Any) -> str | None:
    return raw.get("command") if isinstance(raw, dict) else getattr(raw, "NAME", None)


def run(app: LedgerApp, lines, size: int, emit: Callable[[Line], None], stop_on_error: bool = False) -> int:
    """Apply ``lines`` ((n, raw or LedgerError, Context) each) in batches of ``size`` commands;
    ``emit`` each line once it is durable (or refused). Returns the worst exit code."""
    batch = Batch(app)
    worst = 0

    def flush() -> None:
        nonlocal worst
        for line in batch.commit():
            if line.error is not None:
                worst = max(worst, line.error.exit_code)
            emit(line)

    for n, raw, ctx in (ahead(lines, size, batch) if size > 1 else lines):
        if isinstance(raw, LedgerError):  # the line could not be read: answered in its turn
            batch.lines.append(Line(n, None, ctx, error=raw))
        elif size <= 1 or name_of(raw) in ALONE:
            flush()
            line = Line(n, raw, ctx)
            try:
                line.result = execute(app, raw, ctx)
            except LedgerError as e:
                line.error = e
            batch.lines.append(line)
        else:
            batch.add(Line(n, raw, ctx))
        last = batch.lines[-1]
        if len(batch.lines) >= size or name_of(raw) in ALONE or size <= 1 or (stop_on_error and last.error):
            flush()
        if stop_on_error and worst:
            break
    flush()
    return worst


def ahead(lines, size: int, batch: Batch):
    """``lines`` in chunks of ``size``, each prefetched (``Batch.prefetch``) before its first line is decided."""
    it = iter(lines)
    while chunk := list(islice(it, size)):
        batch.prefetch([raw for _, raw, _ in chunk])
        yield from chunk
